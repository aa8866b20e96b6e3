package dev.runbook.engine.internal.process;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Sleeps that a stop request cuts short. A signal handler sets a flag rather than interrupting the
 * thread, because an interrupt would close the journal's FileChannel in the middle of a write.
 */
public final class Pause {
  private static final long SLICE_MILLIS = 50;

  private Pause() {}

  /** Sleeps {@code d} unless {@code stop} turns true first; false when stopped. */
  public static boolean sleep(Duration d, BooleanSupplier stop) {
    long end = System.nanoTime() + d.toNanos();
    while (!stop.getAsBoolean()) {
      long left = end - System.nanoTime();
      if (left <= 0) {
        return true;
      }
      try {
        Thread.sleep(Math.min(SLICE_MILLIS, Math.max(1, left / 1_000_000)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }
}
