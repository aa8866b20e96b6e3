package dev.runbook.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code runbook}: the top-level command. */
@Command(
    name = "runbook",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Declarative runbooks for upgrades and rollbacks of self-hosted software.",
    subcommands = {
      ValidateCommand.class,
      SchemaCommand.class,
      PlanCommand.class,
      RunCommand.class,
      ResumeCommand.class,
      RollbackCommand.class,
      StatusCommand.class,
      RunsCommand.class,
      LogCommand.class,
      PruneCommand.class,
      CompletionCommand.class,
      HelpCommand.class
    },
    footer = {
      "",
      "Examples:",
      "  runbook validate upgrade.yaml",
      "  runbook plan upgrade.yaml -p version=2.1",
      "  runbook run upgrade.yaml -p version=2.1",
      "  runbook resume"
    })
public final class RootCommand implements Runnable {
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
