package dev.runbook.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runbook.dsl.model.OnFailure;
import dev.runbook.engine.journal.RunStatus;
import dev.runbook.engine.testkit.EngineTestKit;
import dev.runbook.engine.testkit.EngineTestKit.KitResult;
import dev.runbook.engine.testkit.RecordingListener.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A rollback never stops for a reason the operator cannot get past, and tells what it did. */
class RollbackGuaranteesTest {
  @TempDir Path dir;
  private EngineTestKit kit;

  @BeforeEach
  void kit() {
    kit = EngineTestKit.in(dir);
  }

  private String marks(String name) throws IOException {
    Path file = dir.resolve(name);
    return Files.exists(file) ? Files.readString(file) : "";
  }

  @Test
  void aStepWhoseActionNeverStartedIsNotCompensated() throws IOException {
    KitResult r =
        kit.runbook(
                """
                schema: runbook/v1
                name: never-started
                on_failure: rollback
                steps:
                  - id: a
                    run: echo a >> marks
                    compensate: { run: echo undo-a >> marks }
                  - id: b
                    run: echo b >> marks
                    cwd: ./no-such-directory
                    compensate: { run: echo undo-b >> marks }
                """)
            .run();

    assertThat(r.status()).isEqualTo(RunResult.Status.ROLLED_BACK);
    assertThat(marks("marks")).isEqualTo("a\nundo-a\n");
    assertThat(r.events().steps(Kind.COMPENSATION_STARTED)).containsExactly("a");
    assertThat(r.events().violations()).isEmpty();
  }

  @Test
  void theFailedStepsOwnCompensationThatReadsOutputsItNeverProducedIsSkippedWithANote()
      throws IOException {
    KitResult r =
        kit.runbook(
                """
                schema: runbook/v1
                name: unresolvable
                on_failure: rollback
                steps:
                  - id: a
                    run: echo a >> marks
                    compensate: { run: echo undo-a >> marks }
                  - id: b
                    run: "echo b >> marks; exit 3"
                    outputs:
                      version: { regex: "v([0-9]+)" }
                    compensate:
                      run: echo "undo ${{ steps.b.outputs.version }}" >> marks
                """)
            .run();

    assertThat(r.status()).isEqualTo(RunResult.Status.ROLLED_BACK);
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(marks("marks")).isEqualTo("a\nb\nundo-a\n");
    assertThat(r.events().the(Kind.COMPENSATION_FINISHED, "b").detail())
        .startsWith("skipped: its step did not finish");
    assertThat(r.events().compensated()).containsExactly("a");
  }

  @Test
  void aFailingCompensationStopsTheRollbackAndTheOperatorCanSkipItOnResume() throws IOException {
    String yaml =
        """
        schema: runbook/v1
        name: stuck
        on_failure: rollback
        steps:
          - id: a
            run: echo a >> marks
            compensate: { run: echo undo-a >> marks }
          - id: b
            run: echo b >> marks
            compensate: { run: exit 9 }
          - id: c
            run: exit 1
        finally:
          - id: report
            run: echo report >> marks
        """;
    KitResult first = kit.runbook(yaml).run();
    assertThat(first.status()).isEqualTo(RunResult.Status.ROLLBACK_INCOMPLETE);
    assertThat(first.exitCode()).isEqualTo(4);
    assertThat(first.summary().resumable()).isTrue();

    KitResult again = kit.resume(first.runId()).run();
    assertThat(again.status()).isEqualTo(RunResult.Status.ROLLBACK_INCOMPLETE);

    KitResult skipped = kit.resume(first.runId()).skipCompensation("b").run();
    assertThat(skipped.status()).isEqualTo(RunResult.Status.ROLLED_BACK);
    assertThat(skipped.result().reason()).isEqualTo("step `c` failed: exit 1");
    assertThat(skipped.journal().skippedCompensations()).containsExactly("b");
    assertThat(skipped.stepStates()).containsEntry("b", "compensation skipped");
    // finally ran once, when the rollback first stopped; it is done before on the resumes
    assertThat(marks("marks")).isEqualTo("a\nb\nreport\nundo-a\n");
  }

  @Test
  void anInterruptionDuringACompensationLeavesTheRunInterruptedAndResumeFinishesTheRollback()
      throws IOException {
    String yaml =
        """
        schema: runbook/v1
        name: interrupted-rollback
        on_failure: rollback
        steps:
          - id: a
            run: echo a >> marks
            compensate: { run: echo undo-a >> marks }
          - id: b
            run: echo b >> marks
            compensate: { run: "sleep 5; echo undo-b >> marks" }
          - id: c
            run: exit 1
        finally:
          - id: report
            run: echo report >> marks
        """;
    KitResult first =
        kit.runbook(yaml)
            .interruptAt(e -> e.kind() == Kind.COMPENSATION_STARTED && e.step().equals("b"))
            .run();

    assertThat(first.status()).isEqualTo(RunResult.Status.INTERRUPTED);
    assertThat(first.exitCode()).isEqualTo(130);
    assertThat(first.summary().status()).isEqualTo(RunStatus.INTERRUPTED);
    assertThat(marks("marks")).isEqualTo("a\nb\n"); // no finally yet, nothing undone
    assertThat(first.events().violations()).isEmpty();

    KitResult resumed = kit.resume(first.runId()).run();
    assertThat(resumed.status()).isEqualTo(RunResult.Status.ROLLED_BACK);
    assertThat(resumed.exitCode()).isEqualTo(1);
    assertThat(resumed.result().failedStep()).isEqualTo("c");
    assertThat(resumed.result().reason()).isEqualTo("step `c` failed: exit 1");
    assertThat(marks("marks")).isEqualTo("a\nb\nundo-b\nundo-a\nreport\n");
    assertThat(resumed.journal().failure())
        .hasValueSatisfying(f -> assertThat(f.step()).isEqualTo("c"));
  }

