package dev.runbook.cli.terminal;

import dev.runbook.cli.DoneBeforeSeries;
import dev.runbook.cli.Elapsed;
import dev.runbook.dsl.Durations;
import dev.runbook.engine.CheckOutcome;
import dev.runbook.engine.Interaction;
import dev.runbook.engine.RunListener;
import dev.runbook.engine.RunResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStyle;

/**
 * Live progress on a terminal: the running step with a spinner, its elapsed time and its last
 * output lines, redrawn in place; finished steps collapsed to one line each (✓ ✗ ↷ ↶); a summary
 * that says what to type next. Colours unless {@code NO_COLOR} is set.
 *
 * <p>Thread-safe: events come from the step thread, output lines from a reader thread, and a ticker
 * redraws the spinner.
 */
public final class TerminalRunListener implements RunListener, AutoCloseable {
  private static final String[] SPINNER = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};
  private static final int OUTPUT_LINES = 3;

  private final Terminal terminal;
  private final PrintWriter out;
  private final boolean color;
  private final ScheduledExecutorService ticker;
  private final Deque<String> lastLines = new ArrayDeque<>();
  private String current;

  private final DoneBeforeSeries doneBefore = new DoneBeforeSeries();
  private String currentTitle = "";
  private String note = "";
  private long currentStart;

  /** Lines the live region takes on screen now; 0 when it is not shown. */
  private int drawn;

  private int frame;
  private boolean suspended;

  private TerminalRunListener(Terminal terminal, boolean color) {
    this.terminal = terminal;
    this.out = terminal.writer();
    this.color = color;
    this.ticker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "runbook-progress");
              t.setDaemon(true);
              return t;
            });
    ticker.scheduleAtFixedRate(this::tick, 100, 100, TimeUnit.MILLISECONDS);
  }

  /** Whether this process talks to a terminal that can show live progress. */
  public static boolean available(Map<String, String> env) {
    String term = env.getOrDefault("TERM", "");
    return System.console() != null && !term.isEmpty() && !term.equals("dumb");
  }

  public static TerminalRunListener open(Map<String, String> env) throws IOException {
    Terminal terminal =
        TerminalBuilder.builder()
            .system(true)
            .nativeSignals(false)
            .signalHandler(Terminal.SignalHandler.SIG_DFL)
            .build();
    return new TerminalRunListener(terminal, !env.containsKey("NO_COLOR"));
  }

  private String style(String text, int colour, boolean bold) {
    if (!color) {
      return text;
    }
    AttributedStyle s = AttributedStyle.DEFAULT.foreground(colour);
    if (bold) {
      s = s.bold();
    }
    return new AttributedString(text, s).toAnsi(terminal);
  }

  private String green(String t) {
    return style(t, AttributedStyle.GREEN, false);
  }

  private String red(String t) {
    return style(t, AttributedStyle.RED, true);
  }

  private String yellow(String t) {
    return style(t, AttributedStyle.YELLOW, false);
  }

  private String dim(String t) {
    return color ? new AttributedString(t, AttributedStyle.DEFAULT.faint()).toAnsi(terminal) : t;
  }

  /** Prints a permanent line above the live region. */
  private synchronized void permanent(String line) {
    clearLive();
    printDoneBefore();
    out.println(line);
    drawLive();
  }

  /**
   * Prints the series of steps a resume skipped as done before, in one line (a resume late in a
   * long runbook passes thousands); called, with the live region cleared, before anything else
   * prints.
   */
  private void printDoneBefore() {
    doneBefore
        .take()
        .map(s -> s.count() == 1 ? s.first() : s.range() + " (" + s.count() + " steps)")
        .ifPresent(steps -> out.println(dim("↷ " + steps + "  skipped: " + DONE_BEFORE)));
  }

  @Override
  public synchronized void stepDoneBefore(String stepId) {
    doneBefore.add(stepId);
  }

  /** Erases the live region: the cursor ends at the start of its first line. */
  private void clearLive() {
    if (drawn == 0) {
      return;
    }
    for (int i = 1; i < drawn; i++) {
      out.print("\r\033[2K\033[1A");
    }
    out.print("\r\033[2K");
    drawn = 0;
  }

  private void drawLive() {
    if (current == null || suspended) {
      out.flush();
      return;
    }
    int width = Math.max(20, terminal.getWidth() <= 0 ? 80 : terminal.getWidth());
    List<String> lines = new ArrayList<>();
    String elapsed = Elapsed.human(Duration.ofMillis(System.currentTimeMillis() - currentStart));
    lines.add(
        SPINNER[frame % SPINNER.length]
            + " "
            + current
            + (currentTitle.isEmpty() ? "" : " -- " + currentTitle)
            + "  "
            + elapsed
            + (note.isEmpty() ? "" : "  " + note));
    for (String l : lastLines) {
      lines.add("    " + l);
    }
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.length() > width - 1) {
        line = line.substring(0, width - 2) + "…";
      }
      out.print(i == 0 ? line : dim(line));
      if (i < lines.size() - 1) {
        out.print("\n");
      }
    }
    drawn = lines.size();
    out.flush();
  }

  private synchronized void tick() {
    if (current != null && !suspended) {
      frame++;
      clearLive();
      drawLive();
    }
  }

  /** Prompts on this terminal, clearing the live view while they wait. */
  public Interaction interaction(boolean yes, Runnable interruptRun) {
    Interaction asker = new TerminalInteraction(terminal, yes, interruptRun);
    return new Interaction() {
      @Override
      public Confirmation confirm(String stepId, String message) {
        suspendLive();
        try {
          return asker.confirm(stepId, message);
        } finally {
          resumeLive();
        }
      }

      @Override
      public FailureChoice onFailure(String stepId, String reason) {
        suspendLive();
        try {
          return asker.onFailure(stepId, reason);
        } finally {
          resumeLive();
        }
      }

      @Override
      public InflightChoice inflight(String stepId) {
        suspendLive();
        try {
          return asker.inflight(stepId);
        } finally {
          resumeLive();
        }
      }
    };
  }

  /** Clears the live region so a prompt can use the terminal; {@link #resumeLive} redraws. */
  public synchronized void suspendLive() {
    clearLive();
    out.flush();
    suspended = true;
  }

  public synchronized void resumeLive() {
    suspended = false;
    drawLive();
  }

  @Override
  public void runStarted(String runId, Path runDir, String runbookName) {
    permanent(
        style("runbook", AttributedStyle.CYAN, true)
            + " run "
            + runId
            + " of `"
            + runbookName
            + "`");
    permanent(dim("  logs: " + runDir.resolve("steps")));
  }

  @Override
  public void preconditionChecked(String name, CheckOutcome outcome) {
    permanent(
        (outcome.holds() ? green("✓") : red("✗"))
            + " precondition: "
            + name
            + (outcome.holds() ? "" : " -- " + outcome.detail()));
  }

  @Override
  public synchronized void stepStarted(String stepId, String title, int attempt) {
    clearLive();
    printDoneBefore();
    current = stepId;
    currentTitle = title;
    note = attempt > 1 ? yellow("attempt " + attempt) : "";
    currentStart = System.currentTimeMillis();
    lastLines.clear();
    drawLive();
  }

  @Override
  public void stepSkipped(String stepId, String reason) {
    permanent(dim("↷ " + stepId + "  skipped: " + reason));
  }

  @Override
  public synchronized void stepRetrying(
      String stepId, int nextAttempt, Duration delay, String reason) {
    note =
        yellow("failed (" + reason + "), retry " + nextAttempt + " in " + Durations.format(delay));
    clearLive();
    drawLive();
  }

  @Override
  public synchronized void output(String stepId, String line) {
    lastLines.addLast(line);
    while (lastLines.size() > OUTPUT_LINES) {
      lastLines.removeFirst();
    }
  }

  private synchronized void endStep(String line) {
    clearLive();
    printDoneBefore();
    current = null;
    lastLines.clear();
    out.println(line);
    out.flush();
  }

  @Override
  public void stepSucceeded(String stepId, Duration elapsed, Map<String, Object> outputs) {
    endStep(green("✓") + " " + stepId + dim("  " + Elapsed.human(elapsed)));
  }

  @Override
  public void stepFailed(String stepId, String reason, Path log, boolean continuing) {
    endStep(red("✗") + " " + stepId + "  " + reason + (continuing ? yellow("  (continuing)") : ""));
    if (log != null && java.nio.file.Files.exists(log)) {
      permanent(dim("    log: " + log));
    }
  }

  @Override
  public void compensationStarted(String stepId, String compensationId) {
    stepStarted("undo " + stepId, "", 1);
  }

  @Override
  public void compensationFinished(
      String stepId, String compensationId, boolean succeeded, String detail) {
    endStep(
        (succeeded ? yellow("↶") : red("✗"))
            + " "
            + stepId
            + (succeeded ? "  compensated" : "  compensation failed: " + detail));
  }

  @Override
  public void irreversible(String stepId, String reason) {
    permanent(red("!") + " " + stepId + " is irreversible: " + reason);
  }

  @Override
  public void paused(String stepId, String reason) {
    endStep(yellow("‖") + " paused at " + stepId + ": " + reason);
  }

  @Override
  public void runFinished(RunResult result) {
    List<String> summary = new ArrayList<>();
    summary.add("");
    switch (result.status()) {
      case SUCCEEDED -> summary.add(green("Run succeeded."));
      case UNDONE -> summary.add(green("Run undone: every step it started is compensated."));
      case ROLLED_BACK -> summary.add(yellow("Run failed and was rolled back: ") + result.reason());
      case PRECONDITIONS_UNMET -> summary.add(red("Nothing was changed: ") + result.reason());
      case STOPPED -> summary.add(red("Run stopped: ") + result.reason());
      case ROLLBACK_INCOMPLETE -> summary.add(red("Rollback INCOMPLETE: ") + result.reason());
      case PAUSED -> summary.add(yellow("Run paused: ") + result.reason());
      case NEEDS_DECISION -> summary.add(yellow("Resume needs a decision: ") + result.reason());
      case FINALLY_FAILED -> summary.add(red("Run succeeded, but a finally step failed."));
      case INTERRUPTED -> summary.add(yellow("Run interrupted."));
    }
    result.continuedFailures().forEach(f -> summary.add("  failed, continued: " + f));
    result.irreversible().forEach(f -> summary.add("  not undone (irreversible): " + f));
    summary.add(dim("  logs: " + result.runDir().resolve("steps")));
    switch (result.status()) {
      case PAUSED ->
          summary.add(
              "  next: runbook resume " + result.runId() + " --confirm " + result.failedStep());
      case NEEDS_DECISION ->
          summary.add(
              "  next: runbook resume "
                  + result.runId()
                  + " --rerun-inflight   (or --skip-inflight)");
      case STOPPED, INTERRUPTED, ROLLBACK_INCOMPLETE -> {
        summary.add("  next: runbook resume " + result.runId());
        summary.add("    or: runbook rollback " + result.runId());
      }
      case SUCCEEDED -> summary.add(dim("  to undo it later: runbook rollback " + result.runId()));
      default -> {}
    }
    summary.add(dim("  exit " + result.status().exitCode()));
    summary.forEach(this::permanent);
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    synchronized (this) {
      clearLive();
      out.flush();
    }
    try {
      terminal.close();
    } catch (IOException e) {
      // closing the terminal at exit: nothing left to do
    }
  }
}
