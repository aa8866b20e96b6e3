package dev.runbook.engine.internal.files;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One file, directory or symbolic link of a copied or backed-up tree, as recorded in results, tree
 * digests and {@code manifest.json}.
 *
 * @param path relative, {@code /}-separated, without {@code .} or {@code ..} segments; {@code .}
 *     for the root of a {@link FileActions#copy copy}, never null
 * @param type never null
 * @param size bytes of a file; 0 for directories and symbolic links
 * @param mode permission bits including set-user-ID, set-group-ID and sticky ({@code 07777})
 * @param mtime modification time, to the file system's precision, never null
 * @param owner numeric owner and group, when known
 * @param sha256 lower-case hex SHA-256 of a file's content; present exactly for files
 * @param target the text of a symbolic link, never followed; present exactly for symlinks
 */
public record FileEntry(
    String path,
    FileType type,
    long size,
    int mode,
    Instant mtime,
    Optional<Owner> owner,
    Optional<String> sha256,
    Optional<String> target) {

  /** Numeric owner and group of an entry. */
  public record Owner(int uid, int gid) {}

  public FileEntry {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(mtime, "mtime");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(sha256, "sha256");
    Objects.requireNonNull(target, "target");
    if (size < 0) {
      throw new IllegalArgumentException("negative size " + size + " for " + path);
    }
    if ((mode & ~07777) != 0) {
      throw new IllegalArgumentException("mode " + Integer.toOctalString(mode) + " for " + path);
    }
    if (sha256.isPresent() != (type == FileType.FILE)) {
      throw new IllegalArgumentException("sha256 is for files only: " + path);
    }
    if (target.isPresent() != (type == FileType.SYMLINK)) {
      throw new IllegalArgumentException("target is for symlinks only: " + path);
    }
    if (type != FileType.FILE && size != 0) {
      throw new IllegalArgumentException("size is for files only: " + path);
    }
  }

  /** The mode as four octal digits, e.g. {@code "0644"} or {@code "4755"}. */
  public String modeOctal() {
    return String.format("%04o", mode);
  }

  /** This entry under another path, everything else unchanged. */
  FileEntry withPath(String newPath) {
    return new FileEntry(newPath, type, size, mode, mtime, owner, sha256, target);
  }
}
