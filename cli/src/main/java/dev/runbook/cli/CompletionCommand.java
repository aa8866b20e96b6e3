package dev.runbook.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code runbook completion bash|zsh}: a shell completion script, from picocli's generator. */
@Command(
    name = "completion",
    mixinStandardHelpOptions = true,
    description = "Print a completion script for bash or zsh.",
    footer = {
      "",
      "Examples:",
      "  source <(runbook completion bash)",
      "  runbook completion bash > /etc/bash_completion.d/runbook"
    })
final class CompletionCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "SHELL",
      description = "bash or zsh (default: bash).",
      defaultValue = "bash")
  String shell;

  @Override
  public Integer call() {
    if (!shell.equals("bash") && !shell.equals("zsh")) {
      throw new dev.runbook.engine.RunbookException(
          dev.runbook.engine.ErrorCode.INVALID_INPUT,
          "no completion for `" + shell + "`: bash and zsh are supported");
    }
    CommandLine root = spec.root().commandLine();
    String script = AutoComplete.bash("runbook", root);
    if (shell.equals("zsh")) {
      // picocli's script works in zsh through bashcompinit.
      script = "autoload -U +X bashcompinit && bashcompinit\n" + script;
    }
    spec.commandLine().getOut().print(script);
    spec.commandLine().getOut().flush();
    return 0;
  }
}
