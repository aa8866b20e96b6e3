package dev.runbook.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.dsl.model.OnFailure;
import dev.runbook.engine.journal.RunFold.StepState;
import dev.runbook.engine.journal.RunStatus;
import dev.runbook.engine.testkit.EngineTestKit;
import dev.runbook.engine.testkit.EngineTestKit.KitResult;
import dev.runbook.engine.testkit.RecordingListener.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What a failure leads to: the policies, the saga's order, finally, continue_on_error. */
class FailurePolicyTest {
  @TempDir Path dir;
  private EngineTestKit kit;

  @BeforeEach
  void kit() {
    kit = EngineTestKit.in(dir);
  }

  private List<String> lines(String name) throws IOException {
    Path file = dir.resolve(name);
    return Files.exists(file) ? Files.readAllLines(file) : List.of();
  }

  private static final String FINALLY =
      """
      schema: runbook/v1
      name: finally
      params:
        outcome: { type: string, enum: [succeed, fail, pause], default: succeed }
      on_failure: stop
      steps:
        - id: work
          run: |
            echo work >> events.txt
            [ "${{ params.outcome }}" != fail ]
          compensate: { run: echo undo >> events.txt }
        - id: gate
          when: params.outcome == 'pause'
          confirm: go on?
      finally:
        - id: cleanup
          run: echo finally >> events.txt
      """;

  @ParameterizedTest(name = "{0} {1}: {2}")
  @CsvSource({
    "succeed, STOP,     SUCCEEDED,   'work,finally'",
    "fail,    ROLLBACK, ROLLED_BACK, 'work,undo,finally'",
    "fail,    STOP,     STOPPED,     'work,finally'",
    "pause,   STOP,     PAUSED,      'work'",
  })
  void finallyRunsOnceAtTheRunsEndButNotAtAPause(
      String outcome, OnFailure policy, RunResult.Status status, String events) throws IOException {
    KitResult r = kit.runbook(FINALLY).param("outcome", outcome).onFailure(policy).run();

    assertThat(r.status()).isEqualTo(status);
    assertThat(lines("events.txt")).containsExactly(events.split(","));
    assertThat(r.events().violations()).isEmpty();
  }

  @Test
  void aFailingFinallyStepTurnsASuccessIntoFinallyFailedAndEveryFinallyStepRuns() {
    KitResult r =
        kit.runbook(
                """
                schema: runbook/v1
                name: finally-fails
                steps:
                  - id: work
                    run: "true"
                finally:
                  - id: notify
                    run: exit 1
                  - id: cleanup
                    run: touch cleaned.txt
                """)
            .run();

    assertThat(r.status()).isEqualTo(RunResult.Status.FINALLY_FAILED);
    assertThat(r.exitCode()).isEqualTo(4);
    assertThat(r.summary().status()).isEqualTo(RunStatus.FINALLY_FAILED);
    assertThat(dir.resolve("cleaned.txt")).as("every finally step runs").exists();
  }

  /**
   * a (compensated), b (skipped by when), c (irreversible), d (a two-step compensation), e (fails,
   * compensated: it may have half-applied), f (never started).
   */
  private static final String SAGA =
      """
      schema: runbook/v1
      name: saga
      params:
        break_undo: { type: bool, default: false }
      on_failure: stop
      steps:
        - id: a
          run: echo a >> done.txt
          compensate: { run: echo a >> undo.txt }
        - id: b
          when: "false"
          run: echo b >> done.txt
          compensate: { run: echo b >> undo.txt }
        - id: c
          run: echo c >> done.txt
          irreversible: the e-mail to the customers cannot be unsent
        - id: d
          run: echo d >> done.txt
          compensate:
            - id: d_first
              run: echo d_first >> undo.txt
            - id: d_second
              run: |
                echo d_second >> undo.txt
                [ "${{ params.break_undo }}" = false ]
        - id: e
          run: |
            echo e >> done.txt
            exit 7
          compensate: { run: echo e >> undo.txt }
        - id: f
          run: echo f >> done.txt
          compensate: { run: echo f >> undo.txt }
      """;

  @Test
  void onFailureStopEndsTheRunStoppedAndCompensatesNothing() throws IOException {
    KitResult r = kit.runbook(SAGA).run();

    assertThat(r.status()).isEqualTo(RunResult.Status.STOPPED);
    assertThat(r.exitCode()).isEqualTo(4);
    assertThat(r.result().failedStep()).isEqualTo("e");
    assertThat(r.result().reason()).isEqualTo("step `e` failed: exit 7");
    assertThat(lines("done.txt")).containsExactly("a", "c", "d", "e");
    assertThat(lines("undo.txt")).isEmpty();
    assertThat(r.events().steps(Kind.COMPENSATION_STARTED)).isEmpty();
    assertThat(r.journal().rollingBack()).as("no rollback started").isFalse();
    assertThat(r.summary().status()).isEqualTo(RunStatus.STOPPED);
  }

  @Test
  void onFailureAskWithNobodyToAskStops() throws IOException {
    KitResult r = kit.runbook(SAGA.replace("on_failure: stop", "on_failure: ask")).run();

    assertThat(r.status()).isEqualTo(RunResult.Status.STOPPED);
    assertThat(lines("undo.txt")).isEmpty();
  }

