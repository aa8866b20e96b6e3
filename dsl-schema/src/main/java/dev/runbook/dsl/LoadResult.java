package dev.runbook.dsl;

import dev.runbook.dsl.model.Runbook;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What loading a runbook produced: the runbook when it is valid, and every problem found.
 *
 * @param runbook present when there is no error (warnings allowed)
 * @param called every runbook reached through {@code call}, by normalized path; may be empty
 * @param problems in file order; may be empty
 */
public record LoadResult(
    Optional<Runbook> runbook, Map<Path, Runbook> called, List<Problem> problems) {
  public LoadResult {
    called = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(called));
    problems = problems.stream().sorted(Problem.IN_FILE_ORDER).toList();
  }

  public boolean hasErrors() {
    return problems.stream().anyMatch(Problem::isError);
  }

  public boolean hasWarnings() {
    return problems.stream().anyMatch(p -> !p.isError());
  }
}
