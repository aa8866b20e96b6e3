package dev.runbook.engine.internal.process;

import java.util.function.Consumer;

/**
 * Hands lines to a {@link LineListener} on a thread of its own, so that a slow listener (a terminal
 * stalled by flow control, say) never stops the reading of a process's output; lines it cannot keep
 * up with are dropped. Thread-safe.
 *
 * <p>The queue is a fixed ring of lines and their sources rather than a queue of objects: a step
 * may print millions of lines, and an object per line is garbage that makes the heap grow.
 */
final class LineDispatcher {
  private static final int QUEUE_LINES = 256;

  private final LineListener listener;
  private final Consumer<String> problems;
  private final String[] lines = new String[QUEUE_LINES];
  private final LineListener.Source[] sources = new LineListener.Source[QUEUE_LINES];
  private final Thread thread;

  // Guarded by this.
  private int head;
  private int count;
  private boolean ending;
  private boolean broken;

  LineDispatcher(LineListener listener, String name, Consumer<String> problems) {
    this.listener = listener;
    this.problems = problems;
    this.thread = new Thread(this::deliver, name);
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues a line; never blocks. */
  synchronized void offer(LineListener.Source source, String line) {
    if (ending || broken || count == QUEUE_LINES) {
      return;
    }
    int tail = (head + count) % QUEUE_LINES;
    lines[tail] = line;
    sources[tail] = source;
    count++;
    if (count == 1) {
      notifyAll();
    }
  }

  /**
   * Delivers what is queued and stops, waiting at most {@code millis} for a slow listener.
   *
   * @throws InterruptedException if interrupted while waiting
   */
  void finish(long millis) throws InterruptedException {
    synchronized (this) {
      ending = true;
      notifyAll();
    }
    thread.join(Math.max(1, millis));
    if (thread.isAlive()) {
      // The listener is stuck: give up on the lines it has not taken yet.
      thread.interrupt();
    }
  }

  private void deliver() {
    try {
      while (true) {
        String line;
        LineListener.Source source;
        synchronized (this) {
          while (count == 0 && !ending) {
            wait();
          }
          if (count == 0) {
            return;
          }
          line = lines[head];
          source = sources[head];
          lines[head] = null;
          head = (head + 1) % QUEUE_LINES;
          count--;
        }
        listener.onLine(source, line);
        if (Thread.interrupted()) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      // A broken listener must not break the run; the log still has everything.
      problems.accept("the live output view failed (" + e + "); the log has every line");
      synchronized (this) {
        broken = true;
        count = 0;
      }
    }
  }
}