  @Test
  void anIrreversibleStepWithACompensationIsCompensatedAndStillReported() {
    KitResult r =
        kit.runbook(
                """
                schema: runbook/v1
                name: both
                on_failure: rollback
                steps:
                  - id: migrate
                    run: "true"
                    irreversible: the schema change stays
                    compensate: { run: "true" }
                  - id: boom
                    run: exit 1
                """)
            .run();

    assertThat(r.events().compensated()).containsExactly("migrate");
    assertThat(r.events().the(Kind.IRREVERSIBLE, "migrate").detail())
        .isEqualTo("the schema change stays");
    assertThat(r.result().irreversible()).containsExactly("migrate: the schema change stays");
  }

  @Test
  void rollbackOfARunThatALaterSuccessfulRunFollowedIsRefusedUnlessForced() {
    String yaml =
        """
        schema: runbook/v1
        name: twice
        steps:
          - id: a
            run: "true"
            compensate: { run: "true" }
        """;
    Path file = kit.write("twice.yaml", yaml);
    KitResult older = kit.file(file).run();
    KitResult newer = kit.file(file).run();
    assertThat(newer.status()).isEqualTo(RunResult.Status.SUCCEEDED);

    assertThatThrownBy(() -> kit.resume(older.runId()).rollback())
        .isInstanceOf(RunbookException.class)
        .hasMessageContaining(newer.runId())
        .satisfies(
            e -> assertThat(((RunbookException) e).code()).isEqualTo(ErrorCode.INVALID_INPUT));

    assertThat(kit.resume(older.runId()).force().rollback().status())
        .isEqualTo(RunResult.Status.UNDONE);
  }

  @Test
  void aRollbackIsGivenTheParametersTheRunStartedWith() {
    String yaml =
        """
        schema: runbook/v1
        name: pinned
        params:
          dir: { type: string }
        steps:
          - id: a
            run: echo "${{ params.dir }}" >> marks
            compensate:
              run: echo "undo ${{ params.dir }}" >> marks
        """;
    KitResult run = kit.runbook(yaml).param("dir", "A").run();

    assertThatThrownBy(() -> kit.resume(run.runId()).param("dir", "B").rollback())
        .isInstanceOf(RunbookException.class)
        .hasMessageContaining("must go on with the values it started with")
        .satisfies(
            e ->
                assertThat(((RunbookException) e).details())
                    .containsExactly(
                        "runbook: error: parameter `dir` is `B`, but the run started with `A`"));
    assertThat(kit.resume(run.runId()).rollback().status()).isEqualTo(RunResult.Status.UNDONE);
  }

  @Test
  void stopPolicyLeavesTheRunStoppedWithItsFailureNamed() {
    KitResult r =
        kit.runbook(
                """
                schema: runbook/v1
                name: stop
                steps:
                  - id: a
                    run: exit 4
                """)
            .onFailure(OnFailure.STOP)
            .run();
    assertThat(r.summary().status()).isEqualTo(RunStatus.STOPPED);
    assertThat(r.journal().failure())
        .hasValueSatisfying(
            f -> {
              assertThat(f.step()).isEqualTo("a");
              assertThat(f.reason()).isEqualTo("exit 4");
            });
  }

  @Test
  void aRunThatStoppedAfterItsRollbackButBeforeItsEndIsNeverRunForwardAgain() throws IOException {
    Path file =
        kit.write(
            "late.yaml",
            """
            schema: runbook/v1
            name: late
            on_failure: rollback
            steps:
              - id: a
                run: echo a >> marks
                compensate: { run: echo undo-a >> marks }
              - id: b
                run: exit 1
            finally:
              - id: report
                run: echo report >> marks
            """);
    // the engine dies between `rolled_back` and `finished`: while its finally steps run
    assertThatThrownBy(
            () ->
                kit.file(file)
                    .throwAt(
                        e -> e.kind() == Kind.STEP_STARTED && e.step().equals("report"),
                        new IllegalStateException("the engine died"))
                    .run())
        .isInstanceOf(RunbookException.class);
    String runId = kit.history().list().get(0).runId();
    assertThat(kit.journal(runId).rollingBack()).isTrue();

    KitResult resumed = kit.resume(runId).rerunInflight().run();

    assertThat(resumed.status()).isEqualTo(RunResult.Status.ROLLED_BACK);
    assertThat(resumed.result().reason()).isEqualTo("step `b` failed: exit 1");
    assertThat(resumed.events().steps(Kind.STEP_STARTED)).containsExactly("report");
    assertThat(marks("marks")).isEqualTo("a\nundo-a\nreport\n");
  }
}
