package dev.runbook.dsl.model;

import java.util.List;
import java.util.Optional;

/**
 * What "the system is in the same state" means for {@code runbook test} (the runbook's {@code
 * state:} key): the files compared and the commands whose output is compared. Only a rehearsal
 * reads it; a run ignores it.
 *
 * @param reset the command that brings the staging copy back to its starting point before each
 *     trial (a shell script, like {@code run}); empty when the command line gives it
 * @param paths files and directories (relative to the runbook's directory) whose contents, modes
 *     and owners are compared, a directory with everything below it; may be empty
 * @param commands shell commands whose standard output and exit status are compared (a schema-only
 *     {@code pg_dump}, a {@code SELECT count(*)}); may be empty
 */
public record StateSpec(
    Optional<Template> reset,
    List<Template> paths,
    List<Template> commands,
    SourceLocation location) {
  public StateSpec {
    paths = List.copyOf(paths);
    commands = List.copyOf(commands);
  }
}
