package dev.runbook.engine.internal.files;

import dev.runbook.engine.internal.files.FileActionException.Code;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Verifies and restores one backup; see {@link FileActions#restore} for the contract. */
final class BackupRestorer {
  private static final String ACTION = "restore";

  /** How many bad paths a refusal names before "and N more". */
  static final int PROBLEMS_SHOWN = 3;

  RestoreResult restore(Path fromDir, Path toDir, Optional<String> journaled) {
    if (!Files.isDirectory(fromDir)) {
      throw new FileActionException(
          Code.SOURCE_MISSING,
          fromDir,
          ACTION
              + ": backup directory "
              + fromDir
              + (Files.exists(fromDir) ? " is not a directory" : " does not exist")
              + "; nothing was changed",
          null);
    }
    BackupManifest manifest = BackupManifest.readFrom(fromDir, ACTION);
    if (journaled.isPresent() && !journaled.get().equals(manifest.digest())) {
      throw new FileActionException(
          Code.BACKUP_INVALID,
          fromDir,
          ACTION
              + ": backup "
              + fromDir
              + " is not the backup this run made there: its manifest's digest is "
              + manifest.digest()
              + ", the backup step journaled "
              + journaled.get()
              + " (the backup was changed after it was made); nothing was changed",
          null);
    }
    if (!Files.isDirectory(toDir)) {
      throw FileActions.conflict(
          toDir,
          ACTION
              + ": destination directory "
              + toDir
              + (Files.exists(toDir) ? " is not a directory" : " does not exist")
              + "; nothing was changed");
    }
    Map<String, Path> targets = new LinkedHashMap<>();
    for (String root : manifest.roots()) {
      targets.put(root, EntryPath.resolve(toDir, root));
    }
    try {
      checkTargets(fromDir, toDir, targets);
    } catch (IOException e) {
      throw FileActionException.io(ACTION, "read", toDir, e);
    }
    List<String> problems = verify(fromDir, manifest);
    if (!problems.isEmpty()) {
      throw new FileActionException(
          Code.BACKUP_INVALID,
          fromDir,
          ACTION
              + ": backup "
              + fromDir
              + " does not match its manifest, nothing was changed: "
              + summarize(problems),
          null);
    }

    Map<String, Path> staged = stage(fromDir, manifest, targets);
    Map<Path, Path> previous = install(staged, targets);
    previous.forEach((target, old) -> FileActions.deletePrevious(ACTION, target, old));
    targets.values().forEach(target -> StaleSiblings.remove(ACTION, target, "old"));
    return new RestoreResult(
        fromDir, toDir, manifest.roots(), manifest.summary(), manifest.digest());
  }

  /**
   * Every difference between the backup's files and its manifest, as {@code "path: what"}, in
   * manifest order; empty if the backup is intact. Reads and hashes every file; writes nothing.
   */
  static List<String> verify(Path fromDir, BackupManifest manifest) {
    Set<String> known = new HashSet<>();
    manifest.entries().forEach(entry -> known.add(entry.path()));
    ContentHasher hasher = new ContentHasher();
    List<String> problems = new ArrayList<>();
    for (FileEntry entry : manifest.entries()) {
      Path path = EntryPath.resolve(fromDir, entry.path());
      try {
        verifyEntry(path, entry, known, hasher).ifPresent(problems::add);
      } catch (IOException e) {
        problems.add(
            FileNames.shown(entry.path())
                + ": cannot be read ("
                + FileActionException.reason(e)
                + ")");
      }
    }
    return problems;
  }

  private static Optional<String> verifyEntry(
      Path path, FileEntry entry, Set<String> known, ContentHasher hasher) throws IOException {
    String shown = FileNames.shown(entry.path());
    Optional<PosixAttributes.Stat> stat = PosixAttributes.lstatIfExists(path);
    if (stat.isEmpty()) {
      return Optional.of(shown + ": missing");
    }
    PosixAttributes.Kind kind = stat.get().kind();
    if (!kind.fileType().equals(Optional.of(entry.type()))) {
      return Optional.of(
          shown
              + ": is "
              + kind.description()
              + ", the manifest says "
              + entry.type().manifestName());
    }
    switch (entry.type()) {
      case FILE -> {
        if (stat.get().size() != entry.size()) {
          return Optional.of(
              shown + ": " + stat.get().size() + " bytes, the manifest says " + entry.size());
        }
        String sha256;
        try (FileChannel in =
            FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
          sha256 = hasher.hash(in).sha256();
        }
        if (!sha256.equals(entry.sha256().orElseThrow())) {
          return Optional.of(shown + ": content differs (SHA-256 mismatch)");
        }
      }
      case SYMLINK -> {
        String target = FileNames.text(Files.readSymbolicLink(path));
        if (!target.equals(entry.target().orElseThrow())) {
          return Optional.of(
              shown
                  + ": links to "
                  + FileNames.shown(target)
                  + ", the manifest says "
                  + FileNames.shown(entry.target().orElseThrow()));
        }
      }
      case DIRECTORY -> {
        try (DirectoryStream<Path> children = Files.newDirectoryStream(path)) {
          for (Path child : children) {
            String childPath = EntryPath.child(entry.path(), FileNames.text(child.getFileName()));
            if (!known.contains(childPath)) {
              return Optional.of(
                  FileNames.shown(childPath) + ": not in the manifest (added after the backup)");
            }
          }
        }
      }
    }
    return Optional.empty();
  }

  static String summarize(List<String> problems) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < Math.min(PROBLEMS_SHOWN, problems.size()); i++) {
      text.append(i == 0 ? "" : "; ").append(problems.get(i));
    }
    if (problems.size() > PROBLEMS_SHOWN) {
      text.append("; and ").append(problems.size() - PROBLEMS_SHOWN).append(" more");
    }
    return text.toString();
  }

  /** Refuses restores that would replace the backup itself or a mount point. */
  private static void checkTargets(Path fromDir, Path toDir, Map<String, Path> targets)
      throws IOException {
    Path realFrom = fromDir.toRealPath();
    if (RealPaths.isWithin(RealPaths.of(toDir), realFrom)) {
      throw FileActions.conflict(
          toDir, ACTION + ": destination " + toDir + " is inside the backup " + fromDir);
    }
    for (Path target : targets.values()) {
      if (RealPaths.isWithin(realFrom, RealPaths.of(target))) {
        throw FileActions.conflict(
            target,
            ACTION
                + ": the backup "
                + fromDir
                + " is inside "
                + target
                + ", which the restore would replace; move the backup elsewhere first");
      }
      if (AtomicReplacement.isMountPoint(target)) {
        throw FileActions.mountPoint(ACTION, target);
      }
    }
  }

  /**
   * Copies every root beside its destination; on failure removes every staged copy, so the
   * destination is untouched.
   */
  private static Map<String, Path> stage(
      Path fromDir, BackupManifest manifest, Map<String, Path> targets) {
    TreeCopier copier = new TreeCopier(ACTION);
    Map<String, Path> staged = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, Path> root : targets.entrySet()) {
        Path target = root.getValue();
        try {
          Files.createDirectories(target.getParent());
        } catch (IOException e) {
          throw FileActionException.io(ACTION, "create directory", target.getParent(), e);
        }
        StaleSiblings.remove(ACTION, target, "new");
        Path copy = AtomicReplacement.sibling(target, "new");
        staged.put(root.getKey(), copy);
        copier.restore(fromDir, manifest.entriesOf(root.getKey()), copy);
      }
    } catch (RuntimeException e) {
      staged.values().forEach(copy -> TreeDeleter.deleteAfterFailure(copy, e));
      throw e;
    }
    return staged;
  }

  /**
   * Puts every staged copy in place, in order; returns the moved-away previous versions by
   * destination (a destination a single rename replaced has none).
   */
  private static Map<Path, Path> install(Map<String, Path> staged, Map<String, Path> targets) {
    Map<Path, Path> previous = new LinkedHashMap<>();
    List<String> done = new ArrayList<>();
    for (Map.Entry<String, Path> root : staged.entrySet()) {
      Path target = targets.get(root.getKey());
      try {
        AtomicReplacement.install(root.getValue(), target)
            .ifPresent(old -> previous.put(target, old));
        PosixAttributes.fsyncDirectory(target.getParent());
        done.add(root.getKey());
      } catch (IOException e) {
        List<String> notDone = new ArrayList<>(staged.keySet());
        notDone.removeAll(done);
        FileActionException failure =
            new FileActionException(
                Code.IO_FAILURE,
                target,
                ACTION
                    + ": cannot replace "
                    + target
                    + ": "
                    + FileActionException.reason(e)
                    + "; restored: "
                    + (done.isEmpty() ? "nothing" : String.join(", ", done))
                    + "; not restored: "
                    + String.join(", ", notDone)
                    + "; running the restore again completes it",
                e);
        notDone.forEach(key -> TreeDeleter.deleteAfterFailure(staged.get(key), failure));
        previous.values().forEach(old -> TreeDeleter.deleteAfterFailure(old, failure));
        throw failure;
      }
    }
    return previous;
  }
}
