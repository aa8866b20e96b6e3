package dev.runbook.engine.internal.process;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Hands lines to a {@link LineListener} on a thread of its own, so that a slow listener (a terminal
 * stalled by flow control, say) never stops the reading of a process's output; lines it cannot keep
 * up with are dropped. The thread (one of {@link ServiceThreads}) is taken at the first line: most
 * steps of a long runbook print nothing. Thread-safe.
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

  // Guarded by this.
  private Future<?> delivery;
  private int head;
  private int count;
  private boolean ending;
  private boolean broken;

  LineDispatcher(LineListener listener, Consumer<String> problems) {
    this.listener = listener;
    this.problems = problems;
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
    if (delivery == null) {
      delivery = ServiceThreads.start(this::deliver);
    } else if (count == 1) {
      notifyAll();
    }
  }

  /**
   * Delivers what is queued and stops, waiting at most {@code millis} for a slow listener.
   *
   * @throws InterruptedException if interrupted while waiting
   */
  void finish(long millis) throws InterruptedException {
    Future<?> started;
    synchronized (this) {
      ending = true;
      notifyAll();
      started = delivery;
    }
    if (started == null) {
      return;
    }
    try {
      started.get(Math.max(1, millis), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      // The listener is stuck: give up on the lines it has not taken yet.
      started.cancel(true);
    } catch (ExecutionException e) {
      problems.accept("the live output view failed (" + e.getCause() + "); the log has every line");
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
