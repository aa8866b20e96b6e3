package dev.runbook.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.dsl.model.OnFailure;
import dev.runbook.engine.testkit.EngineTestKit;
import dev.runbook.engine.testkit.EngineTestKit.KitResult;
import dev.runbook.engine.testkit.RecordingListener.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run's fault point: a step fails right after its action succeeded, as a rehearsal asks. */
class FaultPointTest {
  @TempDir Path dir;

  private static final String RUNBOOK =
      """
      schema: runbook/v1
      name: fault-point
      steps:
        - id: a
          run: echo a >> marks
          compensate: { run: echo undo-a >> marks }
        - id: b
          run: echo b >> marks
          retry: { attempts: 3, delay: 0s }
          compensate: { run: echo undo-b >> marks }
        - id: c
          run: echo c >> marks
      """;

  private String marks() throws IOException {
    return Files.readString(dir.resolve("marks"));
  }

  @Test
  void aFailureInjectedAfterAnActionRollsBackThatStepToo() throws IOException {
    KitResult r =
        EngineTestKit.in(dir)
            .runbook(RUNBOOK)
            .onFailure(OnFailure.ROLLBACK)
            .failAfterAction("b")
            .run();

    assertThat(r.status()).isEqualTo(RunResult.Status.ROLLED_BACK);
    // b's action ran once (an injected failure is not retried), then both compensations ran.
    assertThat(marks()).isEqualTo("a\nb\nundo-b\nundo-a\n");
    assertThat(r.events().steps(Kind.COMPENSATION_STARTED)).containsExactly("b", "a");
    assertThat(r.result().reason()).contains("injected failure after the action of b");
    assertThat(r.events().violations()).isEmpty();
  }

  @Test
  void withoutAFaultPointTheSameRunbookSucceeds() throws IOException {
    KitResult r = EngineTestKit.in(dir).runbook(RUNBOOK).onFailure(OnFailure.ROLLBACK).run();

    assertThat(r.status()).isEqualTo(RunResult.Status.SUCCEEDED);
    assertThat(marks()).isEqualTo("a\nb\nc\n");
  }
}
