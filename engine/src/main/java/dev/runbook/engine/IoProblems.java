package dev.runbook.engine;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * Turns an I/O failure into the words an operator reads: the path it concerns and the cause, on one
 * line ({@code /var/state/runs/x/journal.jsonl: No space left on device}). The JDK's own messages
 * name the path alone for a missing file, or nothing but the cause for a channel's write.
 */
public final class IoProblems {
  private IoProblems() {}

  /** {@code PATH: cause}, naming the path the failure is about when it is not {@code file}. */
  public static String describe(Path file, IOException e) {
    Path about =
        e instanceof FileSystemException fs && fs.getFile() != null ? Path.of(fs.getFile()) : file;
    return about + ": " + cause(e);
  }

  /** The cause alone: {@code no such file}, {@code permission denied}, the system's reason. */
  public static String cause(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file or directory";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NotDirectoryException) {
      return "not a directory";
    }
    if (e instanceof FileSystemException fs && fs.getReason() != null) {
      return fs.getReason();
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
