package dev.runbook.engine.rehearsal;

/**
 * Told what a rehearsal does, for progress output. Calls come from the thread that runs the
 * rehearsal, in order: each trial starts, then finishes, before the next starts.
 */
public interface RehearsalListener {
  /**
   * @param number 1-based
   * @param total how many trials there are, as far as known now (the failure trials are counted
   *     from the plan until the clean run showed which steps ran)
   * @param what the trial in words (kind and step)
   */
  void trialStarted(int number, int total, String what);

  void trialFinished(Trial trial);

  /** A listener that is told nothing. */
  static RehearsalListener silent() {
    return new RehearsalListener() {
      @Override
      public void trialStarted(int number, int total, String what) {}

      @Override
      public void trialFinished(Trial trial) {}
    };
  }
}
