package dev.runbook.engine.internal.files;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads and applies the POSIX metadata the file actions keep (kind, mode, owner, mtime), never
 * following symbolic links. Needs the JDK's {@code unix} attribute view (Linux, macOS).
 */
final class PosixAttributes {
  /** For files created by the actions: owner-only until their final mode is applied. */
  static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_FILE =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

  /** For directories created by the actions: owner-only until their final mode is applied. */
  static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_DIR =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

  private static final String ATTRIBUTES = "unix:mode,uid,gid,size,lastModifiedTime,dev";

  private PosixAttributes() {}

  /** What {@code lstat} says a path is. */
  enum Kind {
    FILE("a regular file"),
    DIRECTORY("a directory"),
    SYMLINK("a symbolic link"),
    FIFO("a named pipe (FIFO)"),
    SOCKET("a socket"),
    CHAR_DEVICE("a character device"),
    BLOCK_DEVICE("a block device"),
    UNKNOWN("a file of unknown type");

    private final String description;

    Kind(String description) {
      this.description = description;
    }

    /** With an article, for messages: "a named pipe (FIFO)". */
    String description() {
      return description;
    }

    /** The copyable type, if this kind is one. */
    Optional<FileType> fileType() {
      return switch (this) {
        case FILE -> Optional.of(FileType.FILE);
        case DIRECTORY -> Optional.of(FileType.DIRECTORY);
        case SYMLINK -> Optional.of(FileType.SYMLINK);
        case FIFO, SOCKET, CHAR_DEVICE, BLOCK_DEVICE, UNKNOWN -> Optional.empty();
      };
    }
  }

  /** The result of {@code lstat}. */
  record Stat(Kind kind, int mode, int uid, int gid, long size, FileTime mtime, long device) {
    /** Permission bits including set-id and sticky bits. */
    int permissions() {
      return mode & 07777;
    }

    FileEntry.Owner owner() {
      return new FileEntry.Owner(uid, gid);
    }
  }

  /** {@code lstat}; throws {@link NoSuchFileException} if the path does not exist. */
  static Stat lstat(Path path) throws IOException {
    Map<String, Object> a = Files.readAttributes(path, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
    int mode = (Integer) a.get("mode");
    return new Stat(
        kindOf(mode),
        mode,
        (Integer) a.get("uid"),
        (Integer) a.get("gid"),
        (Long) a.get("size"),
        (FileTime) a.get("lastModifiedTime"),
        (Long) a.get("dev"));
  }

  /** The device a path is on, following symbolic links. */
  static long device(Path path) throws IOException {
    return (Long) Files.getAttribute(path, "unix:dev");
  }

  /** {@code lstat}, or empty if nothing is at the path. */
  static Optional<Stat> lstatIfExists(Path path) throws IOException {
    try {
      return Optional.of(lstat(path));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  private static Kind kindOf(int mode) {
    return switch (mode & 0170000) {
      case 0100000 -> Kind.FILE;
      case 0040000 -> Kind.DIRECTORY;
      case 0120000 -> Kind.SYMLINK;
      case 0010000 -> Kind.FIFO;
      case 0140000 -> Kind.SOCKET;
      case 0020000 -> Kind.CHAR_DEVICE;
      case 0060000 -> Kind.BLOCK_DEVICE;
      default -> Kind.UNKNOWN;
    };
  }

  /**
   * Applies owner (best effort), mode and modification time to a path without following it.
   *
   * <p>Ownership is kept when the process may set it (as root, or a group the user belongs to) and
   * silently left to the process otherwise, as {@code cp -p} does. The mode is applied after the
   * owner because {@code chown} clears set-id bits; symbolic links have no mode of their own on
   * Linux, so theirs is not applied. Call after the last write: writing changes the mtime.
   */
  static void apply(
      Path path, FileType type, int mode, Instant mtime, Optional<FileEntry.Owner> owner)
      throws IOException {
    if (owner.isPresent()) {
      Stat now = lstat(path);
      setIdBestEffort(path, "unix:uid", now.uid(), owner.get().uid());
      setIdBestEffort(path, "unix:gid", now.gid(), owner.get().gid());
    }
    if (type != FileType.SYMLINK) {
      Files.setAttribute(path, "unix:mode", mode, LinkOption.NOFOLLOW_LINKS);
    }
    Files.getFileAttributeView(path, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
        .setTimes(FileTime.from(mtime), null, null);
  }

  private static void setIdBestEffort(Path path, String attribute, int current, int wanted) {
    if (current == wanted) {
      return;
    }
    try {
      Files.setAttribute(path, attribute, wanted, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException notPermitted) {
      // Not root and not a member of the group: the copy is owned by whoever runs the engine.
    }
  }

  /** Flushes a directory's entries and inode to disk, so renames and creations in it persist. */
  static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }
}
