package dev.runbook.engine.internal.process;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.Set;

/**
 * Opens files readable and writable by their owner only.
 *
 * <p>A new file gets mode 0600 in the same system call that creates it, so it is never visible with
 * a wider mode. An existing file with a wider mode is narrowed. Symbolic links are not followed: a
 * link planted where a log should go is an error, not a redirection.
 */
final class OwnerOnlyFiles {
  static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
  private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_ATTRIBUTE =
      PosixFilePermissions.asFileAttribute(OWNER_ONLY);

  private OwnerOnlyFiles() {}

  /** Opens {@code file} for appending, creating it if missing. */
  static FileChannel append(Path file) throws IOException {
    return open(file, StandardOpenOption.APPEND);
  }

  /** Opens {@code file} for writing from empty, creating it if missing. */
  static FileChannel truncate(Path file) throws IOException {
    return open(file, StandardOpenOption.TRUNCATE_EXISTING);
  }

  private static FileChannel open(Path file, StandardOpenOption mode) throws IOException {
    Set<OpenOption> options = new HashSet<>();
    options.add(StandardOpenOption.CREATE);
    options.add(StandardOpenOption.WRITE);
    options.add(mode);
    options.add(LinkOption.NOFOLLOW_LINKS);
    FileChannel channel = FileChannel.open(file, options, OWNER_ONLY_ATTRIBUTE);
    try {
      if (!Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS).equals(OWNER_ONLY)) {
        Files.setPosixFilePermissions(file, OWNER_ONLY);
      }
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    return channel;
  }
}
