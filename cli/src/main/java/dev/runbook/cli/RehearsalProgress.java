package dev.runbook.cli;

import dev.runbook.cli.terminal.TerminalRunListener;
import dev.runbook.engine.rehearsal.RehearsalListener;
import dev.runbook.engine.rehearsal.Trial;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A rehearsal's progress on standard error: on a terminal one live line (trial k of n, what it
 * does, elapsed) and a line per finished trial; elsewhere (CI, pipes) a plain line as each trial
 * starts and ends. The report itself goes to standard output.
 */
final class RehearsalProgress implements RehearsalListener, AutoCloseable {
  private final PrintWriter err;
  private final ScheduledExecutorService ticker;
  private volatile String current;
  private volatile long startedAt;

  private RehearsalProgress(PrintWriter err, boolean live) {
    this.err = err;
    this.ticker =
        live
            ? Executors.newSingleThreadScheduledExecutor(
                r -> {
                  Thread t = new Thread(r, "runbook-test-progress");
                  t.setDaemon(true);
                  return t;
                })
            : null;
    if (ticker != null) {
      ticker.scheduleAtFixedRate(this::tick, 200, 200, TimeUnit.MILLISECONDS);
    }
  }

  static RehearsalProgress open(PrintWriter err) {
    return new RehearsalProgress(err, TerminalRunListener.available(System.getenv()));
  }

  @Override
  public synchronized void trialStarted(int number, int total, String what) {
    current = "trial " + number + " of " + total + "  " + what;
    startedAt = System.nanoTime();
    if (ticker == null) {
      err.println(current);
      err.flush();
    } else {
      tick();
    }
  }

  @Override
  public synchronized void trialFinished(Trial trial) {
    String line =
        "trial "
            + trial.number()
            + " "
            + (trial.passed() ? "passed" : "FAILED")
            + "  "
            + trial.got()
            + "  "
            + Elapsed.human(trial.elapsed());
    current = null;
    if (ticker != null) {
      err.print("\r\033[2K");
      err.println(line);
    } else {
      err.println("  " + line);
    }
    err.flush();
  }

  private synchronized void tick() {
    String shown = current;
    if (shown == null) {
      return;
    }
    String elapsed = Elapsed.human(Duration.ofNanos(System.nanoTime() - startedAt));
    err.print("\r\033[2K" + shown + "  " + elapsed);
    err.flush();
  }

  @Override
  public void close() {
    if (ticker != null) {
      ticker.shutdownNow();
    }
  }
}
