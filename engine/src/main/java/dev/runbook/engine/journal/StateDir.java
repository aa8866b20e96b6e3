package dev.runbook.engine.journal;

import dev.runbook.engine.ErrorCode;
import dev.runbook.engine.IoProblems;
import dev.runbook.engine.RunbookException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;

/**
 * The per-user directory that holds runs and locks: {@code --state-dir}, else {@code
 * RUNBOOK_STATE_DIR}, else {@code $XDG_STATE_HOME/runbook}, else {@code ~/.local/state/runbook}.
 *
 * <p>Per user, not per working directory, so an operator who reconnects elsewhere finds the run.
 * Directories are created 0700. An existing one that its group or others can write is refused, as
 * ssh refuses such a key: whoever can write there can forge a journal, which {@code resume} and
 * {@code rollback} act on. It is not repaired silently: the operator decides who may write there.
 */
public record StateDir(Path root) {
  /**
   * Resolves the state directory from the option and the environment; never null.
   *
   * @throws RunbookException ({@link ErrorCode#INVALID_INPUT}) if it, or its {@code runs} or {@code
   *     locks} directory, exists and its group or others can write it
   */
  public static StateDir resolve(Optional<Path> option, Map<String, String> environment) {
    StateDir dir = locate(option, environment);
    dir.checkNotShared();
    return dir;
  }

  /**
   * Refuses a state directory that another user could write into: the root, {@code runs} and {@code
   * locks}, where they exist (what is missing is created 0700 later).
   */
  public void checkNotShared() {
    for (Path dir : new Path[] {root, runs(), locks()}) {
      int mode;
      try {
        mode = (Integer) Files.getAttribute(dir, "unix:mode");
      } catch (NoSuchFileException e) {
        continue;
      } catch (IOException | UnsupportedOperationException e) {
        continue; // unreadable here: creating or reading it fails later with its own message
      }
      if ((mode & 0022) != 0) {
        String who =
            (mode & 0020) != 0 && (mode & 0002) != 0
                ? "its group and others"
                : (mode & 0020) != 0 ? "its group" : "others";
        throw new RunbookException(
            ErrorCode.INVALID_INPUT,
            "the state directory "
                + dir
                + " is writable by "
                + who
                + " (mode "
                + String.format("%04o", mode & 07777)
                + "): whoever can write there can forge the journals that resume and rollback act"
                + " on; refusing to use it",
            "chmod go-w " + dir + ", or choose another with --state-dir or RUNBOOK_STATE_DIR");
      }
    }
  }

  private static StateDir locate(Optional<Path> option, Map<String, String> environment) {
    if (option.isPresent()) {
      return new StateDir(option.get().toAbsolutePath().normalize());
    }
    String explicit = environment.get("RUNBOOK_STATE_DIR");
    if (explicit != null && !explicit.isBlank()) {
      return new StateDir(Path.of(explicit).toAbsolutePath().normalize());
    }
    String xdg = environment.get("XDG_STATE_HOME");
    if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
      return new StateDir(Path.of(xdg, "runbook"));
    }
    String home = environment.getOrDefault("HOME", System.getProperty("user.home"));
    return new StateDir(Path.of(home, ".local", "state", "runbook"));
  }

  public Path runs() {
    return root.resolve("runs");
  }

  public Path locks() {
    return root.resolve("locks");
  }

  public Path runDir(String runId) {
    return runs().resolve(runId);
  }

  /** Creates {@code dir} and its missing parents owner-only (0700). */
  public static Path createPrivateDirectories(Path dir) {
    try {
      Path absolute = dir.toAbsolutePath();
      Path parent = absolute.getParent();
      if (parent != null && !Files.isDirectory(parent)) {
        createPrivateDirectories(parent);
      }
      if (!Files.isDirectory(absolute)) {
        try {
          Files.createDirectory(
              absolute,
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException e) {
          // created concurrently: fine, as long as it is a directory
          if (!Files.isDirectory(absolute)) {
            throw e;
          }
        }
      }
      return absolute;
    } catch (IOException e) {
      throw new RunbookException(
          ErrorCode.INVALID_INPUT,
          "cannot create the state directory " + IoProblems.describe(dir, e),
          "choose another with --state-dir or RUNBOOK_STATE_DIR");
    }
  }
}
