package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `plan -o PLAN` then `run --plan PLAN`: what was reviewed is what runs, or nothing does. */
class SavedPlanIT {
  @TempDir Path dir;

  private static final String RUNBOOK =
      """
      schema: runbook/v1
      name: saved
      params:
        version: { default: "2.0" }
      steps:
        - id: deploy
          run: echo "${{ params.version }}" > deployed
      """;

  private CliProcess.Result cli(String... args) throws Exception {
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--state-dir";
    all[args.length + 1] = dir.resolve("state").toString();
    return CliProcess.run(dir, all);
  }

  @Test
  void savedPlanRunsAsReviewed() throws Exception {
    Files.writeString(dir.resolve("r.yaml"), RUNBOOK);
    assertThat(cli("plan", "r.yaml", "-p", "version=2.1", "-o", "r.plan").exitCode()).isZero();
    assertThat(dir.resolve("r.plan")).isRegularFile();

    CliProcess.Result run = cli("run", "--plan", "r.plan");
    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(dir.resolve("deployed")).hasContent("2.1");
  }

  @Test
  void changedRunbookOrParameterIsRefusedNamingWhatChanged() throws Exception {
    Files.writeString(dir.resolve("r.yaml"), RUNBOOK);
    assertThat(cli("plan", "r.yaml", "-o", "r.plan").exitCode()).isZero();

    CliProcess.Result param = cli("run", "--plan", "r.plan", "-p", "version=3.0");
    assertThat(param.exitCode()).isEqualTo(2);
    assertThat(param.stderr()).contains("parameter `version` was `2.0`, is now `3.0`");

    Files.writeString(dir.resolve("r.yaml"), RUNBOOK.replace("echo", "printf '%s\\n'"));
    CliProcess.Result changed = cli("run", "--plan", "r.plan");
    assertThat(changed.exitCode()).isEqualTo(2);
    assertThat(changed.stderr())
        .contains("changed since the plan was made")
        .contains("nothing was run");
    assertThat(dir.resolve("deployed")).doesNotExist();
  }
}