  @Test
  void rollbackFromThePolicyGivenCompensatesStartedStepsNewestFirstAndReportsIrreversible()
      throws IOException {
    KitResult r = kit.runbook(SAGA).onFailure(OnFailure.ROLLBACK).run();

    assertThat(r.status()).isEqualTo(RunResult.Status.ROLLED_BACK);
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.result().reason()).isEqualTo("step `e` failed: exit 7");
    assertThat(lines("undo.txt")).containsExactly("e", "d_first", "d_second", "a");
    assertThat(r.events().the(Kind.IRREVERSIBLE, "c").detail())
        .isEqualTo("the e-mail to the customers cannot be unsent");
    assertThat(r.result().irreversible())
        .containsExactly("c: the e-mail to the customers cannot be unsent");
    assertThat(r.events().compensated()).containsExactly("e", "d", "d", "a");
    assertThat(r.summary().status()).isEqualTo(RunStatus.ROLLED_BACK);
    assertThat(r.stepStates())
        .containsEntry("a", "compensated")
        .containsEntry("b", "skipped")
        .containsEntry("e", "compensated")
        .doesNotContainKey("f");
    assertThat(r.events().violations()).isEmpty();
  }

  @Test
  void aFailingCompensationStopsTheRollbackIncomplete() throws IOException {
    KitResult r = kit.runbook(SAGA).param("break_undo", "true").onFailure(OnFailure.ROLLBACK).run();

    assertThat(r.status()).isEqualTo(RunResult.Status.ROLLBACK_INCOMPLETE);
    assertThat(r.exitCode()).isEqualTo(4);
    assertThat(lines("undo.txt")).containsExactly("e", "d_first", "d_second");
    assertThat(r.events().all())
        .filteredOn(e -> e.kind() == Kind.COMPENSATION_FINISHED && !e.ok())
        .extracting(e -> e.step() + ": " + e.detail())
        .containsExactly("d: exit 1");
    assertThat(r.summary().status()).isEqualTo(RunStatus.ROLLBACK_INCOMPLETE);
    assertThat(r.journal().rollingBack()).as("not rolled back: a resume goes on with it").isTrue();
    assertThat(r.stepStates()).containsEntry("d", StepState.COMPENSATION_FAILED.text());
  }

  @Test
  void aCallThatFailsHalfWayIsCompensatedAfterItsStartedSteps() throws IOException {
    kit.write(
        "lib/child.yaml",
        """
        schema: runbook/v1
        name: child
        steps:
          - id: one
            run: echo child_one >> ../done.txt
            compensate: { run: echo child_one >> ../undo.txt }
          - id: two
            run: |
              echo child_two >> ../done.txt
              exit 3
            compensate: { run: echo child_two >> ../undo.txt }
          - id: three
            run: echo child_three >> ../done.txt
            compensate: { run: echo child_three >> ../undo.txt }
        """);
    KitResult r =
        kit.file(
                kit.write(
                    "parent.yaml",
                    """
                    schema: runbook/v1
                    name: parent
                    on_failure: rollback
                    steps:
                      - id: before
                        run: echo before >> done.txt
                        compensate: { run: echo before >> undo.txt }
                      - id: sub
                        call: { runbook: lib/child.yaml }
                        compensate: { run: echo sub >> undo.txt }
                      - id: after
                        run: echo after >> done.txt
                        compensate: { run: echo after >> undo.txt }
                    """))
            .run();

    assertThat(r.status()).isEqualTo(RunResult.Status.ROLLED_BACK);
    assertThat(lines("done.txt")).containsExactly("before", "child_one", "child_two");
    assertThat(lines("undo.txt")).containsExactly("sub", "child_two", "child_one", "before");
    assertThat(r.events().violations()).isEmpty();
  }

  @Test
  void readingAnOutputOfASkippedStepFailsTheStepAndTheRunRollsBack() {
    KitResult r =
        kit.runbook(
                """
                schema: runbook/v1
                name: skipped-output
                on_failure: rollback
                steps:
                  - id: prepare
                    run: touch prepared
                    compensate: { run: rm prepared }
                  - id: probe
                    when: "false"
                    run: echo value=42
                    outputs:
                      value: { regex: "value=([0-9]+)" }
                  - id: use
                    run: echo "got ${{ steps.probe.outputs.value }}"
                """)
            .run();

    assertThat(r.status()).isEqualTo(RunResult.Status.ROLLED_BACK);
    assertThat(r.events().the(Kind.STEP_FAILED, "use").detail())
        .startsWith("`steps.probe.outputs` has no `value`");
    assertThat(r.events().compensated()).containsExactly("prepare");
    assertThat(dir.resolve("prepared")).doesNotExist();
    assertThat(r.journal().failure())
        .hasValueSatisfying(f -> assertThat(f.step()).isEqualTo("use"));
  }

  @Test
  void continueOnErrorGoesOnSucceedsAndListsTheFailureWithoutCompensatingIt() {
    KitResult r =
        kit.runbook(
                """
                schema: runbook/v1
                name: continue
                on_failure: rollback
                steps:
                  - id: cache_warmup
                    run: exit 3
                    continue_on_error: true
                    compensate: { run: touch undone.txt }
                  - id: after
                    run: touch after.txt
                """)
            .run();

    assertThat(r.status()).isEqualTo(RunResult.Status.SUCCEEDED);
    assertThat(dir.resolve("after.txt")).exists();
    assertThat(dir.resolve("undone.txt")).doesNotExist();
    assertThat(r.events().the(Kind.STEP_FAILED, "cache_warmup").detail()).isEqualTo("exit 3");
    assertThat(r.events().continuedPast()).containsExactly("cache_warmup");
    assertThat(r.result().continuedFailures()).containsExactly("cache_warmup: exit 3");
    assertThat(r.stepStates())
        .containsEntry("cache_warmup", "failed")
        .containsEntry("after", "succeeded");
  }
}
