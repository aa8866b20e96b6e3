package dev.runbook.engine.internal.process;

import static dev.runbook.engine.internal.process.Children.ENV;
import static dev.runbook.engine.internal.process.Children.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class ShellScriptTest {
  private static final ProcessRunner RUNNER = new ProcessRunner();

  @TempDir Path dir;

  @Test
  void aScriptRunsWithBinShThatStopsAtTheFirstFailure() throws Exception {
    assertThat(ShellScript.argv("echo hi")).containsExactly("/bin/sh", "-e", "-c", "echo hi");

    ProcessResult result = run(Optional.empty(), "echo before; false; echo after");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.tail()).containsExactly("before");
  }

  @Test
  void bashAlsoFailsOnAFailureInsideAPipelineAndSkipsStartupFiles() throws Exception {
    assertThat(ShellScript.argv(Optional.of("bash"), "x"))
        .containsExactly("bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", "x");

    ProcessResult result = run(Optional.of("bash"), "false | cat; echo after");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.tail()).isEmpty();
  }

  @Test
  void pythonRunsUnbufferedSoOutputStaysInOrder() throws Exception {
    assertThat(ShellScript.argv(Optional.of("python3"), "x"))
        .containsExactly("python3", "-u", "-c", "x");

    ProcessResult result =
        run(
            Optional.of("python3"),
            "import sys, time\n"
                + "print('out'); time.sleep(0.2)\n"
                + "sys.stderr.write('err\\n'); time.sleep(0.2)\n"
                + "print('out2')");

    assertThat(result.exitCode()).isZero();
    assertThat(read(dir.resolve("step.log"))).isEqualTo("out\nerr\nout2\n");
  }

  @Test
  void interpretersWhoseDashCOnlyChecksSyntaxGetDashE() throws Exception {
    assertThat(ShellScript.argv(Optional.of("perl"), "x")).containsExactly("perl", "-e", "x");
    assertThat(ShellScript.argv(Optional.of("/usr/bin/node"), "x"))
        .containsExactly("/usr/bin/node", "-e", "x");
    assertThat(ShellScript.argv(Optional.of("ruby"), "x")).containsExactly("ruby", "-e", "x");

    assertThat(run(Optional.of("perl"), "print \"from perl\\n\"").tail())
        .containsExactly("from perl");
  }

  @Test
  void aShellIsRecognisedByItsLastPathComponent() {
    assertThat(ShellScript.argv(Optional.of("/usr/local/bin/bash"), "x"))
        .startsWith("/usr/local/bin/bash", "--noprofile");
    assertThat(ShellScript.argv(Optional.of("/usr/bin/python3.11"), "x"))
        .containsExactly("/usr/bin/python3.11", "-u", "-c", "x");
    assertThat(ShellScript.argv(Optional.of("dash"), "x")).containsExactly("dash", "-e", "-c", "x");
  }

  @Test
  void anUnknownShellGetsDashC() {
    assertThat(ShellScript.argv(Optional.of("fish"), "x")).containsExactly("fish", "-c", "x");
  }

  @Test
  void onlyPosixShellsTakeValuesAsVariables() {
    assertThat(List.of("sh", "/bin/sh", "dash", "bash", "ksh", "mksh", "ash"))
        .allSatisfy(s -> assertThat(ShellScript.isPosix(s)).as(s).isTrue());
    assertThat(List.of("python3", "perl", "node", "zsh", "fish", "pwsh"))
        .allSatisfy(s -> assertThat(ShellScript.isPosix(s)).as(s).isFalse());
  }

  @Test
  void aShellWithFlagsIsRefused() {
    assertThatThrownBy(() -> ShellScript.argv(Optional.of("bash -x"), "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("names one program");
    assertThatThrownBy(() -> ShellScript.argv(Optional.of(" "), "x"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private ProcessResult run(Optional<String> shell, String script) throws Exception {
    return RUNNER
        .start(
            ProcessSpec.builder(ShellScript.argv(shell, script), dir, dir.resolve("step.log"))
                .environment(ENV)
                .build())
        .await();
  }
}
