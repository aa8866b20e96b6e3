package dev.runbook.engine.internal.files;

import dev.runbook.engine.internal.files.FileActionException.Code;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Copies a tree into a path that does not exist yet, keeping kinds, modes, owners (best effort) and
 * modification times, hashing every file in the same pass that copies it.
 *
 * <p>Symbolic links are recreated with the same text and never followed, so nothing outside the
 * source tree is read. FIFOs, sockets and devices are refused. Hard links become separate files;
 * extended attributes and ACLs are not copied; sparse files are written densely.
 *
 * <p>Files and directories are created owner-only and get their final mode after their content, so
 * no one else can read a file while it is written, and read-only directories can be filled. Each
 * file and directory is fsynced (with its final metadata) before the copy returns. Directory times
 * are set after their contents, since adding entries changes them.
 *
 * <p>Not thread-safe: one instance per operation.
 */
final class TreeCopier {
  private static final Set<OpenOption> CREATE_FOR_WRITE =
      Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);

  private final String action;
  private final ContentHasher hasher = new ContentHasher();

  /**
   * Creates a copier.
   *
   * @param action the action named in messages: copy, backup or restore
   */
  TreeCopier(String action) {
    this.action = action;
  }

  /**
   * Copies {@code source} (not followed) to {@code target}, which must not exist and whose parent
   * must. Returns what was copied in pre-order, the root first, paths starting at {@code prefix}.
   *
   * @throws FileActionException on any failure; the caller removes the partial {@code target}
   */
  List<FileEntry> copy(Path source, Path target, String prefix) {
    List<FileEntry> entries = new ArrayList<>();
    copyEntry(source, target, prefix, stat(source), entries);
    return entries;
  }

  /**
   * Recreates one backed-up root at {@code target} (which must not exist) from the backup's copies
   * and the manifest's metadata, checking every file's size and SHA-256 again as it is copied.
   *
   * @param backupDir the backup directory holding the manifest
   * @param entries the root's entry first, then everything under it, in pre-order
   * @throws FileActionException if a file no longer matches the manifest, or on I/O failure
   */
  void restore(Path backupDir, List<FileEntry> entries, Path target) {
    String root = entries.get(0).path();
    List<FileEntry> directories = new ArrayList<>();
    for (FileEntry entry : entries) {
      Path source = EntryPath.resolve(backupDir, entry.path());
      Path destination =
          entry.path().equals(root)
              ? target
              : EntryPath.resolve(target, entry.path().substring(root.length() + 1));
      switch (entry.type()) {
        case DIRECTORY -> {
          createDirectory(destination);
          directories.add(entry);
        }
        case FILE -> restoreFile(source, destination, entry);
        case SYMLINK ->
            createSymlink(destination, FileNames.path(entry.target().orElseThrow()), entry);
      }
    }
    // Deepest first, so setting a directory's time is not undone by work inside it.
    for (int i = directories.size() - 1; i >= 0; i--) {
      FileEntry dir = directories.get(i);
      Path destination =
          dir.path().equals(root)
              ? target
              : EntryPath.resolve(target, dir.path().substring(root.length() + 1));
      finishDirectory(destination, dir);
    }
  }

  private void copyEntry(
      Path source, Path target, String path, PosixAttributes.Stat stat, List<FileEntry> entries) {
    FileType type = stat.kind().fileType().orElseThrow(() -> unsupported(source, stat.kind()));
    switch (type) {
      case FILE -> entries.add(copyFile(source, target, path, stat));
      case SYMLINK -> entries.add(copySymlink(source, target, path, stat));
      case DIRECTORY -> copyDirectory(source, target, path, stat, entries);
    }
  }

  private void copyDirectory(
      Path source, Path target, String path, PosixAttributes.Stat stat, List<FileEntry> entries) {
    FileEntry entry =
        new FileEntry(
            path,
            FileType.DIRECTORY,
            0,
            stat.permissions(),
            stat.mtime().toInstant(),
            Optional.of(stat.owner()),
            Optional.empty(),
            Optional.empty());
    createDirectory(target);
    entries.add(entry);
    for (Path child : children(source)) {
      // Resolved as a Path, never through a String: the name keeps its exact bytes.
      String name = FileNames.text(child.getFileName());
      copyEntry(
          child,
          target.resolve(child.getFileName()),
          EntryPath.child(path, name),
          statInTree(child),
          entries);
    }
    finishDirectory(target, entry);
  }

  private FileEntry copyFile(Path source, Path target, String path, PosixAttributes.Stat before) {
    String doing = "read";
    Path at = source;
    try (FileChannel in =
        FileChannel.open(source, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      doing = "create";
      at = target;
      try (FileChannel out =
          FileChannel.open(target, CREATE_FOR_WRITE, PosixAttributes.OWNER_ONLY_FILE)) {
        doing = "read";
        at = source;
        ContentHasher.Result copied = hasher.copy(in, out);
        PosixAttributes.Stat after = PosixAttributes.lstat(source);
        if (copied.bytes() != before.size()
            || after.size() != before.size()
            || !after.mtime().equals(before.mtime())) {
          throw new FileActionException(
              Code.CONFLICT,
              source,
              action
                  + ": "
                  + source
                  + " changed while it was being copied; stop whatever writes to it and try"
                  + " again",
              null);
        }
        FileEntry entry =
            new FileEntry(
                path,
                FileType.FILE,
                copied.bytes(),
                before.permissions(),
                before.mtime().toInstant(),
                Optional.of(before.owner()),
                Optional.of(copied.sha256()),
                Optional.empty());
        doing = "set attributes of";
        at = target;
        PosixAttributes.apply(target, FileType.FILE, entry.mode(), entry.mtime(), entry.owner());
        doing = "flush";
        out.force(true);
        doing = "close";
        return entry;
      }
    } catch (ContentHasher.WriteFailedException e) {
      throw FileActionException.io(action, "write", target, e.writeFailure());
    } catch (IOException e) {
      throw FileActionException.io(action, doing, at, e);
    }
  }

  private void restoreFile(Path source, Path target, FileEntry entry) {
    String doing = "read";
    Path at = source;
    try (FileChannel in =
        FileChannel.open(source, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      doing = "create";
      at = target;
      try (FileChannel out =
          FileChannel.open(target, CREATE_FOR_WRITE, PosixAttributes.OWNER_ONLY_FILE)) {
        doing = "read";
        at = source;
        ContentHasher.Result copied = hasher.copy(in, out);
        if (copied.bytes() != entry.size()
            || !copied.sha256().equals(entry.sha256().orElseThrow())) {
          throw new FileActionException(
              Code.BACKUP_INVALID,
              source,
              action
                  + ": backup file "
                  + source
                  + " changed after it was verified; the restore was abandoned before replacing"
                  + " anything",
              null);
        }
        doing = "set attributes of";
        at = target;
        PosixAttributes.apply(target, FileType.FILE, entry.mode(), entry.mtime(), entry.owner());
        doing = "flush";
        out.force(true);
        doing = "close";
      }
    } catch (ContentHasher.WriteFailedException e) {
      throw FileActionException.io(action, "write", target, e.writeFailure());
    } catch (IOException e) {
      throw FileActionException.io(action, doing, at, e);
    }
  }

  private FileEntry copySymlink(Path source, Path target, String path, PosixAttributes.Stat stat) {
    Path linkText;
    try {
      linkText = Files.readSymbolicLink(source);
    } catch (IOException e) {
      throw FileActionException.io(action, "read symbolic link", source, e);
    }
    FileEntry entry =
        new FileEntry(
            path,
            FileType.SYMLINK,
            0,
            stat.permissions(),
            stat.mtime().toInstant(),
            Optional.of(stat.owner()),
            Optional.empty(),
            Optional.of(FileNames.text(linkText)));
    createSymlink(target, linkText, entry);
    return entry;
  }

  private void createSymlink(Path target, Path linkText, FileEntry entry) {
    try {
      Files.createSymbolicLink(target, linkText);
      PosixAttributes.apply(target, FileType.SYMLINK, entry.mode(), entry.mtime(), entry.owner());
    } catch (IOException e) {
      throw FileActionException.io(action, "create symbolic link", target, e);
    }
  }

  private void createDirectory(Path target) {
    try {
      Files.createDirectory(target, PosixAttributes.OWNER_ONLY_DIR);
    } catch (IOException e) {
      throw FileActionException.io(action, "create directory", target, e);
    }
  }

  /** Applies a directory's final metadata once its contents are complete, and fsyncs it. */
  private void finishDirectory(Path dir, FileEntry entry) {
    // Opened before the mode is applied: a directory may end up unreadable to its owner.
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      PosixAttributes.apply(dir, FileType.DIRECTORY, entry.mode(), entry.mtime(), entry.owner());
      channel.force(true);
    } catch (IOException e) {
      throw FileActionException.io(action, "set attributes of", dir, e);
    }
  }

  private List<Path> children(Path dir) {
    List<Path> children = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      stream.forEach(children::add);
    } catch (IOException e) {
      throw FileActionException.io(action, "list directory", dir, e);
    }
    children.sort(EntryPath::compareFileNames);
    return children;
  }

  private PosixAttributes.Stat stat(Path source) {
    try {
      return PosixAttributes.lstat(source);
    } catch (NoSuchFileException e) {
      throw new FileActionException(
          Code.SOURCE_MISSING, source, action + ": " + source + " does not exist", e);
    } catch (IOException e) {
      throw FileActionException.io(action, "read", source, e);
    }
  }

  private PosixAttributes.Stat statInTree(Path source) {
    try {
      return PosixAttributes.lstat(source);
    } catch (NoSuchFileException e) {
      throw new FileActionException(
          Code.CONFLICT,
          source,
          action + ": " + source + " disappeared while it was being copied",
          e);
    } catch (IOException e) {
      throw FileActionException.io(action, "read", source, e);
    }
  }

  private FileActionException unsupported(Path path, PosixAttributes.Kind kind) {
    return unsupportedFile(action, path, kind);
  }

  static FileActionException unsupportedFile(String action, Path path, PosixAttributes.Kind kind) {
    return new FileActionException(
        Code.UNSUPPORTED_FILE,
        path,
        action
            + ": refusing "
            + path
            + ": it is "
            + kind.description()
            + "; only regular files, directories and symbolic links are copied",
        null);
  }
}
