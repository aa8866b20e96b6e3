package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI as an operator sees it in a real terminal (tmux): progress, prompts, Ctrl-C. */
class TerminalIT {
  @TempDir Path dir;

  private String runbook(String name, String yaml) throws IOException {
    Files.writeString(dir.resolve(name + ".yaml"), yaml);
    return "TERM=xterm-256color NO_COLOR=1 "
        + Path.of(System.getProperty("java.home"), "bin", "java")
        + " -jar "
        + CliProcess.JAR
        + " run "
        + name
        + ".yaml --state-dir "
        + dir.resolve("state");
  }

  @Test
  void progressShowsEachStepAndAConfirmAnsweredYesGoesOn() throws Exception {
    String command =
        runbook(
            "confirm",
            """
            schema: runbook/v1
            name: confirm
            steps:
              - id: prepare
                run: echo preparing
              - id: check_dashboard
                confirm: Is the dashboard green?
              - id: finish
                run: echo done
            """);
    try (Tmux tmux = Tmux.start(dir, command)) {
      String prompt = tmux.awaitText("Continue? [y/N]");
      assertThat(prompt).contains("✓ prepare").contains("Is the dashboard green?");
      tmux.keys("y", "Enter");
      String end = tmux.awaitText("EXIT=");
      assertThat(end).contains("✓ finish").contains("Run succeeded.").contains("EXIT=0");
      assertThat(end).doesNotContain("\u001b[");
    }
  }

  @Test
  void failurePromptCanChooseRollback() throws Exception {
    String command =
        runbook(
            "fails",
            """
            schema: runbook/v1
            name: fails
            on_failure: ask
            steps:
              - id: change
                run: echo changed > marker
                compensate:
                  run: rm marker
              - id: broken
                run: echo "disk full" >&2; exit 3
            """);
    try (Tmux tmux = Tmux.start(dir, command)) {
      String prompt = tmux.awaitText("[r]etry, [s]kip, roll[b]ack or s[t]op?");
      assertThat(prompt).contains("✗ broken").contains("exit 3: disk full");
      tmux.keys("b", "Enter");
      String end = tmux.awaitText("EXIT=");
      assertThat(end).contains("↶ change").contains("rolled back").contains("EXIT=1");
    }
    assertThat(dir.resolve("marker")).doesNotExist();
  }

  @Test
  void secretIsAskedWithoutEcho() throws Exception {
    String command =
        runbook(
            "secret",
            """
            schema: runbook/v1
            name: secret
            params:
              db_password: { secret: true, description: the database password }
            steps:
              - id: use
                run: test "$PW" = "s3cret-value"
                env: { PW: "${{ params.db_password }}" }
            """);
    try (Tmux tmux = Tmux.start(dir, command)) {
      tmux.awaitText("db_password (secret");
      tmux.keys("s3cret-value", "Enter");
      String end = tmux.awaitText("EXIT=");
      assertThat(end).contains("✓ use").contains("EXIT=0").doesNotContain("s3cret-value");
    }
  }

  @Test
  void firstCtrlCStopsTheStepAndASecondInterruptsTheRun() throws Exception {
    String command =
        runbook(
            "slow",
            """
            schema: runbook/v1
            name: slow
            on_failure: ask
            steps:
              - id: wait_a_while
                run: sleep 60
            """);
    try (Tmux tmux = Tmux.start(dir, command)) {
      tmux.awaitText("wait_a_while");
      Thread.sleep(500);
      tmux.keys("C-c");
      String prompt = tmux.awaitText("[r]etry, [s]kip, roll[b]ack or s[t]op?");
      assertThat(prompt).contains("stopped by the operator (Ctrl-C)");
      tmux.keys("C-c");
      String end = tmux.awaitText("EXIT=");
      assertThat(end).contains("interrupted").contains("EXIT=130");
    }
  }
}
