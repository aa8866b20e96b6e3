package dev.runbook.engine.internal.process;

import static dev.runbook.engine.internal.process.Children.assertNoneRunning;
import static dev.runbook.engine.internal.process.Children.awaitContent;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Children in a session of their own do not outlive an engine that shuts down. */
@Timeout(60)
class ShutdownTest {
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
    Process engine = ProbeJvm.start(ShutdownProbe.class, List.of(), output, dir.toString(), tree);
    awaitContent(output, "ready");
    List<String> pids = Files.readAllLines(dir.resolve("pids"));

    engine.destroy(); // SIGTERM, as from `kill` or a service manager
    assertThat(engine.waitFor(20, TimeUnit.SECONDS)).isTrue();

    assertNoneRunning(pids);
    assertThat(Files.readString(dir.resolve("step.log"))).contains("trapped TERM");
  }
}
