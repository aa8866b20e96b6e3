package dev.runbook.engine.internal.files;

import dev.runbook.engine.internal.files.FileActionException.Code;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code copy}, {@code backup} and {@code restore} actions on resolved, absolute paths.
 *
 * <h2>What every action keeps</h2>
 *
 * Kinds (file, directory, symbolic link), content, permission bits including set-id and sticky
 * bits, and modification times to the file system's precision, for directories too (set after their
 * contents). Owner and group are kept when the process may set them (running as root), and
 * otherwise left to the user running the engine, as {@code cp -p} does. Symbolic links are copied
 * as links with the same text and never followed, so nothing outside a tree is read or written
 * through one. FIFOs, sockets and devices are refused. Hard links become separate files; extended
 * attributes and ACLs are not copied.
 *
 * <h2>Confidentiality</h2>
 *
 * Every file and directory is created owner-only and receives its final mode only once its content
 * is complete: a copy is never more readable than its source, not even while written.
 *
 * <h2>Durability and atomicity</h2>
 *
 * Each action writes into a hidden temporary sibling of its destination ({@code
 * .<name>.runbook-new-<hex>}, {@code .<name>.runbook-partial-<hex>}), fsyncs every file and
 * directory, then renames it into place and fsyncs the parent. A crash therefore never leaves a
 * half-written destination; see each method for exactly what is atomic. Temporary siblings left by
 * a crash are recognizable by name and safe to delete, except {@code .<name>.runbook-old-*} while
 * {@code <name>} itself is missing: that is the previous version, to rename back. Running the
 * interrupted {@code copy} or {@code restore} again (as {@code resume} does) removes them once the
 * new version is in place.
 *
 * <p>Every failure an operator can cause or fix is a {@link FileActionException} with a one-line
 * message; a {@link NullPointerException} or {@link IllegalArgumentException} is a caller's bug.
 * Instances are stateless apart from the clock and may be shared between threads, but two actions
 * on the same paths at the same time are not coordinated.
 */
public final class FileActions {
  private final Clock clock;

  /** File actions that stamp backups with the system clock. */
  public FileActions() {
    this(Clock.systemUTC());
  }

