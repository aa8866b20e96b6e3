package dev.runbook.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code runbook}: the top-level command; {@link #commandLine} adds its subcommands. */
@Command(
    name = "runbook",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Declarative runbooks for upgrades and rollbacks of self-hosted software.",
    footer = {
      "",
      "Examples:",
      "  runbook validate upgrade.yaml",
      "  runbook plan upgrade.yaml -p version=2.1",
      "  runbook run upgrade.yaml -p version=2.1",
      "  runbook resume"
    })
public final class RootCommand implements Runnable {
  /** The subcommands by the name each declares, in the order usage lists them. */
  static final Map<String, Supplier<Object>> SUBCOMMANDS = new LinkedHashMap<>();

  static {
    SUBCOMMANDS.put("validate", ValidateCommand::new);
    SUBCOMMANDS.put("schema", SchemaCommand::new);
    SUBCOMMANDS.put("plan", PlanCommand::new);
    SUBCOMMANDS.put("run", RunCommand::new);
    SUBCOMMANDS.put("resume", ResumeCommand::new);
    SUBCOMMANDS.put("rollback", RollbackCommand::new);
    SUBCOMMANDS.put("test", TestCommand::new);
    SUBCOMMANDS.put("status", StatusCommand::new);
    SUBCOMMANDS.put("runs", RunsCommand::new);
    SUBCOMMANDS.put("log", LogCommand::new);
    SUBCOMMANDS.put("prune", PruneCommand::new);
    SUBCOMMANDS.put("completion", CompletionCommand::new);
    SUBCOMMANDS.put("help", HelpCommand::new);
  }

  /** Subcommands that load a runbook first thing. */
  static final Set<String> LOAD_RUNBOOKS =
      Set.of("validate", "plan", "run", "resume", "rollback", "test");

  /** Subcommands that read their siblings' models (usage of them, a completion script of all). */
  private static final Set<String> NEED_SIBLINGS = Set.of("help", "completion");

  /**
   * The command line for {@code args}. picocli builds a command's model by reflection, about a
   * fifth of a cold `validate` for all twelve of them: when {@code args} name a subcommand that
   * does not look at its siblings, only that one is added. Otherwise (no subcommand, a misspelt
   * one, {@code help}, {@code --help}) all are, so usage and suggestions list them all.
   */
  static CommandLine commandLine(String[] args) {
    CommandLine cli = new CommandLine(new RootCommand());
    String named = subcommandNamed(args);
    if (named != null && !NEED_SIBLINGS.contains(named)) {
      cli.addSubcommand(named, SUBCOMMANDS.get(named).get());
    } else {
      SUBCOMMANDS.forEach((name, command) -> cli.addSubcommand(name, command.get()));
    }
    return cli;
  }

  /**
   * The subcommand {@code args} run, or null for none known. The root's options take no value, so
   * the first argument that is not an option is the subcommand's name.
   */
  static String subcommandNamed(String[] args) {
    for (String arg : args) {
      if (arg.equals("--")) {
        return null;
      }
      if (!arg.startsWith("-")) {
        return SUBCOMMANDS.containsKey(arg) ? arg : null;
      }
    }
    return null;
  }

  @Option(
      names = "--debug",
      description = "Show stack traces of internal errors.",
      scope = picocli.CommandLine.ScopeType.INHERIT)
  boolean debug;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
