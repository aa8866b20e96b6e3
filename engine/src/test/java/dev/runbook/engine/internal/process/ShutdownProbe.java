package dev.runbook.engine.internal.process;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Starts a process tree that writes its pids to {@code DIR/pids}, says {@code ready}, and waits to
 * be ended with the JVM by {@link ShutdownTest}.
 */
public final class ShutdownProbe {
  private ShutdownProbe() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    RunningProcess running =
        new ProcessRunner()
            .start(
                ProcessSpec.builder(List.of("/bin/sh", "-c", args[1]), dir, dir.resolve("step.log"))
                    .environment(Map.of("PATH", "/usr/bin:/bin"))
                    .gracePeriod(Duration.ofMillis(300))
                    .build());
    Path pids = dir.resolve("pids");
    while (!Files.exists(pids) || Files.readAllLines(pids).size() < Integer.parseInt(args[2])) {
      Thread.sleep(10);
    }
    System.out.println("ready");
    System.out.flush();
    running.await();
  }
}
