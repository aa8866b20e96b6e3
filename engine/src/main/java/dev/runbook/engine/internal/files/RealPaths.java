package dev.runbook.engine.internal.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/** Resolves paths that may not exist yet, to compare where two paths really are. */
final class RealPaths {
  private RealPaths() {}

  /**
   * The real location of {@code path} with its parent directories resolved but its last name kept
   * as is (a symbolic link there is the thing acted on, not its target). Missing trailing
   * directories are appended unresolved.
   */
  static Path of(Path path) throws IOException {
    Path parent = path.getParent();
    if (parent == null) {
      return path;
    }
    return existingPrefixResolved(parent).resolve(path.getFileName());
  }

  private static Path existingPrefixResolved(Path dir) throws IOException {
    Deque<Path> missing = new ArrayDeque<>();
    Path existing = dir;
    while (existing != null && !Files.exists(existing)) {
      missing.push(existing.getFileName());
      existing = existing.getParent();
    }
    Path result = existing == null ? dir.getRoot() : existing.toRealPath();
    while (!missing.isEmpty()) {
      result = result.resolve(missing.pop());
    }
    return result;
  }

  /** Whether {@code inner} is {@code outer} or lies inside it, by name. */
  static boolean isWithin(Path inner, Path outer) {
    return inner.startsWith(outer);
  }
}
