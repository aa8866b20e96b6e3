package dev.runbook.engine.internal.files;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/** Deletes a tree without following symbolic links out of it. */
final class TreeDeleter {
  private TreeDeleter() {}

  /**
   * Deletes {@code path} and, if it is a directory, everything in it. Directories are made
   * owner-writable first, so a tree copied with read-only directories can still be removed. Nothing
   * at the path is not an error.
   */
  static void delete(Path path) throws IOException {
    Optional<PosixAttributes.Stat> stat = PosixAttributes.lstatIfExists(path);
    if (stat.isEmpty()) {
      return;
    }
    if (stat.get().kind() == PosixAttributes.Kind.DIRECTORY) {
      int mode = stat.get().permissions();
      if ((mode & 0700) != 0700) {
        Files.setAttribute(path, "unix:mode", mode | 0700, LinkOption.NOFOLLOW_LINKS);
      }
      try (DirectoryStream<Path> children = Files.newDirectoryStream(path)) {
        for (Path child : children) {
          delete(child);
        }
      }
    }
    Files.deleteIfExists(path);
  }

  /**
   * Deletes like {@link #delete} while another failure is already being reported; a failure here is
   * attached to {@code primary} as suppressed instead of replacing it.
   */
  static void deleteAfterFailure(Path path, Throwable primary) {
    try {
      delete(path);
    } catch (IOException | RuntimeException e) {
      primary.addSuppressed(e);
    }
  }
}
