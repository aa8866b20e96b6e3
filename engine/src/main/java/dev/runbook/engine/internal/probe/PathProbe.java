package dev.runbook.engine.internal.probe;

import dev.runbook.dsl.model.PathState;
import dev.runbook.engine.CheckOutcome;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.Optional;

/**
 * Tests whether a path exists, is a regular file, is a directory, or is absent.
 *
 * <p>{@code exists}, {@code file} and {@code dir} follow symbolic links, as {@code test -e}, {@code
 * -f} and {@code -d} do: a link to a directory is a directory, a dangling link does not exist.
 * {@code absent} does not follow them: it holds only when nothing at all, not even a dangling link,
 * is at the path, because whatever comes next (creating, copying, restoring) would collide with the
 * link. A path under a regular file (such as {@code /etc/passwd/x}) is absent.
 *
 * <p>Thread-safe and stateless.
 */
public final class PathProbe {
  /**
   * Checks {@code path} against {@code expected}.
   *
   * @param path a resolved path; a relative one is taken against the engine's working directory
   * @return never null; ERRORED only when the file system cannot tell (e.g. permission denied)
   */
  public CheckOutcome check(Path path, PathState expected) {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(expected, "expected");
    Found found;
    try {
      found = look(path);
    } catch (IOException e) {
      return CheckOutcome.errored("cannot tell what is at " + path + ": " + reason(e));
    }
    boolean holds =
        switch (expected) {
          case EXISTS -> found.kind().exists();
          case FILE -> found.kind() == Kind.FILE;
          case DIR -> found.kind() == Kind.DIR;
          case ABSENT -> found.kind() == Kind.NOTHING;
        };
    String actual = path + " " + found.is();
    if (holds) {
      return CheckOutcome.holds(actual);
    }
    String wanted =
        switch (expected) {
          case EXISTS -> "expected it to exist";
          case FILE -> "expected a file";
          case DIR -> "expected a directory";
          case ABSENT -> "expected absent";
        };
    return CheckOutcome.failed(actual + ", " + wanted);
  }

  private static Found look(Path path) throws IOException {
    BasicFileAttributes own;
    try {
      own = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException | NotDirectoryException e) {
      return new Found(Kind.NOTHING, Optional.empty());
    } catch (FileSystemException e) {
      if (isNotADirectory(e)) {
        return new Found(Kind.NOTHING, Optional.empty());
      }
      throw e;
    }
    if (!own.isSymbolicLink()) {
      return new Found(kindOf(own), Optional.empty());
    }
    Optional<Path> target = Optional.of(Files.readSymbolicLink(path));
    try {
      return new Found(kindOf(Files.readAttributes(path, BasicFileAttributes.class)), target);
    } catch (NoSuchFileException | NotDirectoryException e) {
      return new Found(Kind.DANGLING, target);
    } catch (FileSystemException e) {
      // A link loop ("Too many levels of symbolic links") leads nowhere either.
      if (isNotADirectory(e) || isLinkLoop(e)) {
        return new Found(Kind.DANGLING, target);
      }
      throw e;
    }
  }

  private static Kind kindOf(BasicFileAttributes attributes) {
    if (attributes.isRegularFile()) {
      return Kind.FILE;
    }
    return attributes.isDirectory() ? Kind.DIR : Kind.SPECIAL;
  }

  // ENOTDIR and ELOOP arrive as plain FileSystemExceptions; their reason is all that tells.
  private static boolean isNotADirectory(FileSystemException e) {
    return e.getReason() != null && e.getReason().contains("Not a directory");
  }

  private static boolean isLinkLoop(FileSystemException e) {
    return e.getReason() != null && e.getReason().contains("symbolic links");
  }

  /**
   * Why a file-system operation failed, without repeating the path (a FileSystemException's message
   * is mostly the path itself).
   */
  static String reason(IOException e) {
    if (e instanceof FileSystemException && ((FileSystemException) e).getReason() != null) {
      return ((FileSystemException) e).getReason();
    }
    if (e instanceof NoSuchFileException) {
      return "no such file or directory";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NotDirectoryException) {
      return "not a directory";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private enum Kind {
    NOTHING,
    DANGLING,
    FILE,
    DIR,
    SPECIAL;

    boolean exists() {
      return this == FILE || this == DIR || this == SPECIAL;
    }
  }

  /** What is at the path; {@code link} is the link's target when the path is a symbolic link. */
  private record Found(Kind kind, Optional<Path> link) {
    /** A verb phrase: "is a directory", "does not exist", "is a dangling symbolic link to x". */
    String is() {
      String noun =
          switch (kind) {
            case NOTHING -> "";
            case DANGLING -> "";
            case FILE -> "a file";
            case DIR -> "a directory";
            case SPECIAL -> "a special file (neither a regular file nor a directory)";
          };
      return switch (kind) {
        case NOTHING -> "does not exist";
        case DANGLING -> "is a dangling symbolic link to " + link.orElseThrow();
        case FILE, DIR, SPECIAL ->
            link.map(t -> "is " + noun + " (through a symbolic link to " + t + ")")
                .orElse("is " + noun);
      };
    }
  }
}
