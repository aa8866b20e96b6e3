package dev.runbook.engine.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.engine.journal.JournalEvent.CompensationFinished;
import dev.runbook.engine.journal.JournalEvent.CompensationStarted;
import dev.runbook.engine.journal.JournalEvent.Errored;
import dev.runbook.engine.journal.JournalEvent.Finished;
import dev.runbook.engine.journal.JournalEvent.Interrupted;
import dev.runbook.engine.journal.JournalEvent.Invocation;
import dev.runbook.engine.journal.JournalEvent.OperatorRetry;
import dev.runbook.engine.journal.JournalEvent.Paused;
import dev.runbook.engine.journal.JournalEvent.PreconditionsHeld;
import dev.runbook.engine.journal.JournalEvent.PreconditionsUnmet;
import dev.runbook.engine.journal.JournalEvent.ProcessStarted;
import dev.runbook.engine.journal.JournalEvent.Resumed;
import dev.runbook.engine.journal.JournalEvent.RollbackIncomplete;
import dev.runbook.engine.journal.JournalEvent.RollbackRequested;
import dev.runbook.engine.journal.JournalEvent.RollbackStarted;
import dev.runbook.engine.journal.JournalEvent.RolledBack;
import dev.runbook.engine.journal.JournalEvent.RunStarted;
import dev.runbook.engine.journal.JournalEvent.StepAttemptFailed;
import dev.runbook.engine.journal.JournalEvent.StepFailed;
import dev.runbook.engine.journal.JournalEvent.StepSkipped;
import dev.runbook.engine.journal.JournalEvent.StepStarted;
import dev.runbook.engine.journal.JournalEvent.StepSucceeded;
import dev.runbook.engine.journal.RunFold.Failure;
import dev.runbook.engine.journal.RunFold.StepState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fold's semantics, from event sequences written to a real journal with {@link
 * Journal#append(JournalEvent)} and read back: what resume, rollback and {@code status} are told.
 */
class RunFoldTest {
  @TempDir Path dir;
  private int journals;

  private static final Invocation BY = new Invocation("ops", "host", 4242, "test");

  private static RunStarted started(Optional<String> onFailure) {
    return new RunStarted(
        "20261123-0700-demo-abcd",
        "demo",
        "demo",
        "demo.yaml",
        Map.of("demo.yaml", "sha256:1"),
        "sha256:p",
        Map.of(),
        BY,
        onFailure);
  }

  private static final RunStarted STARTED = started(Optional.empty());

