package dev.runbook.engine;

/**
 * How the engine asks the operator. Every question has an answer for when nobody can be asked (no
 * terminal), so a run never blocks without a terminal.
 */
public interface Interaction {
  /** The operator's answer to a {@code confirm} step. */
  enum Confirmation {
    YES,
    NO,
    /** Nobody can answer now: the run pauses until {@code resume --confirm STEP}. */
    NOBODY
  }

  /** Asks to confirm {@code message} before the run goes on. */
  Confirmation confirm(String stepId, String message);

  /** The operator's answer to a failed step, for {@code on_failure: ask}. */
  enum FailureChoice {
    /** Run the step again. */
    RETRY,
    /** Go on as if it had not been in the runbook (it is not compensated). */
    SKIP,
    ROLLBACK,
    STOP
  }

  /** Asks what to do about a failed step, for {@code on_failure: ask}. */
  FailureChoice onFailure(String stepId, String reason);

  /** The operator's answer about a step that was in flight when a run stopped. */
  enum InflightChoice {
    RERUN,
    SKIP,
    /** Nobody can answer now: resume stops, naming --rerun-inflight and --skip-inflight. */
    NOBODY
  }

  /** Asks whether to run again a step that may or may not have taken effect. */
  default InflightChoice inflight(String stepId) {
    return InflightChoice.NOBODY;
  }

  /** For runs without a terminal: confirmations pause (or pass with --yes), failures stop. */
  static Interaction unattended(boolean yes) {
    return new Interaction() {
      @Override
      public Confirmation confirm(String stepId, String message) {
        return yes ? Confirmation.YES : Confirmation.NOBODY;
      }

      @Override
      public FailureChoice onFailure(String stepId, String reason) {
        return FailureChoice.STOP;
      }
    };
  }
}
