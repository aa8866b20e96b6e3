package dev.runbook.engine.internal.files;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A completed {@link FileActions#backup backup}.
 *
 * @param dir the backup directory, holding the copies and {@code manifest.json}
 * @param manifest what was written to {@code manifest.json}
 */
public record BackupResult(Path dir, BackupManifest manifest) {
  public BackupResult {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(manifest, "manifest");
  }

  /**
   * The step outputs: {@code dir} (the built-in output a later {@code restore} reads), {@code
   * paths} (how many paths were backed up), {@code files}, {@code directories}, {@code symlinks},
   * {@code bytes} and {@code digest}. Ordered, unmodifiable.
   */
  public Map<String, String> outputs() {
    TreeSummary summary = manifest.summary();
    Map<String, String> outputs = new LinkedHashMap<>();
    outputs.put("dir", dir.toString());
    outputs.put("paths", Integer.toString(manifest.roots().size()));
    outputs.put("files", Long.toString(summary.files()));
    outputs.put("directories", Long.toString(summary.directories()));
    outputs.put("symlinks", Long.toString(summary.symlinks()));
    outputs.put("bytes", Long.toString(summary.bytes()));
    outputs.put("digest", manifest.digest());
    return Collections.unmodifiableMap(outputs);
  }
}