  /**
   * File actions that stamp backups with the given clock.
   *
   * @param clock for a backup manifest's {@code created}, never null
   */
  public FileActions(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Makes {@code to} an exact copy of {@code from}: a file, a symbolic link or a directory tree.
   *
   * <p><b>{@code to} names the result, never a directory to copy into.</b> An existing directory at
   * {@code to} does not make the copy land inside it, as it would with {@code cp -r a/ b/} (which
   * creates {@code b/a}). The parent of {@code to} must exist.
   *
   * <p><b>Onto an existing path the copy replaces, it does not merge.</b> If {@code to} exists and
   * is of the same kind (a directory for a directory; a file or link for a file or link), it is
   * replaced as a whole: afterwards {@code to} holds exactly what {@code from} holds, and what only
   * the old {@code to} had is gone. That is what an operator means by restoring {@code .next} from
   * {@code .update-backup/.next}: a merge would leave the new version's stale files among the old
   * version's, an application that is neither. A change of kind (a file onto a directory or the
   * reverse) is refused as a likely mistake, as are {@code from} and {@code to} that are the same
   * or inside one another, and a {@code to} that is a mount point.
   *
   * <p><b>Atomicity.</b> The copy is written completely into {@code .<name>.runbook-new-<hex>}
   * beside {@code to} and fsynced. A file or link then replaces {@code to} with one {@code
   * rename(2)}: atomic, readers see the old or the new. A directory takes two renames, {@code to}
   * to {@code .<name>.runbook-old-<hex>} and the copy to {@code to}, each atomic; between them
   * (microseconds) {@code to} does not exist. So a crash leaves {@code to} either complete and old,
   * complete and new, or absent with both complete versions beside it — never half-replaced. The
   * old version is deleted last; a crash while deleting it leaves only that sibling to remove. If
   * the copy fails before the rename, the temporary copy is removed and {@code to} is untouched.
   * The next copy to the same {@code to} removes the siblings a crashed one left (see {@link
   * StaleSiblings}), so a copy run again after a crash ends as if it had never been interrupted.
   *
   * @param from what to copy, absolute; a symbolic link is copied as a link
   * @param to the path to create or replace, absolute
   * @return what was copied, with SHA-256 of every file and a tree digest
   * @throws FileActionException if {@code from} is missing, the request conflicts with what is on
   *     disk, the tree holds a special file, or the file system fails
   */
  public CopyResult copy(Path from, Path to) {
    Path source = absolute(from, "from");
    Path target = absolute(to, "to");
    PosixAttributes.Stat sourceStat;
    try {
      sourceStat =
          PosixAttributes.lstatIfExists(source)
              .orElseThrow(
                  () ->
                      new FileActionException(
                          Code.SOURCE_MISSING,
                          source,
                          "copy: source " + source + " does not exist",
                          null));
    } catch (IOException e) {
      throw FileActionException.io("copy", "read", source, e);
    }
    FileType type =
        sourceStat
            .kind()
            .fileType()
            .orElseThrow(() -> TreeCopier.unsupportedFile("copy", source, sourceStat.kind()));
    Path parent = target.getParent();
    if (parent == null) {
      throw conflict(target, "copy: refusing to replace the root directory " + target);
    }
    if (!Files.isDirectory(parent)) {
      throw conflict(
          parent,
          "copy: cannot create "
              + target
              + ": its directory "
              + parent
              + (Files.exists(parent) ? " is not a directory" : " does not exist"));
    }
    try {
      checkNotNested(source, target);
      Optional<PosixAttributes.Stat> existing = PosixAttributes.lstatIfExists(target);
      if (existing.isPresent()) {
        checkReplaceable(type, source, target, existing.get());
      }
    } catch (IOException e) {
      throw FileActionException.io("copy", "read", target, e);
    }

    StaleSiblings.remove("copy", target, "new");
    Path staged = AtomicReplacement.sibling(target, "new");
    List<FileEntry> entries;
    try {
      entries = new TreeCopier("copy").copy(source, staged, EntryPath.ROOT);
    } catch (RuntimeException e) {
      TreeDeleter.deleteAfterFailure(staged, e);
      throw e;
    }
    Optional<Path> previous;
    try {
      previous = AtomicReplacement.install(staged, target);
      PosixAttributes.fsyncDirectory(parent);
    } catch (IOException e) {
      FileActionException failure = FileActionException.io("copy", "replace", target, e);
      TreeDeleter.deleteAfterFailure(staged, failure);
      throw failure;
    }
    previous.ifPresent(old -> deletePrevious("copy", target, old));
    StaleSiblings.remove("copy", target, "old");
    return new CopyResult(source, target, entries, TreeDigest.of(entries));
  }

  /**
   * Copies {@code paths} into a new backup directory {@code toDir} with a checksummed {@code
   * manifest.json}; the format and layout are described at {@link BackupManifest}.
   *
   * <p>Every path must lie inside {@code base} and is recorded by its path relative to it, so that
   * a restore can put it back under any directory. A path outside {@code base} is refused rather
   * than recorded by its absolute path: a restore must write only under the destination it is
   * given. Back such a path up in a step of its own whose working directory contains it. {@code
   * base} itself, duplicates, paths inside one another and a top-level {@code manifest.json} are
   * refused too.
   *
   * <p><b>A missing path is an error, never skipped</b>, and every path is checked before anything
   * is written: a backup that silently lacks {@code .env} would be found out only at the restore
   * that needs it. A path that is itself a symbolic link is backed up as the link, as {@code cp
   * -r}, {@code tar} and {@code rsync -a} do, not as what it points to: list the target's path to
   * back up its content. Symbolic links among a path's parent directories are followed.
   *
   * <p>{@code toDir} must not exist or be an empty directory; a directory holding a backup is never
   * overwritten. Missing parents of {@code toDir} are created.
   *
   * <p><b>Atomicity.</b> The backup is built in {@code .<name>.runbook-partial-<hex>} beside {@code
   * toDir}: each file is hashed while it is copied (one read), fsynced, and its directory fsynced;
   * the manifest is written last (temporary file, fsync, rename), and then the whole directory is
   * renamed to {@code toDir} in one atomic {@code rename(2)}. {@code toDir} is thus either absent
   * or a complete backup with its manifest; a partial directory left by a crash is removed by the
   * next backup to the same {@code toDir}. A file that changes while it is copied (size or time)
   * fails the backup: stop the service that writes it first.
   *
   * @param paths what to back up: absolute, or relative to {@code base}; never empty
   * @param base the directory the paths are recorded relative to, absolute (the step's working
   *     directory)
   * @param toDir the backup directory to create, absolute; created {@code 0700}
   * @return the backup directory and its manifest
   * @throws FileActionException if a path is missing, outside {@code base} or special, {@code
   *     toDir} is in the way, or the file system fails
   */
  public BackupResult backup(List<Path> paths, Path base, Path toDir) {
    Objects.requireNonNull(paths, "paths");
    return new BackupWriter(clock.instant(), Optional.empty())
        .write(paths, absolute(base, "base"), absolute(toDir, "toDir"));
  }

