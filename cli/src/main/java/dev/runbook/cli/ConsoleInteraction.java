package dev.runbook.cli;

import dev.runbook.dsl.model.OnFailure;
import dev.runbook.engine.Interaction;
import java.io.Console;
import java.util.Locale;

/**
 * Prompts on the terminal. Used only when there is one; {@link Interaction#unattended} answers
 * otherwise.
 */
final class ConsoleInteraction implements Interaction {
  private final Console console;
  private final boolean yes;

  ConsoleInteraction(Console console, boolean yes) {
    this.console = console;
    this.yes = yes;
  }

  /** The interaction for this process: the terminal when there is one. */
  static Interaction forThisProcess(boolean yes) {
    Console console = System.console();
    return console == null ? Interaction.unattended(yes) : new ConsoleInteraction(console, yes);
  }

  @Override
  public Confirmation confirm(String stepId, String message) {
    if (yes) {
      return Confirmation.YES;
    }
    String answer = console.readLine("%n[%s] %s%nContinue? [y/N] ", stepId, message);
    if (answer == null) {
      return Confirmation.NOBODY;
    }
    return answer.strip().toLowerCase(Locale.ROOT).startsWith("y")
        ? Confirmation.YES
        : Confirmation.NO;
  }

  @Override
  public InflightChoice inflight(String stepId) {
    while (true) {
      String answer =
          console.readLine(
              "%nStep %s was running when the run stopped; it may or may not have taken effect."
                  + "%n[r]un it again or [s]kip it (count it as done)? ",
              stepId);
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
        default -> console.printf("Please answer r or s.%n");
      }
    }
  }

  @Override
  public OnFailure onFailure(String stepId, String reason) {
    while (true) {
      String answer =
          console.readLine("%nStep %s failed: %s%n[r]ollback or [s]top? ", stepId, reason);
      if (answer == null) {
        return OnFailure.STOP;
      }
      switch (answer.strip().toLowerCase(Locale.ROOT)) {
        case "r", "rollback" -> {
          return OnFailure.ROLLBACK;
        }
        case "s", "stop" -> {
          return OnFailure.STOP;
        }
        default -> console.printf("Please answer r or s.%n");
      }
    }
  }
}
