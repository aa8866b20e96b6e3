package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A runbook edited after its run started, through the packaged jar: {@code resume} and {@code
 * rollback RUN_ID} list exactly what changed and refuse unless the changes are accepted.
 */
class ChangedRunbookIT {
  private static final String RUNBOOK =
      """
      schema: runbook/v1
      name: edited
      on_failure: stop
      params:
        greeting: { type: string, default: hello }
      steps:
        - id: a
          title: Say hello
          run: "echo a >> ledger"
          compensate: { run: "echo undo-a >> ledger" }
        - id: b
          title: Needs a fix
          run: "test -f fixed && echo b >> ledger"
          compensate: { run: "echo undo-b >> ledger" }
        - id: c
          title: Say goodbye
          run: "echo c >> ledger"
          compensate: { run: "echo undo-c >> ledger" }
      """;

  @TempDir java.nio.file.Path dir;
  private Workspace ws;

  @BeforeEach
  void workspace() throws IOException {
    ws = new Workspace(dir);
    ws.write("edited.yaml", RUNBOOK);
  }

  private CliProcess.Result cli(String command, String... args) throws Exception {
    List<String> argv = new java.util.ArrayList<>(List.of(command));
    argv.addAll(List.of(args));
    argv.addAll(List.of("--state-dir", ws.stateDir.toString()));
    return CliProcess.run(dir, Map.of(), argv.toArray(String[]::new));
  }

  private List<String> ledger() throws IOException {
    return ws.exists("ledger") ? Files.readAllLines(ws.path("ledger")) : List.of();
  }

  private String stoppedRun() throws Exception {
    CliProcess.Result run = ws.run("edited.yaml");
    assertThat(run.exitCode()).as(Workspace.describe(run)).isEqualTo(4);
    return Workspace.runDir(run).getFileName().toString();
  }

  private void edit(String from, String to) throws IOException {
    String text = ws.read("edited.yaml");
    assertThat(text).contains(from);
    ws.write("edited.yaml", text.replace(from, to));
  }

  /** The lines that report a change of the runbook, with {@code severity} (not the refusal). */
  private List<String> reported(CliProcess.Result result, String severity) {
    return result
        .stderr()
        .lines()
        .filter(l -> l.startsWith(ws.path("edited.yaml") + ": " + severity + ": "))
        .toList();
  }

  @Test
  void resumeAfterOneTitleChangedNamesThatStepAloneAndRefusesUnlessAccepted() throws Exception {
    String runId = stoppedRun();
    edit("title: Say goodbye", "title: Say goodbye, politely");
    ws.write("fixed", "");

    CliProcess.Result refused = cli("resume", runId);

    assertThat(refused.exitCode()).as(Workspace.describe(refused)).isEqualTo(2);
    assertThat(reported(refused, "error"))
        .containsExactly(ws.path("edited.yaml") + ": error: changed step `c`: title");
    assertThat(refused.stderr())
        .contains("the runbook changed since run " + runId + " started; nothing was run")
        .contains("`runbook resume " + runId + " --accept-changes`")
        .doesNotContain("param");
    assertThat(ledger()).containsExactly("a");

    CliProcess.Result accepted = cli("resume", runId, "--accept-changes");

    assertThat(accepted.exitCode()).as(Workspace.describe(accepted)).isZero();
    assertThat(reported(accepted, "warning"))
        .containsExactly(ws.path("edited.yaml") + ": warning: changed step `c`: title");
    assertThat(ledger()).containsExactly("a", "b", "c");
  }

  @Test
  void resumeAfterAStepWasInsertedAboveNamesOnlyTheNewStep() throws Exception {
    String runId = stoppedRun();
    edit("steps:\n", "steps:\n  - id: first\n    run: \"echo first >> ledger\"\n");

    CliProcess.Result refused = cli("resume", runId);

    assertThat(refused.exitCode()).as(Workspace.describe(refused)).isEqualTo(2);
    assertThat(reported(refused, "error"))
        .containsExactly(ws.path("edited.yaml") + ": error: added step `first` (first)");
  }

  @Test
  void resumeAfterOnlyCommentsChangedGoesOnWithAWarning() throws Exception {
    String runId = stoppedRun();
    edit("steps:\n", "# b needs the file `fixed`\nsteps:\n\n");
    ws.write("fixed", "");

    CliProcess.Result resumed = cli("resume", runId);

    assertThat(resumed.exitCode()).as(Workspace.describe(resumed)).isZero();
    assertThat(reported(resumed, "warning"))
        .containsExactly(
            ws.path("edited.yaml")
                + ": warning: the runbook file changed, but not what it does (comments or layout)");
    assertThat(reported(resumed, "error")).isEmpty();
    assertThat(ledger()).containsExactly("a", "b", "c");
  }

  @Test
  void rollbackOfARunWhoseRunbookChangedIsRefusedUnlessAccepted() throws Exception {
    ws.write("fixed", "");
    CliProcess.Result run = ws.run("edited.yaml");
    assertThat(run.exitCode()).as(Workspace.describe(run)).isZero();
    String runId = Workspace.runDir(run).getFileName().toString();
    edit("echo undo-b >> ledger", "echo undo-b, differently >> ledger");

    CliProcess.Result refused = cli("rollback", runId);

    assertThat(refused.exitCode()).as(Workspace.describe(refused)).isEqualTo(2);
    assertThat(reported(refused, "error"))
        .containsExactly(ws.path("edited.yaml") + ": error: changed step `b`: compensate");
    assertThat(refused.stderr())
        .contains("the runbook changed since run " + runId + " started; nothing was run")
        .contains("`runbook rollback " + runId + " --accept-changes`");
    assertThat(ledger()).containsExactly("a", "b", "c");

    CliProcess.Result accepted = cli("rollback", runId, "--accept-changes");

    assertThat(accepted.exitCode()).as(Workspace.describe(accepted)).isZero();
    assertThat(reported(accepted, "warning"))
        .containsExactly(ws.path("edited.yaml") + ": warning: changed step `b`: compensate");
    assertThat(ledger()).containsExactly("a", "b", "c", "undo-c", "undo-b, differently", "undo-a");
  }
}
