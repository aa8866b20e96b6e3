package dev.runbook.cli;

import dev.runbook.dsl.RunbookSchema;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code runbook schema}: prints the DSL's JSON Schema for editors. */
@Command(
    name = "schema",
    mixinStandardHelpOptions = true,
    description = "Print the JSON Schema (draft-07) of the runbook DSL, for editors.",
    footer = {
      "",
      "Example:",
      "  runbook schema > runbook-v1.schema.json",
      "  then start a runbook with",
      "  # yaml-language-server: $schema=runbook-v1.schema.json"
    })
final class SchemaCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getOut().print(RunbookSchema.text());
    spec.commandLine().getOut().flush();
    return 0;
  }
}
