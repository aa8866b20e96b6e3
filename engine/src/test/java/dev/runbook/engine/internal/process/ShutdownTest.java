package dev.runbook.engine.internal.process;

import static dev.runbook.engine.internal.process.Children.assertNoneRunning;
import static dev.runbook.engine.internal.process.Children.awaitContent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Signals meant for the engine reach the engine; children do not outlive it. */
@Timeout(60)
class ShutdownTest {
  /** Reports the signals it gets; TERM ends it. */
  private static final String SIGNAL_REPORTER =
      "trap 'echo got INT >> signals' INT\n"
          + "trap 'echo got TERM >> signals; exit 1' TERM\n"
          + "echo $$ >> pids\n"
          + "while :; do sleep 0.02; done\n";

  @TempDir Path dir;

  @Test
  void aTermSignalToTheEngineEndsTheTreesOfItsRunningSteps() throws Exception {
    String tree =
        "sleep 60 & echo $! >> pids\n"
            + "sh -c 'trap \"echo trapped TERM\" TERM; echo $$ >> pids;"
            + " while :; do sleep 0.02; done' &\n"
            + "echo $$ >> pids\n"
            + "wait\n";
    Path output = dir.resolve("output");
    Process engine =
        ProbeJvm.start(ShutdownProbe.class, List.of(), output, dir.toString(), tree, "3");
    awaitContent(output, "ready");
    List<String> pids = Files.readAllLines(dir.resolve("pids"));

    engine.destroy(); // SIGTERM, as from `kill` or a service manager
    assertThat(engine.waitFor(20, TimeUnit.SECONDS)).isTrue();

    assertNoneRunning(pids);
    assertThat(Files.readString(dir.resolve("step.log"))).contains("trapped TERM");
  }

  @Test
  void ctrlCOnTheEnginesTerminalReachesTheEngineNotTheStep() throws Exception {
    Path script = Path.of("/usr/bin/script");
    assumeThat(Files.isExecutable(script)).as("script(1) from util-linux").isTrue();
    // script(1) runs the engine on a pseudo-terminal of its own, as its foreground process group;
    // a 0x03 written to it is the operator's Ctrl-C.
    Path output = dir.resolve("output");
    List<String> engine = new ArrayList<>();
    engine.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    engine.add("-cp");
    engine.add(ProbeJvm.classPath());
    engine.add(ShutdownProbe.class.getName());
    engine.add(dir.toString());
    engine.add(SIGNAL_REPORTER);
    engine.add("1");
    Process terminal =
        new ProcessBuilder(
                script.toString(),
                "-q",
                "-e",
                "-c",
                engine.stream().map(ShutdownTest::quote).collect(Collectors.joining(" ")),
                "/dev/null")
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    awaitContent(output, "ready");

    try (OutputStream keyboard = terminal.getOutputStream()) {
      keyboard.write(3);
      keyboard.flush();
      assertThat(terminal.waitFor(20, TimeUnit.SECONDS)).isTrue();
    }

    assertThat(terminal.exitValue()).as("the engine died of SIGINT").isEqualTo(130);
    // The step never saw the SIGINT; it was ended by the engine's TERM on the way out.
    assertThat(Files.readAllLines(dir.resolve("signals"))).containsExactly("got TERM");
    assertNoneRunning(Files.readAllLines(dir.resolve("pids")));
  }

  private static String quote(String word) {
    return "'" + word.replace("'", "'\\''") + "'";
  }
}
