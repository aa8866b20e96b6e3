package dev.runbook.engine.internal.files;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link FileActions#copy copy} copied.
 *
 * @param from the source, absolute and normalized
 * @param to the destination, absolute and normalized
 * @param entries what was copied in pre-order, paths relative to {@code from}, the root as {@code
 *     .}; never empty
 * @param digest the {@link TreeDigest} of {@code entries}; equal to {@code TreeDigest.of(to)} right
 *     after the copy
 */
public record CopyResult(Path from, Path to, List<FileEntry> entries, String digest) {
  public CopyResult {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    entries = List.copyOf(entries);
    Objects.requireNonNull(digest, "digest");
  }

  /** Counts over the copied tree. */
  public TreeSummary summary() {
    return TreeSummary.of(entries);
  }

  /**
   * The step outputs: {@code files}, {@code directories}, {@code symlinks}, {@code bytes}, {@code
   * digest}, and {@code sha256} when a single file was copied. Ordered, unmodifiable.
   */
  public Map<String, String> outputs() {
    TreeSummary summary = summary();
    Map<String, String> outputs = new LinkedHashMap<>();
    outputs.put("files", Long.toString(summary.files()));
    outputs.put("directories", Long.toString(summary.directories()));
    outputs.put("symlinks", Long.toString(summary.symlinks()));
    outputs.put("bytes", Long.toString(summary.bytes()));
    outputs.put("digest", digest);
    FileEntry root = entries.get(0);
    root.sha256().ifPresent(sha256 -> outputs.put("sha256", sha256));
    return Collections.unmodifiableMap(outputs);
  }
}
