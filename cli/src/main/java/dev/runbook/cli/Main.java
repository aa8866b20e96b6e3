package dev.runbook.cli;

import dev.runbook.dsl.RunbookLoader;
import dev.runbook.engine.ErrorCode;
import dev.runbook.engine.RunbookException;
import java.io.PrintWriter;
import picocli.CommandLine;

/** Entry point: the only caller of {@link System#exit}. */
public final class Main {
  private Main() {}

  /** The JDK's property that chooses how child processes are started. */
  static final String LAUNCH_MECHANISM = "jdk.lang.Process.launchMechanism";

  public static void main(String[] args) {
    preferVfork();
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /**
   * Starts step processes with vfork(2) rather than the JDK 17 default, posix_spawn(3) through the
   * {@code jspawnhelper} program: one exec fewer per process, which measured about 0.7 ms of CPU
   * less per step (README, Performance). Children are the same either way. Only on JDK 17 to 20,
   * where VFORK is a supported mechanism (later JDKs deprecate it), and never over a choice made
   * with {@code -D}.
   */
  static void preferVfork() {
    int feature = Runtime.version().feature();
    if (feature <= 20 && System.getProperty(LAUNCH_MECHANISM) == null) {
      System.setProperty(LAUNCH_MECHANISM, "VFORK");
    }
  }

  /** Runs one command line and returns its exit code; what it prints goes to out and err. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    boolean debug = java.util.Arrays.asList(args).contains("--debug");
    if (RootCommand.LOAD_RUNBOOKS.contains(String.valueOf(RootCommand.subcommandNamed(args)))) {
      // the schema and the expression engine load beside picocli's set-up and the YAML parse
      RunbookLoader.prepareInBackground();
    }
    // picocli's warnings quote the argument they are about (a -p value with an odd number of
    // quotes), which may be a secret: the command refuses a secret on -p itself, in its words.
    CommandLine.tracer().setLevel(CommandLine.TraceLevel.OFF);
    CommandLine cli = RootCommand.commandLine(args);
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          if (e instanceof RunbookException re) {
            re.details().forEach(err::println);
            err.println(errorLine(re.getMessage()));
            re.hint().ifPresent(h -> err.println("  hint: " + h));
            if (debug) {
              e.printStackTrace(err);
            }
            return re.code().exitCode();
          }
          if (debug) {
            err.println("runbook: internal error: " + e);
            e.printStackTrace(err);
          } else {
            // The exception's message may hold a value rendered from the runbook or its
            // parameters (a secret among them): only its kind and where it was thrown are shown.
            err.println("runbook: internal error: " + bugSummary(e));
            err.println(
                "  hint: this is a bug in runbook; rerun with --debug for the details (they may"
                    + " show parameter values)");
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

  /**
   * What a bug report needs without what a message may hold: the exception's type and the first
   * frame of runbook's own code it passed through, e.g. {@code NullPointerException at
   * dev.runbook.engine.Planner.plan(Planner.java:120)}.
   */
  static String bugSummary(Throwable e) {
    String where = "";
    for (StackTraceElement frame : e.getStackTrace()) {
      if (frame.getClassName().startsWith("dev.runbook.")) {
        where = " at " + frame;
        break;
      }
    }
    return e.getClass().getName() + where;
  }

  /**
   * {@code runbook: error: MESSAGE}, or the message as it is when it already says where and that it
   * is an error ({@code FILE:LINE:COL: error: …}): "error:" once per line.
   */
  static String errorLine(String message) {
    return message.matches("(?s)[^\\s:]+:\\d+(:\\d+)?: error: .*")
        ? message
        : "runbook: error: " + message;
  }
}
