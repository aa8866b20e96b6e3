package dev.runbook.engine.internal.files;

import dev.runbook.engine.internal.files.FileActionException.Code;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Writes one backup; see {@link FileActions#backup} for the contract. */
final class BackupWriter {
  private static final String ACTION = "backup";

  private final Instant created;
  private final Optional<BackupManifest.Origin> origin;

  BackupWriter(Instant created, Optional<BackupManifest.Origin> origin) {
    this.created = created;
    this.origin = origin;
  }

  BackupResult write(List<Path> paths, Path base, Path toDir) {
    Map<String, Path> roots = checkRequest(paths, base);
    Optional<BackupResult> own = own(roots, base, toDir);
    if (own.isPresent()) {
      // Made by this very step of this run, which a crash stopped before its result was
      // journaled: doing it again would fail on its own backup, and the backup is complete.
      return own.get();
    }
    checkSourcesExist(roots);
    try {
      checkDestination(roots, toDir);
    } catch (IOException e) {
      throw FileActionException.io(ACTION, "read", toDir, e);
    }
    Path parent = toDir.getParent();
    try {
      Files.createDirectories(parent);
    } catch (IOException e) {
      throw FileActionException.io(ACTION, "create directory", parent, e);
    }
    removeStalePartials(toDir);

    Path staging = AtomicReplacement.sibling(toDir, "partial");
    try {
      Files.createDirectory(staging, PosixAttributes.OWNER_ONLY_DIR);
    } catch (IOException e) {
      throw FileActionException.io(ACTION, "create a directory in", parent, e);
    }
    try {
      BackupManifest manifest = fill(staging, roots, base);
      Files.move(staging, toDir, StandardCopyOption.ATOMIC_MOVE);
      PosixAttributes.fsyncDirectory(parent);
      return new BackupResult(toDir, manifest);
    } catch (IOException e) {
      FileActionException failure = FileActionException.io(ACTION, "write", toDir, e);
      TreeDeleter.deleteAfterFailure(staging, failure);
      throw failure;
    } catch (RuntimeException e) {
      TreeDeleter.deleteAfterFailure(staging, e);
      throw e;
    }
  }

  /**
   * The complete backup in {@code toDir} if this writer's origin made it from these paths: its
   * manifest names the same run and step, base and roots. Empty when the writer has no origin, or
   * {@code toDir} holds no valid manifest or another one. Reads the manifest only: it is written
   * into the backup before the rename that publishes it, so its presence means the copies are
   * complete.
   *
   * @throws FileActionException if the request itself is invalid (as {@link #write} would)
   */
  Optional<BackupResult> finished(List<Path> paths, Path base, Path toDir) {
    return own(checkRequest(paths, base), base, toDir);
  }

  private Optional<BackupResult> own(Map<String, Path> roots, Path base, Path toDir) {
    if (origin.isEmpty() || !Files.isRegularFile(toDir.resolve(BackupManifest.FILE_NAME))) {
      return Optional.empty();
    }
    BackupManifest manifest;
    try {
      manifest = BackupManifest.readFrom(toDir, ACTION);
    } catch (FileActionException e) {
      return Optional.empty(); // not a backup this step can claim; writing refuses it as usual
    }
    boolean same =
        manifest.origin().equals(origin)
            && manifest.base().equals(base)
            && manifest.roots().equals(List.copyOf(roots.keySet()));
    return same ? Optional.of(new BackupResult(toDir, manifest)) : Optional.empty();
  }

  /** The paths' entry paths, after checking the request itself (on disk, only that base is one). */
  private static Map<String, Path> checkRequest(List<Path> paths, Path base) {
    if (!Files.isDirectory(base)) {
      throw FileActions.conflict(
          base,
          ACTION
              + ": base directory "
              + base
              + (Files.exists(base) ? " is not a directory" : " does not exist"));
    }
    if (paths.isEmpty()) {
      throw FileActions.conflict(base, ACTION + ": no paths to back up");
    }
    return rootsOf(paths, base);
  }

  /** Copies every root into {@code staging}, then writes the manifest there last. */
  private BackupManifest fill(Path staging, Map<String, Path> roots, Path base) throws IOException {
    TreeCopier copier = new TreeCopier(ACTION);
    List<FileEntry> entries = new ArrayList<>();
    // Directories between the backup directory and a root, e.g. "files" for "files/local.db".
    Set<Path> between = new LinkedHashSet<>();
    for (Map.Entry<String, Path> root : roots.entrySet()) {
      String[] segments = root.getKey().split("/");
      Path dir = staging;
      for (int i = 0; i < segments.length - 1; i++) {
        dir = FileNames.resolve(dir, segments[i]);
        if (between.add(dir)) {
          Files.createDirectory(dir, PosixAttributes.OWNER_ONLY_DIR);
        }
      }
      Path target = FileNames.resolve(dir, segments[segments.length - 1]);
      entries.addAll(copier.copy(root.getValue(), target, root.getKey()));
    }
    for (Path dir : between) {
      PosixAttributes.fsyncDirectory(dir);
    }
    PosixAttributes.fsyncDirectory(staging);
    BackupManifest manifest =
        new BackupManifest(created, base, new ArrayList<>(roots.keySet()), entries, origin);
    manifest.writeTo(staging);
    return manifest;
  }

  /** Each path's entry path relative to {@code base}, in the order given. */
  private static Map<String, Path> rootsOf(List<Path> paths, Path base) {
    Map<String, Path> roots = new LinkedHashMap<>();
    for (Path given : paths) {
      Path path = base.resolve(given).normalize();
      if (path.equals(base)) {
        throw FileActions.conflict(
            path,
            ACTION
                + ": "
                + path
                + " is the base directory itself; list what is in it, or back it up from its"
                + " parent directory");
      }
      if (!path.startsWith(base)) {
        throw FileActions.conflict(
            path,
            ACTION
                + ": "
                + path
                + " is outside the base directory "
                + base
                + "; back it up in a step of its own whose working directory contains it, so that"
                + " a restore knows where it goes");
      }
      String root = EntryPath.of(base.relativize(path));
      if (root.split("/")[0].equals(BackupManifest.FILE_NAME)) {
        throw FileActions.conflict(
            path,
            ACTION
                + ": "
                + path
                + " would collide with the backup's own "
                + BackupManifest.FILE_NAME
                + "; back it up from its parent directory");
      }
      for (String other : roots.keySet()) {
        if (EntryPath.isWithin(root, other) || EntryPath.isWithin(other, root)) {
          throw FileActions.conflict(
              path,
              ACTION
                  + ": "
                  + (root.equals(other)
                      ? root + " is listed twice"
                      : (EntryPath.isWithin(root, other)
                              ? root + " is inside " + other
                              : other + " is inside " + root)
                          + ", which is backed up as a whole; list it once"));
        }
      }
      roots.put(root, path);
    }
    return roots;
  }

  /** Fails, naming every missing path, before anything is written. */
  private static void checkSourcesExist(Map<String, Path> roots) {
    List<Path> missing = new ArrayList<>();
    for (Path path : roots.values()) {
      Optional<PosixAttributes.Stat> stat;
      try {
        stat = PosixAttributes.lstatIfExists(path);
      } catch (IOException e) {
        throw FileActionException.io(ACTION, "read", path, e);
      }
      if (stat.isEmpty()) {
        missing.add(path);
      } else if (stat.get().kind().fileType().isEmpty()) {
        throw TreeCopier.unsupportedFile(ACTION, path, stat.get().kind());
      }
    }
    if (missing.size() == 1) {
      throw new FileActionException(
          Code.SOURCE_MISSING,
          missing.get(0),
          ACTION + ": " + missing.get(0) + " does not exist; nothing was backed up",
          null);
    }
    if (!missing.isEmpty()) {
      throw new FileActionException(
          Code.SOURCE_MISSING,
          missing.get(0),
          ACTION
              + ": "
              + missing.size()
              + " paths do not exist: "
              + String.join(", ", missing.stream().map(Path::toString).toList())
              + "; nothing was backed up",
          null);
    }
  }

  private static void checkDestination(Map<String, Path> roots, Path toDir) throws IOException {
    Path realTo = RealPaths.of(toDir);
    for (Path source : roots.values()) {
      Path realSource = RealPaths.of(source);
      if (RealPaths.isWithin(realTo, realSource)) {
        throw FileActions.conflict(
            toDir,
            ACTION
                + ": the backup directory "
                + toDir
                + " is inside "
                + source
                + ", which it backs up");
      }
      if (RealPaths.isWithin(realSource, realTo)) {
        throw FileActions.conflict(
            toDir, ACTION + ": " + source + " is inside the backup directory " + toDir);
      }
    }
    Optional<PosixAttributes.Stat> existing = PosixAttributes.lstatIfExists(toDir);
    if (existing.isEmpty()) {
      return;
    }
    if (existing.get().kind() != PosixAttributes.Kind.DIRECTORY) {
      throw FileActions.conflict(
          toDir, ACTION + ": " + toDir + " exists and is " + existing.get().kind().description());
    }
    if (Files.exists(toDir.resolve(BackupManifest.FILE_NAME))) {
      throw FileActions.conflict(
          toDir,
          ACTION
              + ": "
              + toDir
              + " already holds a backup; refusing to overwrite it, choose another directory");
    }
    try (DirectoryStream<Path> children = Files.newDirectoryStream(toDir)) {
      if (children.iterator().hasNext()) {
        throw FileActions.conflict(
            toDir,
            ACTION + ": " + toDir + " is not empty; a backup goes into a new or empty directory");
      }
    }
    if (AtomicReplacement.isMountPoint(toDir)) {
      throw FileActions.mountPoint(ACTION, toDir);
    }
  }

  /** Removes partial backups to the same directory that a crash left behind. */
  private static void removeStalePartials(Path toDir) {
    String prefix = AtomicReplacement.siblingPrefix(toDir, "partial");
    List<Path> stale = new ArrayList<>();
    try (DirectoryStream<Path> siblings =
        Files.newDirectoryStream(
            toDir.getParent(), entry -> FileNames.text(entry.getFileName()).startsWith(prefix))) {
      siblings.forEach(stale::add);
    } catch (NoSuchFileException e) {
      return;
    } catch (IOException e) {
      throw FileActionException.io(ACTION, "list directory", toDir.getParent(), e);
    }
    for (Path path : stale) {
      try {
        TreeDeleter.delete(path);
      } catch (IOException e) {
        throw FileActionException.io(ACTION, "remove the interrupted backup", path, e);
      }
    }
  }
}
