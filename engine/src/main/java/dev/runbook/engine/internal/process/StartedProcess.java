package dev.runbook.engine.internal.process;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A process an action started, as the journal records it: what a resume after the engine died needs
 * to find the process and take it over ({@link Adoption}).
 *
 * @param pid the process (the session's leader)
 * @param outputDir where its raw output and exit status go ({@link RunningProcess#outputDir()})
 */
public record StartedProcess(long pid, Path outputDir) {
  public StartedProcess {
    Objects.requireNonNull(outputDir, "outputDir");
  }
}
