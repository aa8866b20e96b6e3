package dev.runbook.engine.internal.probe;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ends a probe's blocking wait from another thread (a signal handler), without interrupting the
 * probing thread: a thread interrupt would also close the journal's FileChannel if it came while
 * that thread wrote to it.
 *
 * <p>A probe that blocks registers, for the time it blocks, how to abort what it waits on (cancel
 * the HTTP exchange, close the socket, end the process). {@link #raise} stops every probe now and
 * later (the run is interrupted); {@link #abortInFlight} only ends what blocks now (the operator
 * stopped one step).
 *
 * <p>Thread-safe. An abort may run more than once and from any thread, so it must be idempotent and
 * quick.
 */
public final class StopSignal {
  /** The detail of an ERRORED outcome of a probe that this signal cut short. */
  public static final String INTERRUPTED = "interrupted";

  /** Never raised: for callers that cannot be stopped. */
  public static final StopSignal NEVER = new StopSignal();

  private final Set<Runnable> inFlight = ConcurrentHashMap.newKeySet();
  private volatile boolean raised;

  /** A probe's abort, registered until it is closed (in a {@code finally}). */
  @FunctionalInterface
  public interface Registration {
    void close();
  }

  /** Stops what blocks now and every probe after it. */
  public void raise() {
    if (this == NEVER) {
      throw new IllegalStateException("the NEVER signal cannot be raised");
    }
    raised = true;
    abortInFlight();
  }

  /** Ends what blocks now; later probes run as usual. */
  public void abortInFlight() {
    for (Runnable abort : inFlight) {
      abort.run();
    }
  }

  /** Whether {@link #raise} was called: a probe that sees it sends nothing. */
  public boolean raised() {
    return raised;
  }

  /**
   * Runs {@code abort} if the signal is raised or an in-flight abort asked for before the returned
   * registration is closed; at once if it is raised already.
   */
  public Registration whileBlocked(Runnable abort) {
    inFlight.add(abort);
    // Raised between the caller's own check and the add: the loop in raise() may have missed it.
    if (raised) {
      abort.run();
    }
    return () -> inFlight.remove(abort);
  }
}
