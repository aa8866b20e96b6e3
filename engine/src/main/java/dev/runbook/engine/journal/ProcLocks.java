package dev.runbook.engine.journal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Which process holds a POSIX lock on a file, as Linux's {@code /proc/locks} says: the kernel's
 * word, so a record of a dead or unrelated process is never taken for the holder.
 */
final class ProcLocks {
  private static final Path PROC_LOCKS = Path.of("/proc/locks");

  private ProcLocks() {}

  /** Whether the kernel's list can be read here (Linux). */
  static boolean available() {
    return Files.isReadable(PROC_LOCKS);
  }

  /**
   * The pid holding a POSIX lock on {@code file}; empty when none does (or none we can see).
   *
   * <p>A line reads {@code 1: POSIX ADVISORY WRITE 4242 fe:00:2154497 0 EOF}: the device's major
   * and minor in hex, then the inode. Waiters ({@code 1: -> POSIX ...}) are not holders.
   */
  static Optional<Long> holderOf(Path file) {
    try {
      long dev = ((Number) Files.getAttribute(file, "unix:dev")).longValue();
      long ino = ((Number) Files.getAttribute(file, "unix:ino")).longValue();
      long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
      long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
      for (String line : Files.readAllLines(PROC_LOCKS)) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 6 || f[1].equals("->") || !f[1].equals("POSIX")) {
          continue;
        }
        String[] id = f[5].split(":");
        if (id.length == 3
            && Long.parseLong(id[0], 16) == major
            && Long.parseLong(id[1], 16) == minor
            && Long.parseLong(id[2]) == ino) {
          return Optional.of(Long.parseLong(f[4]));
        }
      }
    } catch (IOException | NumberFormatException | ClassCastException e) {
      // not Linux, or a format this code does not know: no kernel's word
    }
    return Optional.empty();
  }
}
