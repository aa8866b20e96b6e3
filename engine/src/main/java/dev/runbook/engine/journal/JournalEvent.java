package dev.runbook.engine.journal;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.json.JSONObject;

/**
 * What a journal line says: the journal's whole vocabulary, one record per kind of line. The engine
 * writes only these ({@link Journal#append(JournalEvent)}); {@link JournalCodec} is the one place
 * that turns them into JSON and back; {@link RunFold} is the one reading of a sequence of them.
 *
 * <p>No event carries a secret: values that may hold one are masked before an event is built. See
 * {@code docs/adr/0014-journal-events.md} for what each event promises.
 */
public sealed interface JournalEvent {

  /** The {@code type} field of the event's line. */
  String type();

  /** Who started or continued a run, and which engine did. */
  record Invocation(String user, String host, long pid, String engineVersion) {
    public Invocation {
      user = Objects.requireNonNullElse(user, "");
      host = Objects.requireNonNullElse(host, "");
      engineVersion = Objects.requireNonNullElse(engineVersion, "");
    }
  }

  /**
   * A new run: the first line of every journal.
   *
   * @param digests each runbook's digest by file, as the plan computed them
   * @param params the values of the non-secret parameters, as the run uses them
   * @param onFailure the failure policy given on the command line; empty: the runbook's
   * @param lock the run lock's name, as the runbook's {@code lock:} resolved (an older engine's
   *     journal, without it, reads as the runbook's name, what it locked): resume and rollback take
   *     the same lock
   */
  record RunStarted(
      String runId,
      String runbook,
      String lock,
      String file,
      Map<String, String> digests,
      String paramsDigest,
      Map<String, Object> params,
      Invocation by,
      Optional<String> onFailure)
      implements JournalEvent {
    public RunStarted {
      digests = Map.copyOf(digests);
      params = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(params));
    }

