package dev.runbook.cli;

import dev.runbook.cli.terminal.TerminalRunListener;
import dev.runbook.engine.Interaction;
import dev.runbook.engine.RunListener;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Map;

/**
 * Where a run's progress goes and how it asks: live progress on a terminal, plain timestamped lines
 * off one (pipes, CI, {@code TERM=dumb}), JSON lines on request. Prompts clear the live view first.
 */
final class RunOutput implements AutoCloseable {
  private final RunListener listener;
  private final TerminalRunListener live;

  private RunOutput(RunListener listener, TerminalRunListener live) {
    this.listener = listener;
    this.live = live;
  }

  static RunOutput open(RunCommand.RunFormat format, PrintWriter out) {
    Map<String, String> env = System.getenv();
    if (format == RunCommand.RunFormat.jsonl) {
      return new RunOutput(new JsonLinesRunListener(out, Clock.systemUTC()), null);
    }
    if (TerminalRunListener.available(env)) {
      try {
        TerminalRunListener live = TerminalRunListener.open(env);
        return new RunOutput(live, live);
      } catch (IOException e) {
        // no usable terminal after all: plain lines
      }
    }
    return new RunOutput(new PlainRunListener(out, Clock.systemUTC()), null);
  }

  /**
   * The listener for the run.
   *
   * @param stepStarted called as each step starts (re-arms the first-Ctrl-C behaviour)
   */
  RunListener listener(Runnable stepStarted) {
    RunListener rearm =
        new RunListener() {
          @Override
          public void stepStarted(String stepId, String title, int attempt) {
            stepStarted.run();
          }
        };
    return RunListener.all(java.util.List.of(rearm, listener));
  }

  /**
   * How the run asks: on a terminal, prompts (Ctrl-C at one interrupts the run); otherwise the
   * documented non-interactive answers (confirmations pause unless --yes, failures stop).
   */
  Interaction interaction(boolean yes, Runnable interruptRun) {
    return live == null ? Interaction.unattended(yes) : live.interaction(yes, interruptRun);
  }

  /** Whether progress and prompts go to a terminal. */
  boolean onTerminal() {
    return live != null;
  }

  @Override
  public void close() {
    if (live != null) {
      live.close();
    }
  }
}
