package dev.runbook.engine.internal.process;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that serve child processes and streamed output: output pumps, supervisors and line
 * dispatchers, shared by the whole engine.
 *
 * <p>Pooled rather than started per process: a step that runs {@code true} needs three or four of
 * them, and starting (and ending) a thread cost more of such a step's CPU than anything else the
 * engine does for it but the exec (docs/performance.md). Steps run one after another, so the pool
 * stays as small as the most threads one step needs at once. Daemon threads, so that a stuck one
 * never keeps the JVM alive; an idle one ends after a minute.
 */
final class ServiceThreads {
  private static final AtomicInteger COUNT = new AtomicInteger();
  private static final ExecutorService POOL =
      new ThreadPoolExecutor(
          0,
          Integer.MAX_VALUE,
          60,
          TimeUnit.SECONDS,
          new SynchronousQueue<>(),
          r -> {
            Thread t = new Thread(r, "runbook-io-" + COUNT.incrementAndGet());
            t.setDaemon(true);
            return t;
          });

  private ServiceThreads() {}

  /**
   * Runs {@code task} on a thread of the pool, at once (never queued behind another task).
   *
   * @return the task's future: {@code cancel(true)} interrupts the task only while it runs
   */
  static Future<?> start(Runnable task) {
    return POOL.submit(task);
  }
}
