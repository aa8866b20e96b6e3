package dev.runbook.engine.internal.process;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Hands lines to a {@link LineListener} on a thread of its own, so that a slow listener (a terminal
 * stalled by flow control, say) never stops the reading of a process's output; lines it cannot keep
 * up with are dropped. Thread-safe.
 */
final class LineDispatcher {
  private static final int QUEUE_LINES = 256;

  private record Item(LineListener.Source source, String line) {}

  private static final Item END = new Item(LineListener.Source.STDOUT, "");

  private final LineListener listener;
  private final Consumer<String> problems;
  private final BlockingQueue<Item> queue = new ArrayBlockingQueue<>(QUEUE_LINES);
  private final Thread thread;

  LineDispatcher(LineListener listener, String name, Consumer<String> problems) {
    this.listener = listener;
    this.problems = problems;
    this.thread = new Thread(this::deliver, name);
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues a line; never blocks. */
  void offer(LineListener.Source source, String line) {
    queue.offer(new Item(source, line));
  }

  /**
   * Delivers what is queued and stops, waiting at most {@code millis} for a slow listener.
   *
   * @throws InterruptedException if interrupted while waiting
   */
  void finish(long millis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (!queue.offer(END, 10, TimeUnit.MILLISECONDS)) {
      if (System.nanoTime() > deadline || !thread.isAlive()) {
        break;
      }
    }
    thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
    if (thread.isAlive()) {
      // The listener is stuck: give up on the lines it has not taken yet.
      thread.interrupt();
    }
  }

  private void deliver() {
    try {
      while (true) {
        Item item = queue.take();
        if (item == END) {
          return;
        }
        listener.onLine(item.source(), item.line());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      // A broken listener must not break the run; the log still has everything.
      problems.accept("the live output view failed (" + e + "); the log has every line");
      queue.clear();
    }
  }
}