  /** Writes {@code events} to a journal of their own, reads it back and folds it. */
  private RunFold fold(JournalEvent... events) {
    try {
      Path runDir = Files.createDirectories(dir.resolve("run-" + (++journals)));
      try (Journal journal = Journal.create(runDir, Clock.systemUTC())) {
        for (JournalEvent e : events) {
          journal.append(e);
        }
      }
      return RunFold.of(Journal.read(runDir.resolve(Journal.FILE_NAME)).records());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static StepStarted start(String step) {
    return new StepStarted(step, 1, true);
  }

  private static StepStarted startUncheckpointed(String step) {
    return new StepStarted(step, 1, false);
  }

  private static StepSucceeded ok(String step) {
    return new StepSucceeded(step, 1, Map.of(), Optional.empty());
  }

  private static CompensationFinished compensated(String step) {
    return new CompensationFinished(step, step + ".compensate", true, false, "", false);
  }

  private static Map<String, StepState> states(RunFold fold) {
    Map<String, StepState> states = new java.util.LinkedHashMap<>();
    fold.steps().forEach(s -> states.put(s.id(), s.state()));
    return states;
  }

  // ---- checkpoint groups

  @Test
  void aCheckpointFalseStepIsDoneOnlyOnceALaterCheckpointStepIs() {
    RunFold open =
        fold(
            STARTED,
            start("a"),
            ok("a"),
            startUncheckpointed("stop"),
            ok("stop"),
            startUncheckpointed("swap"),
            ok("swap"),
            start("start"));

    assertThat(open.doneSteps().keySet()).containsExactly("a");
    assertThat(open.done("stop")).isEmpty();
    assertThat(open.startedNotDone()).containsExactly("stop", "swap", "start");
    assertThat(open.startedAndDone()).containsExactly("a");
    assertThat(open.inflight()).contains("start");
    // status still shows what the journal says each step did
    assertThat(states(open)).containsEntry("stop", StepState.SUCCEEDED);

    RunFold closed =
        fold(
            STARTED,
            start("a"),
            ok("a"),
            startUncheckpointed("stop"),
            ok("stop"),
            startUncheckpointed("swap"),
            ok("swap"),
            start("start"),
            ok("start"));

    assertThat(closed.doneSteps().keySet()).containsExactly("a", "stop", "swap", "start");
    assertThat(closed.startedAndDone()).containsExactly("a", "stop", "swap", "start");
    assertThat(closed.startedNotDone()).isEmpty();
    assertThat(closed.inflight()).isEmpty();
  }

  @Test
  void aGroupThatFailedBeforeItsCheckpointIsNotDoneAndNotUndoneAsDone() {
    RunFold fold =
        fold(
            STARTED,
            startUncheckpointed("stop"),
            ok("stop"),
            start("start"),
            new StepFailed("start", "exit 1", true));

    assertThat(fold.doneSteps()).isEmpty();
    assertThat(fold.startedAndDone()).isEmpty();
    assertThat(fold.startedNotDone()).containsExactly("stop", "start");
  }

  @Test
  void aDoneStepKeepsItsStatusAndOutputs() {
    RunFold fold =
        fold(
            STARTED,
            start("probe"),
            new StepSucceeded("probe", 1, Map.of("version", "2.4", "rows", 42), Optional.empty()),
            new StepSkipped("later", "when `false` is false"));

    assertThat(fold.done("probe"))
        .hasValueSatisfying(
            d -> {
              assertThat(d.succeeded()).isTrue();
              assertThat(d.outputs()).containsEntry("version", "2.4").containsEntry("rows", 42);
            });
    assertThat(fold.done("later")).hasValueSatisfying(d -> assertThat(d.succeeded()).isFalse());
    assertThat(fold.startedAndDone()).containsExactly("probe");
  }

  // ---- in flight

  @Test
  void theStepThatStartedAndNeverEndedIsInFlight() {
    RunFold fold =
        fold(
            STARTED,
            start("a"),
            ok("a"),
            start("b"),
            new ProcessStarted(
                "b", Optional.empty(), 4242, Optional.of(Instant.EPOCH), Optional.empty()),
            new ProcessStarted(
                "b",
                Optional.empty(),
                4243,
                Optional.empty(),
                Optional.of("/dev/shm/runbook-0/p1")));

    assertThat(fold.inflight()).contains("b");
    assertThat(fold.inflightActions()).containsExactly("b");
    assertThat(fold.status()).isEqualTo(RunStatus.RUNNING);
    assertThat(fold.processes())
        .extracting(p -> p.pid() + " " + p.start().map(Instant::toString).orElse("-"))
        .containsExactly("4242 1970-01-01T00:00:00Z", "4243 -");
    assertThat(states(fold)).containsEntry("b", StepState.RUNNING);
  }

  @Test
  void aStepBetweenRetriesIsInFlightAndOneThatEndedIsNot() {
    RunFold retrying =
        fold(
            STARTED,
            start("flaky"),
            new StepAttemptFailed("flaky", 1, "exit 1", true),
            new StepStarted("flaky", 2, true));
    assertThat(retrying.inflight()).contains("flaky");
    assertThat(retrying.steps().get(0).attempts()).isEqualTo(2);

    RunFold failed = fold(STARTED, start("flaky"), new StepFailed("flaky", "exit 1", true));
    assertThat(failed.inflight()).isEmpty();
  }

  // ---- undecided failure

  @Test
  void aFailureFollowedByNothingIsUndecided() {
    RunFold fold =
        fold(
            started(Optional.of("rollback")),
            start("a"),
            ok("a"),
            start("b"),
            new StepFailed("b", "exit 1", true));

    assertThat(fold.undecidedFailure()).contains(new Failure("b", "exit 1"));
    assertThat(fold.inflight()).isEmpty();
    assertThat(fold.onFailure()).contains("rollback");
    assertThat(fold.startedNotDone()).containsExactly("b");
  }

  @Test
  void aFailureTheEngineActedOnOrWentPastIsDecided() {
    List<JournalEvent> after =
        List.of(
            new RollbackStarted(),
            new Finished("stopped", "step `b` failed: exit 1", Optional.of("b")),
            new Paused("c", "confirm"),
            new Interrupted(Optional.of("b")),
            start("c"),
            ok("c"),
            new StepSkipped("c", "when `false` is false"));
    for (JournalEvent next : after) {
      RunFold fold = fold(STARTED, start("b"), new StepFailed("b", "exit 1", true), next);
      assertThat(fold.undecidedFailure()).as(next.type()).isEmpty();
    }
  }

  @Test
  void aResumeThatDiedBeforeActingLeavesTheFailureUndecided() {
    RunFold fold =
        fold(
            STARTED,
            start("b"),
            new StepFailed("b", "exit 1", true),
            new Resumed(Map.of(), Map.of(), BY),
            new ProcessStarted("b", Optional.empty(), 1, Optional.empty(), Optional.empty()));

    assertThat(fold.undecidedFailure()).contains(new Failure("b", "exit 1"));
    assertThat(fold.onFailure()).isEmpty();
  }

  // ---- rollback and compensations

  @Test
  void aRollbackInProgressKnowsWhatItCompensatedAndWhatWasInFlight() {
    RunFold fold =
        fold(
            STARTED,
            start("a"),
            ok("a"),
            start("b"),
            ok("b"),
            start("c"),
            new StepFailed("c", "exit 1", true),
            new RollbackStarted(),
            new CompensationStarted("b", "b.compensate"),
            compensated("b"),
            new CompensationStarted("a", "a.compensate"));

    assertThat(fold.rollingBack()).isTrue();
    assertThat(fold.rollbackOnDemand()).isFalse();
    assertThat(fold.compensated("b", "b.compensate")).isTrue();
    assertThat(fold.compensated("a", "a.compensate")).isFalse();
    assertThat(fold.compensationInFlight()).contains("a");
    assertThat(fold.compensationInFlight("a", "a.compensate")).isTrue();
    assertThat(fold.compensationInFlight("b", "b.compensate")).isFalse();
    assertThat(fold.inflightActions()).containsExactly("a/compensate/a.compensate");
    assertThat(fold.startedAndDone()).containsExactly("a", "b");
    assertThat(fold.failure()).contains(new Failure("c", "exit 1"));
    assertThat(states(fold))
        .containsEntry("b", StepState.COMPENSATED)
        .containsEntry("a", StepState.SUCCEEDED)
        .containsEntry("c", StepState.FAILED);
  }

  @Test
  void aRollbackAskedForIsOnDemandUntilItFinishes() {
    JournalEvent[] asked = {
      STARTED,
      start("a"),
      ok("a"),
      new Finished("succeeded", "", Optional.empty()),
      new RollbackRequested(Map.of(), Map.of(), BY),
      new RollbackStarted(),
      new CompensationStarted("a", "a.compensate")
    };
    RunFold inProgress = fold(asked);
    assertThat(inProgress.rollingBack()).isTrue();
    assertThat(inProgress.rollbackOnDemand()).isTrue();
    assertThat(inProgress.status()).isEqualTo(RunStatus.RUNNING);
    assertThat(inProgress.failure()).as("a rollback asked for answers no failure").isEmpty();

    RunFold finished =
        fold(
            STARTED,
            start("a"),
            ok("a"),
            new Finished("succeeded", "", Optional.empty()),
            new RollbackRequested(Map.of(), Map.of(), BY),
            new RollbackStarted(),
            new CompensationStarted("a", "a.compensate"),
            compensated("a"),
            new RolledBack(),
            new Finished("undone", "", Optional.empty()));
    assertThat(finished.rollingBack()).isFalse();
    assertThat(finished.rollbackOnDemand()).isFalse();
    assertThat(finished.compensationInFlight()).isEmpty();
    assertThat(finished.status()).isEqualTo(RunStatus.UNDONE);
  }

  @Test
  void aFailedCompensationLeavesTheRollbackIncompleteAndInProgress() {
    RunFold fold =
        fold(
            STARTED,
            start("a"),
            ok("a"),
            start("b"),
            new StepFailed("b", "exit 1", true),
            new RollbackStarted(),
            new CompensationStarted("a", "a.compensate"),
            new CompensationFinished("a", "a.compensate", false, false, "exit 9", false),
            new RollbackIncomplete("a", "exit 9"),
            new Finished("rollback_incomplete", "compensation of a failed", Optional.of("b")));

    assertThat(fold.status()).isEqualTo(RunStatus.ROLLBACK_INCOMPLETE);
    assertThat(fold.rollingBack()).isTrue();
    assertThat(fold.compensated("a", "a.compensate")).isFalse();
    assertThat(fold.compensationInFlight()).isEmpty();
    assertThat(states(fold)).containsEntry("a", StepState.COMPENSATION_FAILED);
    assertThat(fold.failure()).contains(new Failure("b", "exit 1"));
  }

  @Test
  void aCompensationTheOperatorSkippedCountsAsDoneAndIsNamed() {
    RunFold fold =
        fold(
            STARTED,
            start("a"),
            ok("a"),
            start("b"),
            ok("b"),
            start("c"),
            new StepFailed("c", "exit 1", true),
            new RollbackStarted(),
            new CompensationStarted("b", "b.compensate"),
            new CompensationFinished(
                "b",
                "b.compensate",
                true,
                true,
                RunFold.OPERATOR_SKIP + " (--skip-compensation b)",
                false),
            new CompensationStarted("a", "a.compensate"),
            new CompensationFinished(
                "a", "a.compensate", true, true, "skipped: when `false` is false", false));

    assertThat(fold.skippedCompensations()).containsExactly("b");
    assertThat(fold.compensated("b", "b.compensate")).isTrue();
    assertThat(fold.compensated("a", "a.compensate")).isTrue();
    assertThat(states(fold))
        .containsEntry("b", StepState.COMPENSATION_SKIPPED)
        .containsEntry("a", StepState.COMPENSATED);
  }

  @Test
  void aTryThatFailedBeforeActingLeavesNothingForARollbackToUndo() {
    RunFold neverActed =
        fold(
            STARTED,
            start("a"),
            ok("a"),
            start("b"),
            new StepFailed("b", "cannot start: no such directory", false));
    assertThat(neverActed.startedNotDone()).doesNotContain("b");
    assertThat(neverActed.startedAndDone()).containsExactly("a");

    RunFold actedOnceThenFailedBeforeActing =
        fold(
            STARTED,
            start("b"),
            new StepAttemptFailed("b", 1, "exit 1", true),
            new StepStarted("b", 2, true),
            new StepFailed("b", "cannot start", false));
    assertThat(actedOnceThenFailedBeforeActing.startedNotDone())
        .as("an earlier try acted: it may have half-applied")
        .containsExactly("b");

    RunFold retriedBeforeActing =
        fold(
            STARTED,
            start("b"),
            new StepAttemptFailed("b", 1, "cannot start", false),
            new StepStarted("b", 2, true),
            new StepFailed("b", "exit 1", true));
    assertThat(retriedBeforeActing.startedNotDone()).containsExactly("b");
  }

  // ---- status

  @ParameterizedTest
  @ValueSource(strings = {"paused", "interrupted", "errored", "finished"})
  void theStatusIsTheLastEndTheJournalNames(String end) {
    JournalEvent last =
        switch (end) {
          case "paused" -> new Paused("check", "waiting for --confirm check");
          case "interrupted" -> new Interrupted(Optional.of("a"));
          case "errored" -> new Errored(Optional.empty(), "disk full");
          default -> new Finished("rolled_back", "step `a` failed: exit 1", Optional.of("a"));
        };
    RunFold fold = fold(STARTED, start("a"), ok("a"), last);

    RunStatus expected =
        switch (end) {
          case "paused" -> RunStatus.PAUSED;
          case "interrupted" -> RunStatus.INTERRUPTED;
          case "errored" -> RunStatus.ERRORED;
          default -> RunStatus.ROLLED_BACK;
        };
    assertThat(fold.status()).isEqualTo(expected);
    assertThat(fold.endReason())
        .isEqualTo(
            switch (end) {
              case "paused" -> "waiting for --confirm check";
              case "interrupted" -> "interrupted";
              case "errored" -> "disk full";
              default -> "step `a` failed: exit 1";
            });
  }

  @Test
  void aResumeMakesAnEndedRunRunningAgainAndAConfirmPausesItsStep() {
    RunFold paused =
        fold(STARTED, start("a"), ok("a"), start("check"), new Paused("check", "confirm"));
    assertThat(paused.status()).isEqualTo(RunStatus.PAUSED);
    assertThat(states(paused)).containsEntry("check", StepState.PAUSED);

    RunFold resumed =
        fold(
            STARTED,
            start("a"),
            new Interrupted(Optional.of("a")),
            new Resumed(Map.of(), Map.of(), BY));
    assertThat(resumed.status()).isEqualTo(RunStatus.RUNNING);
    assertThat(resumed.endReason()).isEqualTo("interrupted");
    assertThat(resumed.lastInvocation()).contains(BY);
  }

  @Test
  void preconditionsHoldOnlyOnceJournaledOrOnceAStepStarted() {
    assertThat(fold(STARTED).preconditionsHeld()).isFalse();
    assertThat(fold(STARTED, new PreconditionsHeld()).preconditionsHeld()).isTrue();
    assertThat(fold(STARTED, start("a")).preconditionsHeld()).isTrue();

    RunFold unmet =
        fold(
            STARTED,
            new PreconditionsUnmet(List.of("disk_free: 1 GiB free, need 2 GiB")),
            new Finished("preconditions_unmet", "preconditions unmet", Optional.empty()));
    assertThat(unmet.preconditionsHeld()).isFalse();
    assertThat(unmet.status()).isEqualTo(RunStatus.PRECONDITIONS_UNMET);
    assertThat(unmet.failure())
        .contains(new Failure("", "preconditions unmet: disk_free: 1 GiB free, need 2 GiB"));
  }

  // ---- failure()

  @Test
  void afterARollbackTheFailureIsTheOriginalOneNotTheCompensations() {
    RunFold fold =
        fold(
            STARTED,
            start("a"),
            ok("a"),
            start("migrate"),
            new StepFailed("migrate", "exit 3", true),
            new RollbackStarted(),
            new CompensationStarted("a", "a.compensate"),
            new CompensationFinished("a", "a.compensate", false, false, "exit 9", false),
            new RollbackIncomplete("a", "exit 9"),
            new Finished("rollback_incomplete", "compensation of a failed", Optional.of("a")),
            new Resumed(Map.of(), Map.of(), BY),
            new RollbackStarted(),
            new CompensationStarted("a", "a.compensate"),
            compensated("a"),
            new RolledBack(),
            new Finished("rolled_back", "step `migrate` failed: exit 3", Optional.of("migrate")));

    assertThat(fold.status()).isEqualTo(RunStatus.ROLLED_BACK);
    assertThat(fold.failure()).contains(new Failure("migrate", "exit 3"));
  }

  @Test
  void aFailedStepTheOperatorRetriedIsNotTheFailureARollbackAnswers() {
    RunFold fold =
        fold(
            STARTED,
            start("a"),
            new StepFailed("a", "exit 1", true),
            new OperatorRetry("a"),
            new StepStarted("a", 2, true),
            ok("a"),
            start("b"),
            new StepFailed("b", "exit 2", true),
            new RollbackStarted());

    assertThat(fold.failure()).contains(new Failure("b", "exit 2"));
  }

  @Test
  void anErrorNamesTheLastStepAndItsCause() {
    RunFold fold =
        fold(STARTED, start("a"), ok("a"), start("b"), new Errored(Optional.of("b"), "disk full"));

    assertThat(fold.status()).isEqualTo(RunStatus.ERRORED);
    assertThat(fold.failure()).contains(new Failure("b", "disk full"));
  }
}
