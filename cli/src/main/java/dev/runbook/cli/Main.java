package dev.runbook.cli;

import dev.runbook.engine.ErrorCode;
import dev.runbook.engine.RunbookException;
import java.io.PrintWriter;
import picocli.CommandLine;

/** Entry point: the only caller of {@link System#exit}. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs one command line and returns its exit code; what it prints goes to out and err. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    boolean debug = java.util.Arrays.asList(args).contains("--debug");
    CommandLine cli = new CommandLine(new RootCommand());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          if (e instanceof RunbookException re) {
            err.println("runbook: error: " + re.getMessage());
            re.hint().ifPresent(h -> err.println("  hint: " + h));
            if (debug) {
              e.printStackTrace(err);
            }
            return re.code().exitCode();
          }
          err.println("runbook: internal error: " + e);
          if (debug) {
            e.printStackTrace(err);
          } else {
            err.println("  hint: this is a bug in runbook; rerun with --debug for the details");
          }
          return ErrorCode.INTERNAL.exitCode();
        });
    cli.setParameterExceptionHandler(
        (e, arguments) -> {
          CommandLine c = e.getCommandLine();
          err.println("runbook: error: " + e.getMessage());
          if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, err)) {
            err.println("  hint: see `" + c.getCommandSpec().qualifiedName() + " --help`");
          }
          return ErrorCode.INVALID_INPUT.exitCode();
        });
    return cli.execute(args);
  }
}
