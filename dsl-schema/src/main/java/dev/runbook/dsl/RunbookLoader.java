package dev.runbook.dsl;

import dev.runbook.dsl.internal.LoadPipeline;
import java.nio.file.Path;

/**
 * Loads and validates runbooks: YAML, JSON Schema, semantic checks, then the typed model.
 *
 * <p>Never throws for a user's mistake: every problem found is in the {@link LoadResult}, in file
 * order, each with its line and column. Runbooks reached through {@code call} are loaded too, and a
 * call cycle is reported with its path. Thread-safe.
 */
public final class RunbookLoader {
  /** Runbooks larger than this are refused before they are read. */
  public static final long MAX_FILE_SIZE = 10L * 1024 * 1024;

  /**
   * Starts, on a background thread, what every load needs and takes a while to set up: the JSON
   * Schema's validator and the expression engine, about a third of a cold `validate` of a small
   * runbook. A command that is about to load a runbook calls this first thing, so that the set-up
   * runs beside its own (argument parsing, reading the file) rather than after it. Optional:
   * without it, the first load does the same work itself.
   */
  public static void prepareInBackground() {
    LoadPipeline.prepareInBackground();
  }

  /** Loads {@code file} and every runbook it calls. */
  public LoadResult load(Path file) {
    return LoadPipeline.load(file, file.toString());
  }

  /**
   * Loads {@code file}, naming it {@code displayName} in problems (the path as the user typed it).
   */
  public LoadResult load(Path file, String displayName) {
    return LoadPipeline.load(file, displayName);
  }

  /**
   * Loads the text of {@code copy} as if it were the runbook at {@code file}: the runbook's file,
   * and the runbooks it calls by relative path, are those of {@code file}. For a saved copy of a
   * runbook (a run keeps the one it started with), to compare it with the file as it is now.
   */
  public LoadResult loadCopy(Path copy, Path file) {
    return LoadPipeline.load(copy, file, file.toString());
  }
}