  /**
   * As {@link #backup(List, Path, Path)}, for a step of a run: the manifest names {@code origin},
   * and it is written before the rename that publishes the backup. If {@code toDir} already holds
   * the complete backup this same origin made of these same paths (a crash came after that rename
   * and before the run journaled the step's result), that backup is the result and nothing is
   * written: the step can be run again after a crash without failing on its own backup.
   *
   * @param origin the run and step making the backup, never null
   */
  public BackupResult backup(
      List<Path> paths, Path base, Path toDir, BackupManifest.Origin origin) {
    Objects.requireNonNull(paths, "paths");
    Objects.requireNonNull(origin, "origin");
    return new BackupWriter(clock.instant(), Optional.of(origin))
        .write(paths, absolute(base, "base"), absolute(toDir, "toDir"));
  }

  /**
   * The backup {@link #backup(List, Path, Path, BackupManifest.Origin)} with these arguments
   * finished, if it did: {@code toDir} holds a valid manifest naming {@code origin}, {@code base}
   * and these paths. Empty when it cannot tell (no manifest, another one, an invalid request).
   * Writes nothing.
   */
  public Optional<BackupResult> finishedBackup(
      List<Path> paths, Path base, Path toDir, BackupManifest.Origin origin) {
    Objects.requireNonNull(paths, "paths");
    Objects.requireNonNull(origin, "origin");
    try {
      return new BackupWriter(clock.instant(), Optional.of(origin))
          .finished(paths, absolute(base, "base"), absolute(toDir, "toDir"));
    } catch (FileActionException e) {
      return Optional.empty();
    }
  }

  /**
   * What {@link #copy copy(from, to)} reported, if its effect is on disk: {@code to} holds what
   * {@code from} holds (equal {@link TreeDigest}s: kinds, paths, modes, contents, link texts; times
   * and owners are not compared). A copy that finished before a crash, with its result never
   * journaled, is then done: running it again would replace {@code to} with the same tree. The
   * previous version and staged copies an interrupted copy left beside {@code to} are removed, as
   * running it again would. Empty when either path is missing or unreadable, the trees differ, or
   * the copy would be refused.
   */
  public Optional<CopyResult> finishedCopy(Path from, Path to) {
    Path source = absolute(from, "from");
    Path target = absolute(to, "to");
    try {
      if (PosixAttributes.lstatIfExists(source).isEmpty()
          || PosixAttributes.lstatIfExists(target).isEmpty()
          || target.getParent() == null) {
        return Optional.empty();
      }
      checkNotNested(source, target);
      List<FileEntry> copied = TreeDigest.scan(target);
      String digest = TreeDigest.of(copied);
      if (!digest.equals(TreeDigest.of(source))) {
        return Optional.empty();
      }
      StaleSiblings.remove("copy", target, "old");
      StaleSiblings.remove("copy", target, "new");
      return Optional.of(new CopyResult(source, target, copied, digest));
    } catch (IOException | FileActionException e) {
      return Optional.empty();
    }
  }

  /**
   * What the complete backup in {@code dir} holds, as {@link #backup} reported it when it made it:
   * for a backup step that finished while the engine was stopped, whose outputs were never
   * journaled.
   *
   * @param dir a backup directory, absolute
   * @throws FileActionException if {@code dir} holds no valid manifest
   */
  public BackupResult existingBackup(Path dir) {
    Path backup = absolute(dir, "dir");
    return new BackupResult(backup, BackupManifest.readFrom(backup, "backup"));
  }

