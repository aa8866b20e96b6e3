package dev.runbook.cli;

import dev.runbook.engine.ErrorCode;
import dev.runbook.engine.RunbookException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code runbook help [COMMAND|exit-codes]}: usage of a command, or the table of exit codes. */
@Command(
    name = "help",
    helpCommand = true,
    description =
        "Show the usage of a command, or `help exit-codes` for what each exit code means.",
    footer = {"", "Examples:", "  runbook help run", "  runbook help exit-codes"})
final class HelpCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "TOPIC",
      description = "A command, or exit-codes.")
  String topic;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    CommandLine root = spec.root().commandLine();
    if (topic == null) {
      root.usage(out);
    } else if (topic.equals("exit-codes")) {
      out.println("Exit codes of runbook:");
      out.printf(
          "  %3d  %s%n", 0, "success (run succeeded; validate: all valid; rollback: all undone)");
      for (ErrorCode code : ErrorCode.values()) {
        out.printf("  %3d  %s%n", code.exitCode(), code.meaning());
      }
    } else if (root.getSubcommands().containsKey(topic)) {
      root.getSubcommands().get(topic).usage(out);
    } else {
      throw new RunbookException(
          ErrorCode.INVALID_INPUT,
          "no help topic `" + topic + "`",
          "topics: exit-codes, " + String.join(", ", root.getSubcommands().keySet()));
    }
    out.flush();
    return 0;
  }
}
