package dev.runbook.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runbook.dsl.LoadResult;
import dev.runbook.dsl.Parameters;
import dev.runbook.dsl.RunbookLoader;
import dev.runbook.engine.journal.Journal;
import dev.runbook.engine.journal.JournalEvent;
import dev.runbook.engine.journal.LockDir;
import dev.runbook.engine.journal.RunFold;
import dev.runbook.engine.journal.RunSummary;
import dev.runbook.engine.journal.StateDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whether a run's runbook changed since the run started, from the digests the run recorded and the
 * copy of the runbook it kept, as {@code resume} and {@code rollback} ask before acting.
 */
class ChangedRunbookTest {
  private static final String MAIN =
      """
      schema: runbook/v1
      name: main
      steps:
        - id: prepare
          title: Prepare
          run: echo prepare
        - id: sub
          call: { runbook: lib/child.yaml }
      """;
  private static final String CHILD =
      """
      schema: runbook/v1
      name: child
      steps:
        - id: inner
          run: echo inner
      """;

  @TempDir Path dir;
  private Path file;
  private Path child;
  private Path runDir;
  private RunSummary run;

  /** A run of the runbook as it is now: its digests recorded, its copy kept in the run's dir. */
  @BeforeEach
  void startedRun() throws IOException {
    file = Files.writeString(dir.resolve("main.yaml"), MAIN);
    Files.createDirectories(dir.resolve("lib"));
    child = Files.writeString(dir.resolve("lib/child.yaml"), CHILD);
    runDir = Files.createDirectories(dir.resolve("state/runs/r1"));
    Files.copy(file, runDir.resolve(Engine.SNAPSHOT));
    try (Journal journal = Journal.create(runDir, Clock.systemUTC())) {
      journal.append(
          new JournalEvent.RunStarted(
              "r1",
              "main",
              "main",
              file.toString(),
              plan().digest().runbooks(),
              "",
              Map.of(),
              new JournalEvent.Invocation("op", "host", 1, "test"),
              Optional.empty()));
    }
    run =
        new RunSummary(
            "r1",
            runDir,
            RunFold.of(Journal.read(runDir.resolve(Journal.FILE_NAME)).records()),
            false);
  }

  private Plan plan() {
    LoadResult load = new RunbookLoader().load(file);
    var runbook = load.runbook().orElseThrow();
    EngineContext context =
        new EngineContext(
            new StateDir(dir.resolve("state")),
            new LockDir(dir.resolve("locks")),
            Map.of(),
            Clock.systemUTC());
    return new Planner(context)
        .plan(
            runbook,
            load.called(),
            Parameters.resolve(runbook, Map.of(), Optional.empty(), Map.of()),
            true);
  }

  @Test
  void anUnchangedRunbookReportsNothingAndIsNotRefused() {
    ChangedRunbook changed = ChangedRunbook.since(run, plan());

    assertThat(changed.changes()).isEmpty();
    assertThat(changed.report(false)).isEmpty();
    changed.refuseUnless(false, "resume");
  }

  @Test
  void aChangedTitleIsOneLineAndRefusedUnlessAccepted() throws IOException {
    Files.writeString(file, MAIN.replace("title: Prepare", "title: Get ready"));

    ChangedRunbook changed = ChangedRunbook.since(run, plan());

    assertThat(changed.report(false))
        .containsExactly(file + ": error: changed step `prepare`: title");
    assertThat(changed.report(true))
        .containsExactly(file + ": warning: changed step `prepare`: title");
    assertThatThrownBy(() -> changed.refuseUnless(false, "rollback"))
        .isInstanceOf(RunbookException.class)
        .hasMessage("the runbook changed since run r1 started; nothing was run")
        .satisfies(
            e ->
                assertThat(((RunbookException) e).hint())
                    .hasValue("review the changes, then `runbook rollback r1 --accept-changes`"));
    changed.refuseUnless(true, "rollback");
  }

  @Test
  void commentsAndLayoutOnlyAreAWarningNotARefusal() throws IOException {
    Files.writeString(file, "# reviewed on Tuesday\n" + MAIN.replace("steps:\n", "\nsteps:\n\n"));

    ChangedRunbook changed = ChangedRunbook.since(run, plan());

    assertThat(changed.changes()).isEmpty();
    assertThat(changed.report(false))
        .containsExactly(
            file
                + ": warning: the runbook file changed, but not what it does (comments or layout)");
    changed.refuseUnless(false, "resume");
  }

  @Test
  void aChangedCalledRunbookIsNamedAndTheCallerIsNotChanged() throws IOException {
    Files.writeString(child, CHILD.replace("echo inner", "echo inner, changed"));

    ChangedRunbook changed = ChangedRunbook.since(run, plan());

    assertThat(changed.changes()).containsExactly("changed called runbook `lib/child.yaml`");
  }

  @Test
  void withoutTheRunsCopyTheFileIsReportedAsChanged() throws IOException {
    Files.delete(runDir.resolve(Engine.SNAPSHOT));
    Files.writeString(file, MAIN.replace("title: Prepare", "title: Get ready"));

    assertThat(ChangedRunbook.since(run, plan()).changes())
        .containsExactly("the runbook file changed");
  }
}