  /**
   * Verifies the backup in {@code fromDir} completely, then puts each of its paths back under
   * {@code toDir}, replacing what is there.
   *
   * <p><b>Verification comes first and is complete</b>: the manifest must be present, valid and
   * match its digest; every entry must exist in the backup with its kind, size and SHA-256 (files)
   * or link text (links); and no file may have been added inside a backed-up directory. Files
   * outside the backed-up paths (a note an operator dropped in the backup directory) are ignored.
   * On any mismatch the restore is refused with the first few bad paths, and nothing under {@code
   * toDir} has been touched.
   *
   * <p><b>Each backed-up path is replaced as a whole</b>, whatever is there now, with the modes,
   * times and (as root) owners from the manifest: a restored {@code node_modules/} holds exactly
   * the backed-up files, and files created after the backup inside it are gone. Paths not in the
   * backup are left alone. Missing parent directories under {@code toDir} are created; existing
   * ones are used as they are, so a parent that is a symbolic link (say {@code data ->
   * /mnt/disk/data}) is followed, as it was when the backup read through it. Nothing inside a
   * restored path is ever written through a link: each is rebuilt from scratch.
   *
   * <p><b>Atomicity.</b> All paths are first staged completely, each into {@code
   * .<name>.runbook-new-<hex>} beside its destination, re-checking every file's SHA-256 while
   * copying; if staging fails (a full disk, a backup changed since verification) the staged copies
   * are removed and nothing under {@code toDir} has been replaced (missing parent directories it
   * created stay). Then each path is put in place as {@link #copy} does (one atomic rename for a
   * file or link; two for a directory, between which it is absent), in the manifest's order, and
   * the previous versions are deleted at the end. Each path's replacement is thus atomic or nearly
   * so; the restore as a whole is not: a crash during the renames leaves some paths restored and
   * others not yet, which running the restore again completes, removing the temporary siblings the
   * crashed one left.
   *
   * @param fromDir the backup directory, absolute
   * @param toDir the directory the backed-up paths are restored under, absolute; must exist
   * @return what was restored
   * @throws FileActionException with {@link Code#BACKUP_INVALID} if the backup is incomplete or
   *     does not match its manifest; other codes for conflicts and file system failures
   */
  public RestoreResult restore(Path fromDir, Path toDir) {
    return restore(fromDir, toDir, Optional.empty());
  }

  /**
   * As {@link #restore(Path, Path)}, for a backup whose manifest digest a run journaled: the backup
   * is refused, before anything is read from it, unless its manifest has that digest. A manifest
   * edited and re-digested after the backup step (owners, times, contents swapped) is so found out
   * within the run that made the backup.
   *
   * @param journaled the digest the backup step's outputs recorded; empty for a backup this run did
   *     not make
   */
  public RestoreResult restore(Path fromDir, Path toDir, Optional<String> journaled) {
    Objects.requireNonNull(journaled, "journaled");
    return new BackupRestorer()
        .restore(absolute(fromDir, "fromDir"), absolute(toDir, "toDir"), journaled);
  }

  /**
   * What {@link #restore restore(fromDir, toDir)} reported, if its effect is on disk: the backup's
   * manifest is valid and every backed-up path under {@code toDir} holds exactly what the manifest
   * lists (equal {@link TreeDigest}s: kinds, paths, modes, contents, link texts; nothing added). A
   * restore that finished before a crash, with its result never journaled, is then done. The
   * previous versions and staged copies an interrupted restore left are removed, as running it
   * again would. Empty when it cannot tell or the restore is not complete.
   */
  public Optional<RestoreResult> finishedRestore(Path fromDir, Path toDir) {
    return finishedRestore(fromDir, toDir, Optional.empty());
  }

