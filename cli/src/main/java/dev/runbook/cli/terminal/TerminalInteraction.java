package dev.runbook.cli.terminal;

import dev.runbook.engine.Interaction;
import java.util.Locale;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;

/**
 * Asks the operator on the terminal, through jline. Ctrl-C at a prompt interrupts the run (the
 * second Ctrl-C of the "first stops the step, second interrupts the run" rule); Ctrl-D, or a
 * terminal that went away, answers as if nobody were there.
 */
final class TerminalInteraction implements Interaction {
  private final LineReader reader;
  private final boolean yes;
  private final Runnable interruptRun;

  TerminalInteraction(Terminal terminal, boolean yes, Runnable interruptRun) {
    this.reader = LineReaderBuilder.builder().terminal(terminal).build();
    this.yes = yes;
    this.interruptRun = interruptRun;
  }

  /** One line from the operator; null when nobody answers or Ctrl-C interrupted the run. */
  private String ask(String prompt) {
    try {
      return reader.readLine(prompt);
    } catch (UserInterruptException e) {
      interruptRun.run();
      return null;
    } catch (EndOfFileException e) {
      return null;
    }
  }

  @Override
  public Confirmation confirm(String stepId, String message) {
    if (yes) {
      return Confirmation.YES;
    }
    String answer = ask("\n[" + stepId + "] " + message + "\nContinue? [y/N] ");
    if (answer == null) {
      return Confirmation.NOBODY;
    }
    return answer.strip().toLowerCase(Locale.ROOT).startsWith("y")
        ? Confirmation.YES
        : Confirmation.NO;
  }

  @Override
  public FailureChoice onFailure(String stepId, String reason) {
    while (true) {
      String answer =
          ask(
              "\nStep "
                  + stepId
                  + " failed: "
                  + reason
                  + "\n[r]etry, [s]kip, roll[b]ack or s[t]op? ");
      if (answer == null) {
        return FailureChoice.STOP;
      }
      switch (answer.strip().toLowerCase(Locale.ROOT)) {
        case "r", "retry" -> {
          return FailureChoice.RETRY;
        }
        case "s", "skip" -> {
          return FailureChoice.SKIP;
        }
        case "b", "rollback" -> {
          return FailureChoice.ROLLBACK;
        }
        case "t", "stop" -> {
          return FailureChoice.STOP;
        }
        default -> reader.getTerminal().writer().println("Please answer r, s, b or t.");
      }
    }
  }

  @Override
  public InflightChoice inflight(String stepId) {
    while (true) {
      String answer =
          ask(
              "\nStep "
                  + stepId
                  + " was running when the run stopped; it may or may not have"
                  + " taken effect.\n[r]un it again or [s]kip it (count it as done)? ");
      if (answer == null) {
        return InflightChoice.NOBODY;
      }
      switch (answer.strip().toLowerCase(Locale.ROOT)) {
        case "r", "run", "rerun" -> {
          return InflightChoice.RERUN;
        }
        case "s", "skip" -> {
          return InflightChoice.SKIP;
        }
        default -> reader.getTerminal().writer().println("Please answer r or s.");
      }
    }
  }
}
