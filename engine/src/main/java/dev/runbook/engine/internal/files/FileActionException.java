package dev.runbook.engine.internal.files;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A file action could not be carried out; the message is one line an operator can act on.
 *
 * <p>Messages follow one template: the action, what it could not do, the path, and why, for example
 * {@code "backup: cannot read /opt/app/.env: permission denied"}. They never carry a raw JDK
 * exception text such as a bare {@code NoSuchFileException} path; the underlying exception, if any,
 * is kept as the cause for {@code --debug}.
 */
public final class FileActionException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What kind of failure this is, so callers can map it to an outcome without parsing text. */
  public enum Code {
    /** A source path does not exist. */
    SOURCE_MISSING,
    /** A path is of a kind the file actions refuse (a FIFO, socket or device). */
    UNSUPPORTED_FILE,
    /** The request contradicts what is on disk or itself (overlapping paths, kind mismatch). */
    CONFLICT,
    /** A backup is incomplete, tampered with, or its manifest is not valid. */
    BACKUP_INVALID,
    /** The file system refused an operation (permissions, space, I/O error). */
    IO_FAILURE
  }

  private final Code code;
  private final transient Path path;

  /**
   * Creates an exception.
   *
   * @param code the kind of failure, never null
   * @param path the path the message is about, may be null
   * @param message one operator-readable line, never null
   * @param cause the underlying exception, may be null
   */
  public FileActionException(Code code, Path path, String message, Throwable cause) {
    super(Objects.requireNonNull(message, "message"), cause);
    this.code = Objects.requireNonNull(code, "code");
    this.path = path;
  }

  /** The kind of failure, never null. */
  public Code code() {
    return code;
  }

  /** The path the message is about, if there is one. */
  public Optional<Path> path() {
    return Optional.ofNullable(path);
  }

  /**
   * Wraps an I/O failure as {@code "<action>: cannot <doing> <path>: <reason>"}.
   *
   * @param action {@code copy}, {@code backup} or {@code restore}
   * @param doing a verb phrase such as {@code "read"} or {@code "create directory"}
   */
  static FileActionException io(String action, String doing, Path path, IOException cause) {
    // A missing source is reported as SOURCE_MISSING where sources are checked, before any of
    // this; a file vanishing mid-operation is a file system failure like any other.
    return new FileActionException(
        Code.IO_FAILURE,
        path,
        action + ": cannot " + doing + " " + path + ": " + reason(cause),
        cause);
  }

  /** A short lower-case reason for an I/O failure, without the path the JDK puts in messages. */
  static String reason(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file or directory";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof FileAlreadyExistsException) {
      return "it already exists";
    }
    if (e instanceof DirectoryNotEmptyException) {
      return "directory not empty";
    }
    if (e instanceof NotDirectoryException) {
      return "not a directory";
    }
    if (e instanceof FileSystemLoopException) {
      return "too many levels of symbolic links";
    }
    String text = e instanceof FileSystemException fse ? fse.getReason() : e.getMessage();
    if (text == null || text.isBlank()) {
      return e.getClass().getSimpleName();
    }
    text = text.strip().replace('\n', ' ');
    // "No space left on device" reads better mid-sentence in lower case; keep acronyms ("EIO").
    if (text.length() > 1 && Character.isLowerCase(text.charAt(1))) {
      text = text.substring(0, 1).toLowerCase(Locale.ROOT) + text.substring(1);
    }
    return text;
  }
}
