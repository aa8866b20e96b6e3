package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every file the CLI reads is read with a byte cap, whatever its size claims: {@code validate
 * /dev/urandom} and {@code --params-file /dev/zero} used to take 2-3 GiB of memory in seconds
 * ({@code Files.size} is 0 for a device). A device or a FIFO where a file is expected is refused at
 * once, naming the path and what it is.
 */
class BoundedInputIT {
  @TempDir Path dir;

  private static final String RUNBOOK =
      """
      schema: runbook/v1
      name: bounded
      params:
        who: { type: string, default: me }
      steps:
        - id: hello
          run: echo "hello ${{ params.who }}"
      """;

  private CliProcess.Result timed(String... args) throws Exception {
    long start = System.nanoTime();
    CliProcess.Result result = CliProcess.run(dir, args);
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .as(Workspace.describe(result))
        .isLessThan(Duration.ofSeconds(20));
    assertThat(result.stderr()).doesNotContain("internal error").doesNotContain("Exception");
    return result;
  }

  @Test
  void validateOfAnEndlessDeviceIsRefusedNamingIt() throws Exception {
    CliProcess.Result result = timed("validate", "/dev/urandom");
    assertThat(result.exitCode()).as(Workspace.describe(result)).isEqualTo(2);
    assertThat(result.stdout() + result.stderr())
        .contains("/dev/urandom: error: is a character device, not a regular file");
  }

  @Test
  void aParamsFileThatIsAnEndlessDeviceIsRefusedNamingIt() throws Exception {
    Files.writeString(dir.resolve("r.yaml"), RUNBOOK);
    CliProcess.Result result =
        timed("plan", "r.yaml", "--offline", "--params-file", "/dev/zero", "--state-dir", "state");
    assertThat(result.exitCode()).as(Workspace.describe(result)).isEqualTo(2);
    assertThat(result.stderr())
        .contains("/dev/zero: error: the params file is a character device, not a regular file");
  }

  @Test
  void aFifoWhereARunbookOrAParamsFileIsExpectedIsRefusedWithoutWaitingForAWriter()
      throws Exception {
    Files.writeString(dir.resolve("r.yaml"), RUNBOOK);
    Path fifo = dir.resolve("pipe");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assertThat(mkfifo.waitFor(5, TimeUnit.SECONDS)).isTrue();

    CliProcess.Result validate = timed("validate", "pipe");
    assertThat(validate.exitCode()).as(Workspace.describe(validate)).isEqualTo(2);
    assertThat(validate.stdout() + validate.stderr())
        .contains("pipe: error: is a FIFO (named pipe), not a regular file");

    CliProcess.Result params =
        timed("run", "r.yaml", "--params-file", "pipe", "--state-dir", "state");
    assertThat(params.exitCode()).as(Workspace.describe(params)).isEqualTo(2);
    assertThat(params.stderr()).contains("pipe: error: the params file is a FIFO");
    assertThat(dir.resolve("state/runs")).doesNotExist();
  }

  @Test
  void aSavedPlanThatIsAnEndlessDeviceIsRefusedNamingIt() throws Exception {
    CliProcess.Result result = timed("run", "--plan", "/dev/zero", "--state-dir", "state");
    assertThat(result.exitCode()).as(Workspace.describe(result)).isEqualTo(2);
    assertThat(result.stderr())
        .contains(
            "runbook: error: cannot read the plan /dev/zero: is a character device, not a"
                + " regular file");
  }

  @Test
  void aParamsFileOverItsCapIsRefusedWithTheLimit() throws Exception {
    Files.writeString(dir.resolve("r.yaml"), RUNBOOK);
    Files.write(dir.resolve("big.yaml"), new byte[2 << 20]);
    CliProcess.Result result =
        timed("plan", "r.yaml", "--offline", "--params-file", "big.yaml", "--state-dir", "state");
    assertThat(result.exitCode()).as(Workspace.describe(result)).isEqualTo(2);
    assertThat(result.stderr())
        .contains("big.yaml: error: the params file is 2 MiB, larger than the limit of 1 MiB");
  }

  @Test
  void aSavedPlanThatIsNotJsonOrNamesAPathWithANulByteIsInvalidInput() throws Exception {
    Files.writeString(dir.resolve("garbage.plan"), "\u0000\u0001 not json");
    CliProcess.Result garbage = timed("run", "--plan", "garbage.plan", "--state-dir", "state");
    assertThat(garbage.exitCode()).as(Workspace.describe(garbage)).isEqualTo(2);
    assertThat(garbage.stderr()).contains("garbage.plan is not a saved plan");

    Files.writeString(
        dir.resolve("nul.plan"),
        "{\"format\":\"runbook-plan/1\",\"runbook\":\"a\\u0000b.yaml\",\"params\":{},"
            + "\"digest\":{\"runbooks\":{},\"params\":\"x\"}}");
    CliProcess.Result nul = timed("run", "--plan", "nul.plan", "--state-dir", "state");
    assertThat(nul.exitCode()).as(Workspace.describe(nul)).isEqualTo(2);
    assertThat(nul.stderr()).contains("nul.plan is not a saved plan");
  }
}
