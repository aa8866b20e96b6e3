package dev.runbook.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

/** Whatever happens, a run ends done, rolled back or resumable, and its journal says which. */
class RunEndGuaranteesTest {
  @TempDir Path dir;
  private EngineTestKit kit;

  @BeforeEach
  void kit() {
    kit = EngineTestKit.in(dir);
  }

  private String marks() throws IOException {
    Path file = dir.resolve("marks");
    return Files.exists(file) ? Files.readString(file) : "";
  }

  private static final String TWO_STEPS =
      """
      schema: runbook/v1
      name: two
      on_failure: rollback
      steps:
        - id: a
          run: echo a >> marks
          compensate: { run: echo undo-a >> marks }
        - id: b
          run: echo b >> marks
          compensate: { run: echo undo-b >> marks }
      """;

  @Test
  void anUnexpectedErrorIsJournaledAsErroredAndTheRunStaysResumable() throws IOException {
    Path file = kit.write("two.yaml", TWO_STEPS);
    String secretish = "boom at b";
    assertThatThrownBy(
            () ->
                kit.file(file)
                    .throwAt(
                        e -> e.kind() == Kind.STEP_STARTED && e.step().equals("b"),
                        new IllegalStateException(secretish))
                    .run())
        .isInstanceOf(RunbookException.class)
        .satisfies(
            e -> {
              RunbookException re = (RunbookException) e;
              assertThat(re.code()).isEqualTo(ErrorCode.INTERNAL);
              assertThat(re.getMessage()).contains("it is resumable").doesNotContain(secretish);
            });

    String runId = kit.history().list().get(0).runId();
    assertThat(kit.history().get(runId).status()).isEqualTo(RunStatus.ERRORED);
    assertThat(kit.history().get(runId).resumable()).isTrue();
    assertThat(kit.journal(runId).endReason()).contains("IllegalStateException");

    KitResult resumed = kit.resume(runId).rerunInflight().run();
    assertThat(resumed.status()).isEqualTo(RunResult.Status.SUCCEEDED);
    assertThat(marks()).isEqualTo("a\nb\n");
  }

  @Test
  void preconditionsThatNeverAllHeldAreCheckedAgainOnResumeAndNothingChangesIfOneFails()
      throws IOException {
    Path gate = Files.writeString(dir.resolve("gate"), "open");
    Path file =
        kit.write(
            "gated.yaml",
            """
            schema: runbook/v1
            name: gated
            preconditions:
              - name: the gate is open
                path: gate
              - name: the second gate is open
                path: gate
            steps:
              - id: a
                run: echo a >> marks
            """);
    KitResult first = kit.file(file).interruptAt(e -> e.kind() == Kind.PRECONDITION_CHECKED).run();
    assertThat(first.status()).isEqualTo(RunResult.Status.INTERRUPTED);
    assertThat(first.journal().preconditionsHeld()).isFalse();
    assertThat(marks()).isEmpty();

    Files.delete(gate);
    KitResult resumed = kit.resume(first.runId()).run();

    assertThat(resumed.status()).isEqualTo(RunResult.Status.PRECONDITIONS_UNMET);
    assertThat(resumed.exitCode()).isEqualTo(3);
    assertThat(resumed.events().steps(Kind.PRECONDITION_CHECKED)).isNotEmpty();
    assertThat(marks()).isEmpty();
  }

  @Test
  void preconditionsThatHeldAreNotCheckedAgainMidUpgrade() throws IOException {
    Path gate = Files.writeString(dir.resolve("gate"), "open");
    Path file =
        kit.write(
            "gated.yaml",
            """
            schema: runbook/v1
            name: gated
            preconditions:
              - name: the gate is open
                path: gate
            steps:
              - id: a
                run: echo a >> marks
              - id: b
                confirm: go on?
              - id: c
                run: echo c >> marks
            """);
    KitResult first = kit.file(file).run();
    assertThat(first.status()).isEqualTo(RunResult.Status.PAUSED);
    Files.delete(gate); // step a took it away, as an upgrade may

    KitResult resumed = kit.resume(first.runId()).confirm("b").run();
    assertThat(resumed.status()).isEqualTo(RunResult.Status.SUCCEEDED);
    assertThat(marks()).isEqualTo("a\nc\n");
  }

  @Test
  void aStartedStepEndsExactlyOnceAlsoWhenItPausesOrIsInterrupted() {
    KitResult paused =
        kit.runbook(
                """
                schema: runbook/v1
                name: pause
                steps:
                  - id: ask
                    confirm: go on?
                """)
            .run();
    assertThat(paused.status()).isEqualTo(RunResult.Status.PAUSED);
    assertThat(paused.events().steps(Kind.STEP_STOPPED)).containsExactly("ask");
    assertThat(paused.events().count(Kind.STEP_STARTED)).isEqualTo(1);
    assertThat(paused.events().count(Kind.STEP_SUCCEEDED) + paused.events().count(Kind.STEP_FAILED))
        .isZero();
    assertThat(paused.events().violations()).isEmpty();

    KitResult interrupted =
        kit.runbook(
                """
                schema: runbook/v1
                name: sleepy
                steps:
                  - id: nap
                    run: sleep 30
                """)
            .interruptAt(e -> e.kind() == Kind.STEP_STARTED)
            .run();
    assertThat(interrupted.status()).isEqualTo(RunResult.Status.INTERRUPTED);
    assertThat(interrupted.events().steps(Kind.STEP_STOPPED)).containsExactly("nap");
    assertThat(interrupted.events().violations()).isEmpty();
    assertThat(interrupted.summary().status()).isEqualTo(RunStatus.INTERRUPTED);
  }

  @Test
  void aSucceededStepTellsItsOutputsMaskedToListenersAndTheJournal() {
    KitResult r =
        kit.runbook(
                """
                schema: runbook/v1
                name: outputs
                params:
                  token: { type: string, secret: true }
                steps:
                  - id: version
                    run: echo "v2.5 $TOKEN"
                    env: { TOKEN: "${{ params.token }}" }
                    outputs:
                      line: { regex: "(v[0-9.]+ .*)" }
                """)
            .param("token", "hunter2")
            .run();
    assertThat(r.events().outputs("version"))
        .containsEntry("line", "v2.5 ***")
        .containsEntry("exit_code", 0L);
    assertThat(r.journal().done("version").orElseThrow().outputs())
        .containsEntry("line", "v2.5 ***");
  }

  @Test
  void aReadOnlyStepInFlightIsRunAgainWithoutAsking() throws IOException {
    KitResult first =
        kit.runbook(
                """
                schema: runbook/v1
                name: waits
                steps:
                  - id: a
                    run: echo a >> marks
                  - id: settle
                    wait: { until: { path: gate }, timeout: 1m, interval: 100ms }
                """)
            .interruptAt(e -> e.kind() == Kind.STEP_STARTED && e.step().equals("settle"))
            .run();
    assertThat(first.status()).isEqualTo(RunResult.Status.INTERRUPTED);
    Files.writeString(dir.resolve("gate"), "");

    KitResult resumed = kit.resume(first.runId()).run();
    assertThat(resumed.status()).isEqualTo(RunResult.Status.SUCCEEDED);
    assertThat(marks()).isEqualTo("a\n");
  }
}
