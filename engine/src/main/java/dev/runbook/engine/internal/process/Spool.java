package dev.runbook.engine.internal.process;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where a step's raw output sits until the engine has masked it into the step log: owner-only,
 * never under the run directory (whose logs hold masked output only), and on a memory file system
 * when there is one, so that raw output holding a secret never reaches a disk.
 *
 * <p>The first of these that is usable: {@code $XDG_RUNTIME_DIR/runbook} (a tmpfs the login session
 * owns), {@code /dev/shm/runbook-UID}, {@code java.io.tmpdir/runbook-UID}. A shared directory
 * ({@code /dev/shm}, {@code /tmp}) is usable only if the engine's user owns {@code runbook-UID}
 * there, it is no symbolic link, and its mode is 0700: another user who created it first must not
 * read a step's output.
 */
public final class Spool {
  static final Set<PosixFilePermission> PRIVATE_DIR = PosixFilePermissions.fromString("rwx------");

  private final List<Path> candidates;
  private Path root;

  private Spool(List<Path> candidates) {
    this.candidates = List.copyOf(candidates);
  }

  /** The spool for an engine with this environment. */
  public static Spool forEnvironment(Map<String, String> environment) {
    List<Path> candidates = new ArrayList<>();
    String runtime = environment.get("XDG_RUNTIME_DIR");
    if (runtime != null && !runtime.isBlank() && Path.of(runtime).isAbsolute()) {
      candidates.add(Path.of(runtime, "runbook"));
    }
    String user = uid().map(Object::toString).orElse(System.getProperty("user.name"));
    candidates.add(Path.of("/dev/shm", "runbook-" + user));
    candidates.add(Path.of(System.getProperty("java.io.tmpdir"), "runbook-" + user));
    return new Spool(candidates);
  }

  /** A spool in exactly this directory (tests). */
  static Spool at(Path root) {
    return new Spool(List.of(root));
  }

  /**
   * A new, empty, owner-only directory for one process's raw output.
   *
   * @throws IOException if no candidate directory is usable
   */
  synchronized Path newProcessDir() throws IOException {
    if (root == null || !Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
      root = usableRoot();
    }
    return Files.createTempDirectory(root, "p", PosixFilePermissions.asFileAttribute(PRIVATE_DIR));
  }

  private Path usableRoot() throws IOException {
    List<String> problems = new ArrayList<>();
    for (Path candidate : candidates) {
      Optional<String> problem = prepare(candidate);
      if (problem.isEmpty()) {
        return candidate;
      }
      problems.add(candidate + ": " + problem.get());
    }
    throw new IOException(
        "no private directory for step output (" + String.join("; ", problems) + ")");
  }

  /** Creates {@code dir} owner-only if missing; why it cannot be used, or empty. */
  private static Optional<String> prepare(Path dir) {
    try {
      if (!Files.isDirectory(dir.getParent())) {
        return Optional.of("its parent does not exist");
      }
      try {
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PRIVATE_DIR));
      } catch (FileAlreadyExistsException e) {
        // someone made it before: usable only if it is ours and private, checked below
      }
      if (Files.isSymbolicLink(dir) || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        return Optional.of("not a directory");
      }
      Optional<Integer> me = uid();
      Object owner = Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
      if (me.isPresent() && !me.get().equals(owner)) {
        return Optional.of("owned by another user");
      }
      if (!Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS).equals(PRIVATE_DIR)) {
        return Optional.of("its mode is not 0700");
      }
      return Optional.empty();
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return Optional.of(String.valueOf(e.getMessage()));
    }
  }

  private static Optional<Integer> uid() {
    try {
      return Optional.of((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    } catch (IOException | UnsupportedOperationException | ClassCastException e) {
      return Optional.empty();
    }
  }

  /** Removes a process's directory and what it holds; quietly, it is only raw output. */
  static void remove(Path processDir) {
    try (var files = Files.list(processDir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.deleteIfExists(f);
      }
      Files.deleteIfExists(processDir);
    } catch (IOException e) {
      // Gone already, or unreadable: nothing more to do with raw output here.
    }
  }
}
