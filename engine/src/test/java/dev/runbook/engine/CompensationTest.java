package dev.runbook.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runbook.engine.journal.RunStatus;
import dev.runbook.engine.testkit.EngineTestKit;
import dev.runbook.engine.testkit.EngineTestKit.KitResult;
import dev.runbook.engine.testkit.RecordingListener.Event;
import dev.runbook.engine.testkit.RecordingListener.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compensations: their own when and requires (a half-applied step's compensation may skip what was
 * never done or refuse to act), and {@code rollback RUN_ID} of a finished run.
 */
class CompensationTest {
  @TempDir Path dir;
  private EngineTestKit kit;

  @BeforeEach
  void kit() {
    kit = EngineTestKit.in(dir);
  }

  private List<String> ledger() throws IOException {
    Path file = dir.resolve("ledger");
    return Files.exists(file) ? Files.readAllLines(file) : List.of();
  }

  private static final String HALF_APPLIED =
      """
      schema: runbook/v1
      name: half-applied
      on_failure: rollback
      steps:
        - id: first
          run: touch first-done
          compensate:
            - id: guarded
              requires:
                - path: { at: guard, is: absent }
              run: rm first-done
        - id: backup
          run: exit 1
          compensate:
            - id: restore
              requires:
                - name: the backup was completed
                  path: manifest.json
                  on_unmet: skip
              run: touch restored
            - id: never
              when: "false"
              run: touch never-ran
            - id: always
              run: touch always-ran
      """;

  @Test
  void aCompensationSkipsWhatItsRequiresSayWasNeverDoneAndRunsTheRest() {
    KitResult r = kit.runbook(HALF_APPLIED).run();

    assertThat(r.status()).isEqualTo(RunResult.Status.ROLLED_BACK);
    assertThat(dir.resolve("restored")).doesNotExist();
    assertThat(dir.resolve("never-ran")).doesNotExist();
    assertThat(dir.resolve("always-ran")).exists();
    assertThat(dir.resolve("first-done")).doesNotExist();
    assertThat(r.events().all())
        .filteredOn(e -> e.kind() == Kind.COMPENSATION_FINISHED && e.step().equals("backup"))
        .extracting(Event::detail)
        .satisfiesExactly(
            d -> assertThat(d).startsWith("skipped: requirement not met: the backup was completed"),
            d -> assertThat(d).isEqualTo("skipped: when `false` is false"),
            d -> assertThat(d).isEmpty());
  }

  @Test
  void anUnmetCompensationRequirementStopsTheRollbackAndResumeFinishesIt() throws IOException {
    Files.writeString(dir.resolve("guard"), "");
    KitResult r = kit.runbook(HALF_APPLIED).run();

    assertThat(r.status()).isEqualTo(RunResult.Status.ROLLBACK_INCOMPLETE);
    assertThat(dir.resolve("first-done")).exists();
    assertThat(r.events().the(Kind.COMPENSATION_FINISHED, "first").detail())
        .startsWith("requirement not met");
    assertThat(r.events().the(Kind.COMPENSATION_FINISHED, "first").ok()).isFalse();

    Files.delete(dir.resolve("guard"));
    KitResult resumed = kit.resume(r.runId()).run();
    assertThat(resumed.status()).isEqualTo(RunResult.Status.ROLLED_BACK);
    assertThat(resumed.exitCode()).isEqualTo(1);
    assertThat(dir.resolve("first-done")).doesNotExist();
  }

  private static String undoable(String id, String undo) {
    return "  - id: "
        + id
        + "\n    run: \"echo "
        + id
        + " >> ledger\"\n    compensate: { run: \""
        + undo
        + "\" }\n";
  }

  @Test
  void rollbackOfASucceededRunCompensatesNewestFirstAndOnlyOnce() throws IOException {
    KitResult run =
        kit.runbook(
                "schema: runbook/v1\nname: undo\nsteps:\n"
                    + undoable("a", "echo undo-a >> ledger")
                    + undoable("b", "echo undo-b >> ledger")
                    + undoable("c", "echo undo-c >> ledger"))
            .run();
    assertThat(run.status()).isEqualTo(RunResult.Status.SUCCEEDED);

    KitResult undone = kit.resume(run.runId()).rollback();

    assertThat(undone.status()).isEqualTo(RunResult.Status.UNDONE);
    assertThat(undone.exitCode()).isZero();
    assertThat(ledger()).containsExactly("a", "b", "c", "undo-c", "undo-b", "undo-a");
    assertThat(undone.summary().status()).isEqualTo(RunStatus.UNDONE);
    assertThatThrownBy(() -> kit.resume(run.runId()).rollback())
        .isInstanceOf(RunbookException.class)
        .hasMessageContaining("already rolled back")
        .satisfies(
            e -> assertThat(((RunbookException) e).code()).isEqualTo(ErrorCode.INVALID_INPUT));
    assertThat(ledger()).hasSize(6);
  }

  @Test
  void aFailingCompensationStopsARollbackAskedForAndResumeFinishesIt() throws IOException {
    KitResult run =
        kit.runbook(
                "schema: runbook/v1\nname: halfundo\n"
                    + "finally:\n  - id: bye\n    run: \"echo bye >> ledger\"\nsteps:\n"
                    + undoable("a", "echo undo-a >> ledger")
                    + undoable("b", "test -f fixed && echo undo-b >> ledger")
                    + undoable("c", "echo undo-c >> ledger"))
            .run();
    assertThat(run.status()).isEqualTo(RunResult.Status.SUCCEEDED);

    KitResult incomplete = kit.resume(run.runId()).rollback();

    assertThat(incomplete.status()).isEqualTo(RunResult.Status.ROLLBACK_INCOMPLETE);
    assertThat(incomplete.exitCode()).isEqualTo(4);
    assertThat(ledger()).containsExactly("a", "b", "c", "bye", "undo-c");
    assertThat(incomplete.summary().status()).isEqualTo(RunStatus.ROLLBACK_INCOMPLETE);
    assertThat(incomplete.summary().resumable()).isTrue();
    assertThat(incomplete.journal().rollbackOnDemand()).isTrue();

    Files.writeString(dir.resolve("fixed"), "");
    KitResult resumed = kit.resume(run.runId()).run();

    assertThat(resumed.status()).isEqualTo(RunResult.Status.UNDONE);
    assertThat(ledger()).containsExactly("a", "b", "c", "bye", "undo-c", "undo-b", "undo-a");
    assertThat(resumed.summary().status()).isEqualTo(RunStatus.UNDONE);
  }
}