  /**
   * As {@link #finishedRestore(Path, Path)}; empty too when the manifest's digest is not {@code
   * journaled} (see {@link #restore(Path, Path, Optional)}).
   */
  public Optional<RestoreResult> finishedRestore(
      Path fromDir, Path toDir, Optional<String> journaled) {
    Path from = absolute(fromDir, "fromDir");
    Path to = absolute(toDir, "toDir");
    try {
      if (!Files.isDirectory(from) || !Files.isDirectory(to)) {
        return Optional.empty();
      }
      BackupManifest manifest = BackupManifest.readFrom(from, "restore");
      List<FileEntry> restored = new ArrayList<>();
      List<Path> targets = new ArrayList<>();
      for (String root : manifest.roots()) {
        Path target = EntryPath.resolve(to, root);
        if (PosixAttributes.lstatIfExists(target).isEmpty()) {
          return Optional.empty();
        }
        targets.add(target);
        restored.addAll(TreeDigest.scan(target, root));
      }
      if (!TreeDigest.of(restored).equals(manifest.contentDigest())
          || journaled.map(d -> !d.equals(manifest.digest())).orElse(false)) {
        return Optional.empty();
      }
      for (Path target : targets) {
        StaleSiblings.remove("restore", target, "old");
        StaleSiblings.remove("restore", target, "new");
      }
      return Optional.of(
          new RestoreResult(from, to, manifest.roots(), manifest.summary(), manifest.digest()));
    } catch (IOException | FileActionException e) {
      return Optional.empty();
    }
  }

  /**
   * The path a runbook's text names, relative to {@code dir} unless absolute, normalized: its
   * characters as UTF-8 bytes whatever the locale (under {@code LANG=C} the JDK would refuse any
   * non-ASCII name). Runbooks are UTF-8 text, so a name typed in one means those bytes.
   */
  public static Path resolve(Path dir, String text) {
    return FileNames.resolve(dir, text).normalize();
  }

  /** {@link #resolve} of an absolute path's text, such as a backup step's {@code dir} output. */
  public static Path path(String absolute) {
    return FileNames.path(absolute).normalize();
  }

  /** Whether two paths name the same file: the same name, or the same inode where both exist. */
  public static boolean samePath(Path a, Path b) {
    if (a.normalize().equals(b.normalize())) {
      return true;
    }
    try {
      return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
    } catch (IOException e) {
      return false;
    }
  }

  private static void checkNotNested(Path source, Path target) throws IOException {
    Path realSource = RealPaths.of(source);
    Path realTarget = RealPaths.of(target);
    if (realSource.equals(realTarget)) {
      throw conflict(target, "copy: source and destination are the same path " + target);
    }
    if (RealPaths.isWithin(realTarget, realSource)) {
      throw conflict(target, "copy: destination " + target + " is inside the source " + source);
    }
    if (RealPaths.isWithin(realSource, realTarget)) {
      throw conflict(
          target,
          "copy: source "
              + source
              + " is inside the destination "
              + target
              + ", which it would replace");
    }
  }

  private static void checkReplaceable(
      FileType type, Path source, Path target, PosixAttributes.Stat existing) throws IOException {
    Optional<FileType> existingType = existing.kind().fileType();
    if (existingType.isEmpty()) {
      throw TreeCopier.unsupportedFile("copy", target, existing.kind());
    }
    boolean fromDirectory = type == FileType.DIRECTORY;
    boolean toDirectory = existingType.get() == FileType.DIRECTORY;
    if (fromDirectory != toDirectory) {
      throw conflict(
          target,
          "copy: refusing to replace "
              + existing.kind().description()
              + " ("
              + target
              + ") with "
              + (fromDirectory ? "a directory" : "a file")
              + " ("
              + source
              + "); remove it first if that is meant");
    }
    if (AtomicReplacement.isMountPoint(target)) {
      throw mountPoint("copy", target);
    }
  }

  static FileActionException mountPoint(String action, Path target) {
    return conflict(
        target,
        action
            + ": "
            + target
            + " is a mount point, which cannot be replaced by renaming; copy into a directory"
            + " inside it instead");
  }

  /** Deletes the moved-away previous version once the new one is in place. */
  static void deletePrevious(String action, Path target, Path old) {
    try {
      TreeDeleter.delete(old);
    } catch (IOException e) {
      throw new FileActionException(
          Code.IO_FAILURE,
          old,
          action
              + ": "
              + target
              + " is in place, but its previous version at "
              + old
              + " could not be removed: "
              + FileActionException.reason(e),
          e);
    }
  }

  static FileActionException conflict(Path path, String message) {
    return new FileActionException(Code.CONFLICT, path, message, null);
  }

  private static Path absolute(Path path, String name) {
    Objects.requireNonNull(path, name);
    if (!path.isAbsolute()) {
      throw new IllegalArgumentException(name + " must be an absolute path: " + path);
    }
    return path.normalize();
  }
}
