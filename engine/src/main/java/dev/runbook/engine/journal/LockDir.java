package dev.runbook.engine.journal;

import dev.runbook.engine.ErrorCode;
import dev.runbook.engine.IoProblems;
import dev.runbook.engine.RunbookException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;

/**
 * The host-wide directory of run locks, shared by every user and state directory on the machine:
 * {@code --lock-dir}, else {@code RUNBOOK_LOCK_DIR}, else {@link #DEFAULT}.
 *
 * <p>Created sticky and world-writable, as {@code /tmp} is, so that every operator can take a lock
 * in it and none can remove or replace another's files (see {@code
 * docs/adr/0021-host-wide-run-locks.md}). An administrator may create it beforehand, owned by root,
 * with a group instead ({@code install -d -m 3770 -g ops /var/lock/runbook}).
 */
public record LockDir(Path path) {
  /** {@code /var/lock} is the FHS place for locks; on Debian it is {@code /run/lock}, a tmpfs. */
  public static final Path DEFAULT = Path.of("/var/lock/runbook");

  private static final int STICKY = 01000;
  private static final int GROUP_OR_OTHERS_WRITE = 0022;
  private static final int SHARED_MODE = 01777;

  /** Resolves the lock directory from the option and the environment; never null. */
  public static LockDir resolve(Optional<Path> option, Map<String, String> environment) {
    if (option.isPresent()) {
      return new LockDir(option.get().toAbsolutePath().normalize());
    }
    String explicit = environment.get("RUNBOOK_LOCK_DIR");
    if (explicit != null && !explicit.isBlank()) {
      return new LockDir(Path.of(explicit).toAbsolutePath().normalize());
    }
    return new LockDir(DEFAULT);
  }

  /**
   * The directory, created shared if it is missing; refused (exit 2) when it cannot be used or when
   * others could remove the locks in it (writable by group or others without the sticky bit).
   */
  Path prepare() {
    try {
      if (!Files.isDirectory(path)) {
        create();
      }
      int mode = (Integer) Files.getAttribute(path, "unix:mode");
      if ((mode & GROUP_OR_OTHERS_WRITE) != 0 && (mode & STICKY) == 0) {
        throw refused(
            "others can write to it without the sticky bit, so anyone could remove a lock",
            "make it sticky: `chmod +t " + path + "`");
      }
      return path;
    } catch (IOException e) {
      throw refused(IoProblems.describe(path, e), null);
    }
  }

  /**
   * Made under a temporary name, given its mode, then renamed into place: no other process ever
   * sees it half made (with the creator's umask, where others could not create their locks).
   */
  private void create() throws IOException {
    Path parent = path.toAbsolutePath().getParent();
    if (parent == null) {
      throw refused("it has no parent directory", null);
    }
    Files.createDirectories(parent);
    Path made = Files.createTempDirectory(parent, "." + path.getFileName() + ".");
    try {
      Files.setAttribute(made, "unix:mode", SHARED_MODE);
      Files.move(made, path, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      // Another engine made it first (the rename found it there): use theirs.
      if (!Files.isDirectory(path)) {
        throw e;
      }
    } finally {
      Files.deleteIfExists(made);
    }
  }

  private RunbookException refused(String why, String hint) {
    return new RunbookException(
        ErrorCode.INVALID_INPUT,
        "cannot use the lock directory " + path + ": " + why,
        hint != null
            ? hint
            : "choose another with --lock-dir or RUNBOOK_LOCK_DIR (every operator of this host"
                + " must use the same one), or have an administrator create it: `install -d -m"
                + " 1777 "
                + path
                + "`");
  }
}
