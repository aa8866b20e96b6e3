package dev.runbook.engine.internal.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.dsl.model.Action;
import dev.runbook.dsl.model.OutputSpec;
import dev.runbook.dsl.model.SourceLocation;
import dev.runbook.dsl.model.Step;
import dev.runbook.dsl.model.Template;
import dev.runbook.engine.Interaction;
import dev.runbook.engine.internal.docker.DockerActions;
import dev.runbook.engine.internal.docker.DockerConnection;
import dev.runbook.engine.internal.process.ProcessRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A built-in step that finished just before the engine died, its result never journaled: resume
 * asks {@link ActionRunner#finishedOnDisk} whether the step's attempt finished and for its outputs,
 * and running such a backup step again returns its own backup rather than failing on it.
 */
class ActionRunnerFinishedOnDiskTest {
  private static final SourceLocation AT = new SourceLocation("t.yaml", 1, 1);
  private static final String RUN = "20261123-0712-app-3f9a";

  @TempDir Path dir;

  private ActionRunner runner;
  private RunState state;

  @BeforeEach
  void files() throws Exception {
    runner =
        new ActionRunner(
            new ProcessRunner(),
            null,
            new DockerActions(
                new DockerConnection(Map.of("DOCKER_HOST", "unix://" + dir.resolve("none")))));
    state = new RunState(Map.of(), Map.of(), RUN, dir.resolve("run"));
    Files.createDirectories(dir.resolve("run"));
    Files.writeString(dir.resolve("data.txt"), "orders: 42\n");
    Files.createDirectories(dir.resolve("conf"));
    Files.writeString(dir.resolve("conf/app.yml"), "port: 8080\n");
  }

  private static Template t(String text) {
    return new Template(text, List.of(new Template.Literal(text)), AT);
  }

  private static Step step(String id, Action action, Map<String, OutputSpec> outputs) {
    return new Step(
        id,
        Optional.empty(),
        Optional.empty(),
        List.of(),
        action,
        Optional.empty(),
        Map.of(),
        Optional.empty(),
        Optional.empty(),
        List.of(),
        outputs,
        List.of(),
        Optional.empty(),
        false,
        true,
        false,
        AT);
  }

  private static Step backup() {
    return step(
        "save", new Action.Backup(List.of(t("data.txt"), t("conf")), t("backups/b"), AT), Map.of());
  }

  private Attempt attempt(String journalId, Step step) {
    return runner.attempt(
        journalId,
        step,
        state,
        Map.of(),
        dir,
        new ActionRunner.StepFiles(dir.resolve("run/s.log"), dir.resolve("run/s.out")),
        Optional.empty(),
        Interaction.unattended(false),
        r -> {},
        line -> {},
        pid -> {});
  }

  private Optional<Map<String, Object>> finished(String journalId, Step step, RunState in) {
    return runner.finishedOnDisk(journalId, step, in, Map.of(), dir);
  }

  @Test
  void aBackupThisStepOfThisRunMadeIsFinishedWithTheOutputsItProduced() {
    Attempt made = attempt("save", backup());

    assertThat(made.outcome()).isEqualTo(Attempt.Outcome.SUCCEEDED);
    assertThat(finished("save", backup(), state)).contains(made.builtInOutputs());
    assertThat(made.builtInOutputs()).containsEntry("dir", dir.resolve("backups/b").toString());
  }

  @Test
  void aBackupOfAnotherRunOrAnotherStepIsNotThisStepsResult() {
    attempt("save", backup());

    RunState otherRun = new RunState(Map.of(), Map.of(), "20261124-0800-app-aaaa", dir);
    assertThat(finished("save", backup(), otherRun)).isEmpty();
    assertThat(finished("deploy/save", backup(), state)).as("the same id in a call").isEmpty();
  }

  @Test
  void aBackupStepRunAgainAfterTheCrashSucceedsWithItsOwnBackup() throws Exception {
    Attempt made = attempt("save", backup());
    Files.writeString(dir.resolve("data.txt"), "orders: 43\n");

    Attempt again = attempt("save", backup());

    assertThat(again.outcome()).as(again.reason()).isEqualTo(Attempt.Outcome.SUCCEEDED);
    assertThat(again.builtInOutputs()).isEqualTo(made.builtInOutputs());
    assertThat(Files.readString(dir.resolve("backups/b/data.txt"))).isEqualTo("orders: 42\n");
    try (var entries = Files.list(dir.resolve("backups"))) {
      assertThat(entries.map(p -> p.getFileName().toString())).containsExactly("b");
    }
  }

  @Test
  void aBackupStepOfAnotherRunToTheSameDirectoryStillFails() {
    attempt("save", backup());
    state = new RunState(Map.of(), Map.of(), "20261124-0800-app-aaaa", dir);

    Attempt again = attempt("save", backup());

    assertThat(again.outcome()).isEqualTo(Attempt.Outcome.FAILED);
    assertThat(again.reason()).contains("already holds a backup");
  }

  @Test
  void aCopyAndARestoreWhoseEffectIsOnDiskAreFinished() throws Exception {
    Step copy = step("keep", new Action.Copy(t("conf"), t("conf.prev"), AT), Map.of());
    Attempt copied = attempt("keep", copy);
    attempt("save", backup());
    Files.writeString(dir.resolve("data.txt"), "orders: 0\n");
    Step restore = step("undo", new Action.Restore(t("backups/b"), t("."), AT), Map.of());
    assertThat(finished("undo", restore, state)).as("not restored yet").isEmpty();
    Attempt restored = attempt("undo", restore);

    assertThat(finished("keep", copy, state)).contains(copied.builtInOutputs());
    assertThat(finished("undo", restore, state)).contains(restored.builtInOutputs());
  }

  @Test
  void noAnswerForAStepWithDeclaredOutputsOrAnActionThatCannotTell() {
    attempt("save", backup());
    Step declared =
        step(
            "save",
            backup().action(),
            Map.of(
                "lines",
                new OutputSpec(
                    "lines", Optional.of(t("data.txt")), Optional.empty(), Optional.empty(), AT)));
    Step run = step("probe", new Action.Run(t("true"), Optional.empty(), AT), Map.of());

    assertThat(finished("save", declared, state)).isEmpty();
    assertThat(finished("probe", run, state)).isEmpty();
  }
}