    @Override
    public String type() {
      return "run_started";
    }
  }

  /** {@code resume} took the run over; {@code params} and {@code digests} as it continues. */
  record Resumed(Map<String, Object> params, Map<String, String> digests, Invocation by)
      implements JournalEvent {
    public Resumed {
      params = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(params));
      digests = Map.copyOf(digests);
    }

    @Override
    public String type() {
      return "resumed";
    }
  }

  /** {@code rollback RUN_ID} took the run over to undo it. */
  record RollbackRequested(Map<String, Object> params, Map<String, String> digests, Invocation by)
      implements JournalEvent {
    public RollbackRequested {
      params = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(params));
      digests = Map.copyOf(digests);
    }

    @Override
    public String type() {
      return "rollback_requested";
    }
  }

  /** Every precondition held: the run may change things from here on. */
  record PreconditionsHeld() implements JournalEvent {
    @Override
    public String type() {
      return "preconditions_held";
    }
  }

  /** A precondition did not hold; nothing was changed. */
  record PreconditionsUnmet(List<String> unmet) implements JournalEvent {
    public PreconditionsUnmet {
      unmet = List.copyOf(unmet);
    }

    @Override
    public String type() {
      return "preconditions_unmet";
    }
  }

  /**
   * A step's action is about to start (its {@code when} and {@code requires} passed).
   *
   * @param checkpoint false for a {@code checkpoint: false} step, done only with a later checkpoint
   */
  record StepStarted(String step, int attempt, boolean checkpoint) implements JournalEvent {
    @Override
    public String type() {
      return "step_started";
    }
  }

  /**
   * A step succeeded, or resume settled an in-flight one as done ({@code recovered} says how).
   *
   * @param outputs its outputs, masked, numbers and booleans as such
   */
  record StepSucceeded(
      String step, int attempt, Map<String, Object> outputs, Optional<String> recovered)
      implements JournalEvent {
    public StepSucceeded {
      outputs = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(outputs));
    }

    @Override
    public String type() {
      return "step_succeeded";
    }
  }

  /** A step did not run: its {@code when} was false, a requirement said skip, or the operator. */
  record StepSkipped(String step, String reason) implements JournalEvent {
    @Override
    public String type() {
      return "step_skipped";
    }
  }

  /**
   * A step failed for good (its retries spent), or before it started (its {@code when} or a
   * requirement could not be evaluated).
   *
   * @param actionStarted false when its last try failed before acting (a value it could not
   *     resolve, a program that could not start): such a try changed nothing
   */
  record StepFailed(String step, String reason, boolean actionStarted) implements JournalEvent {
    @Override
    public String type() {
      return "step_failed";
    }
  }

  /** One try of a step failed; another follows after its delay. {@code actionStarted} as above. */
  record StepAttemptFailed(String step, int attempt, String reason, boolean actionStarted)
      implements JournalEvent {
    @Override
    public String type() {
      return "step_attempt_failed";
    }
  }

  /** The operator chose to run a failed step again. */
  record OperatorRetry(String step) implements JournalEvent {
    @Override
    public String type() {
      return "operator_retry";
    }
  }

  /** The run waits for an operator (a confirmation, or a decision about an in-flight step). */
  record Paused(String step, String reason) implements JournalEvent {
    @Override
    public String type() {
      return "paused";
    }
  }

  /** A signal stopped the run; {@code step} is where, empty before the first step. */
  record Interrupted(Optional<String> step) implements JournalEvent {
    @Override
    public String type() {
      return "interrupted";
    }
  }

  /**
   * The engine met an error it did not expect and stopped; the run stays resumable.
   *
   * @param cause what went wrong, masked
   */
  record Errored(Optional<String> step, String cause) implements JournalEvent {
    @Override
    public String type() {
      return "errored";
    }
  }

  /**
   * The run ended.
   *
   * @param status the end's name, as {@link RunStatus#journalName()}
   * @param failedStep the step whose failure decided the end, if one did
   */
  record Finished(String status, String reason, Optional<String> failedStep)
      implements JournalEvent {
    @Override
    public String type() {
      return "finished";
    }
  }

  /** A rollback starts: compensations follow, newest step first. */
  record RollbackStarted() implements JournalEvent {
    @Override
    public String type() {
      return "rollback_started";
    }
  }

  /** Every started step was compensated (or was irreversible, or skipped by the operator). */
  record RolledBack() implements JournalEvent {
    @Override
    public String type() {
      return "rolled_back";
    }
  }

  /** A compensation failed: the rollback stopped there and can be resumed. */
  record RollbackIncomplete(String step, String reason) implements JournalEvent {
    @Override
    public String type() {
      return "rollback_incomplete";
    }
  }

  /** A compensation of {@code step} starts. */
  record CompensationStarted(String step, String compensation) implements JournalEvent {
    @Override
    public String type() {
      return "compensation_started";
    }
  }

  /**
   * A compensation ended.
   *
   * @param ok it did its work, or was skipped
   * @param skipped it was skipped (its {@code when}, a requirement, the operator, or nothing to
   *     undo); {@code reason} says why
   * @param recovered it was in flight when the engine stopped and its verify passed on resume
   */
  record CompensationFinished(
      String step,
      String compensation,
      boolean ok,
      boolean skipped,
      String reason,
      boolean recovered)
      implements JournalEvent {
    @Override
    public String type() {
      return "compensation_finished";
    }
  }

  /** A rollback passed a step it cannot undo. */
  record Irreversible(String step, String reason) implements JournalEvent {
    @Override
    public String type() {
      return "irreversible";
    }
  }

  /** A {@code replace: true} run is about to remove this container (write-ahead). */
  record ContainerReplaced(String step, JSONObject container) implements JournalEvent {
    public ContainerReplaced {
      container = new JSONObject(container.toMap());
    }

    @Override
    public String type() {
      return "container_replaced";
    }
  }

  /**
   * An action started a process; {@code compensation} when a compensation did. {@code output} is
   * the directory holding its raw output and, once it ends, its exit status (absent in journals
   * written before processes wrote to files).
   */
  record ProcessStarted(
      String step,
      Optional<String> compensation,
      long pid,
      Optional<Instant> start,
      Optional<String> output)
      implements JournalEvent {
    @Override
    public String type() {
      return "process_started";
    }
  }

  /** Resume waits for processes an engine that died left running. */
  record AwaitingProcesses(Optional<String> step, List<Long> pids) implements JournalEvent {
    public AwaitingProcesses {
      pids = List.copyOf(pids);
    }

    @Override
    public String type() {
      return "awaiting_processes";
    }
  }

  /** A line of a type this engine does not know (written by a newer one); the fold ignores it. */
  record Unknown(String type, JSONObject data) implements JournalEvent {}
}
