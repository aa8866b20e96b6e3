package dev.runbook.engine.rehearsal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * How a rehearsal starts the real command line for a trial.
 *
 * @param command the command line up to the subcommand ({@code java -cp runbook.jar
 *     dev.runbook.cli.Main})
 * @param runbook the runbook file, as {@code run} is given it
 * @param paramArgs the parameter options for {@code run} ({@code -p}, {@code --params-file}); never
 *     a secret: those go in {@code env}
 * @param env added to the children's environment (secret parameters as {@code RUNBOOK_PARAM_*})
 * @param timeout how long one child may take before it is killed and the trial fails
 */
public record Launcher(
    List<String> command,
    Path runbook,
    List<String> paramArgs,
    Map<String, String> env,
    Duration timeout) {
  public Launcher {
    command = List.copyOf(command);
    paramArgs = List.copyOf(paramArgs);
    env = Map.copyOf(env);
  }
}
