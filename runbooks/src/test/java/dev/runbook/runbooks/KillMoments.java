package dev.runbook.runbooks;

import dev.runbook.engine.journal.JournalRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** Timing a kill -9 of the engine by what its journals say, for the resume tests. */
public final class KillMoments {
  private KillMoments() {}

  private static final Set<String> STEP_ENDS =
      Set.of("step_succeeded", "step_failed", "step_skipped");

  /**
   * Waits {@code delayMillis} after {@code event} of {@code step}, cut short when that step (for
   * {@code step_started}) or compensation (otherwise) finishes, or when the engine ends: the
   * moments' steps are never the run's last, so the engine is then still running and the kill lands
   * as it goes on, never after the run's end.
   *
   * @param stateDir the engine's state directory, whose journals are read
   */
  public static void awaitDelayOrEnd(
      Path stateDir, Process engine, String event, String step, long delayMillis)
      throws IOException, InterruptedException {
    Set<String> ends = event.equals("step_started") ? STEP_ENDS : Set.of("compensation_finished");
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMillis);
    while (System.nanoTime() < deadline && engine.isAlive()) {
      for (Path journal : Journals.files(stateDir)) {
        for (JournalRecord r : Journals.records(journal)) {
          if (ends.contains(r.type()) && step.equals(r.field("step"))) {
            return;
          }
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
}
