package dev.runbook.runbooks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Timing a kill -9 of the engine by what its journals say, for the resume tests. */
public final class KillMoments {
  private KillMoments() {}

  /**
   * Waits {@code delayMillis} after {@code event} of {@code step}, cut short when that step (for
   * {@code step_started}) or compensation (otherwise) finishes, or when the engine ends: the
   * moments' steps are never the run's last, so the engine is then still running and the kill lands
   * as it goes on, never after the run's end.
   *
   * @param runs the state dir's {@code runs} directory, whose journals are read
   */
  public static void awaitDelayOrEnd(
      Path runs, Process engine, String event, String step, long delayMillis)
      throws IOException, InterruptedException {
    String end =
        event.equals("step_started")
            ? "\"type\":\"step_(succeeded|failed|skipped)\""
            : "\"type\":\"compensation_finished\"";
    String ofStep = "\"step\":\"" + step + "\"";
    Pattern finished =
        Pattern.compile(".*" + end + ".*" + ofStep + ".*|.*" + ofStep + ".*" + end + ".*");
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMillis);
    while (System.nanoTime() < deadline && engine.isAlive()) {
      for (Path journal : journals(runs)) {
        if (Files.exists(journal)
            && Files.readAllLines(journal).stream().anyMatch(l -> finished.matcher(l).matches())) {
          return;
        }
      }
      Thread.sleep(Math.min(5, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
    }
  }

  /**
   * SIGKILLs the engine and every process below it, and waits until they are gone.
   *
   * @return whether the engine was still running when the kill came
   */
  public static boolean killWithItsTree(Process engine) throws Exception {
    boolean alive = engine.isAlive();
    List<ProcessHandle> tree = engine.toHandle().descendants().toList();
    engine.destroyForcibly();
    tree.forEach(ProcessHandle::destroyForcibly);
    engine.waitFor(10, TimeUnit.SECONDS);
    for (ProcessHandle p : tree) {
      p.onExit().get(10, TimeUnit.SECONDS);
    }
    return alive;
  }

  private static List<Path> journals(Path runs) throws IOException {
    if (!Files.isDirectory(runs)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(runs)) {
      return s.sorted().map(dir -> dir.resolve("journal.jsonl")).toList();
    }
  }
}
