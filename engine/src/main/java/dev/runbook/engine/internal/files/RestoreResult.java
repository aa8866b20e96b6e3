package dev.runbook.engine.internal.files;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A completed {@link FileActions#restore restore}.
 *
 * @param from the backup directory
 * @param to the directory the backed-up paths were restored under
 * @param paths the restored paths relative to {@code to}, in the backup's order; never empty
 * @param summary counts over what was restored
 * @param digest the backup manifest's {@link TreeDigest}
 */
public record RestoreResult(
    Path from, Path to, List<String> paths, TreeSummary summary, String digest) {
  public RestoreResult {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    paths = List.copyOf(paths);
    Objects.requireNonNull(summary, "summary");
    Objects.requireNonNull(digest, "digest");
  }

  /**
   * The step outputs: {@code paths} (how many), {@code files}, {@code directories}, {@code
   * symlinks}, {@code bytes} and {@code digest}. Ordered, unmodifiable.
   */
  public Map<String, String> outputs() {
    Map<String, String> outputs = new LinkedHashMap<>();
    outputs.put("paths", Integer.toString(paths.size()));
    outputs.put("files", Long.toString(summary.files()));
    outputs.put("directories", Long.toString(summary.directories()));
    outputs.put("symlinks", Long.toString(summary.symlinks()));
    outputs.put("bytes", Long.toString(summary.bytes()));
    outputs.put("digest", digest);
    return Collections.unmodifiableMap(outputs);
  }
}
