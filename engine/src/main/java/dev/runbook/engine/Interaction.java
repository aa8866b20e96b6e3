package dev.runbook.engine;

import dev.runbook.dsl.model.OnFailure;

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

  /**
   * Asks what to do about a failed step, for {@code on_failure: ask}.
   *
   * @return {@link OnFailure#ROLLBACK} or {@link OnFailure#STOP}; never {@link OnFailure#ASK}
   */
  OnFailure onFailure(String stepId, String reason);

  /** For runs without a terminal: confirmations pause (or pass with --yes), failures stop. */
  static Interaction unattended(boolean yes) {
    return new Interaction() {
      @Override
      public Confirmation confirm(String stepId, String message) {
        return yes ? Confirmation.YES : Confirmation.NOBODY;
      }

      @Override
      public OnFailure onFailure(String stepId, String reason) {
        return OnFailure.STOP;
      }
    };
  }
}
