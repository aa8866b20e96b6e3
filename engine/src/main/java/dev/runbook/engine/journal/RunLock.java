package dev.runbook.engine.journal;

import dev.runbook.engine.ErrorCode;
import dev.runbook.engine.IoProblems;
import dev.runbook.engine.RunbookException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * One active run per lock name on the whole host, whoever runs it: an OS file lock on {@code <lock
 * dir>/<digest of the name>.lock}, which dies with the process that holds it (a crash releases it),
 * and a holder record beside it so that a refusal says who holds it, since when and where that run
 * lives.
 *
 * <p>The holder record is written <em>before</em> the OS lock is tried, so whoever is refused
 * always finds the holder's record; the kernel names the holding pid ({@code /proc/locks}), so a
 * leftover record of a dead process, or of a process that was itself refused, is never shown as the
 * holder. See {@code docs/adr/0021-host-wide-run-locks.md}.
 */
public final class RunLock implements AutoCloseable {
  private static final int SHARED_FILE_MODE = 0666;
  private static final int LOOKS = 50;
  private static final long LOOK_PAUSE_MS = 20;

  /**
   * The locks this JVM holds, by lock file: a second taker in the same process is refused here (the
   * OS lock is per process, and both would share one holder record file).
   */
  private static final Map<Path, LockHolder> HELD_HERE = new ConcurrentHashMap<>();

  private final Path file;
  private final FileChannel channel;
  private final FileLock lock;
  private final Path record;

  private RunLock(Path file, FileChannel channel, FileLock lock, Path record) {
    this.file = file;
    this.channel = channel;
    this.lock = lock;
    this.record = record;
  }

  /** Runs {@code body} while {@code holder} holds its lock; refuses with exit 5 if another does. */
  public static <T> T withLock(LockDir dir, LockHolder holder, Supplier<T> body) {
    RunLock lock = acquire(dir, holder);
    try {
      return body.get();
    } finally {
      lock.close();
    }
  }

  /** Takes {@code holder.lock()} or throws {@link ErrorCode#LOCKED} naming who holds it. */
  public static RunLock acquire(LockDir lockDir, LockHolder holder) {
    Path dir = lockDir.prepare();
    String key = key(holder.lock());
    Path file = dir.resolve(key + ".lock");
    LockHolder here = HELD_HERE.putIfAbsent(file, holder);
    if (here != null) {
      throw refused(holder.lock(), here.describe());
    }
    boolean acquired = false;
    try {
      HolderRecords.removeStale(dir, key, holder.pid());
      Path record = HolderRecords.write(dir, key, holder);
      try {
        FileChannel channel = open(file);
        try {
          for (int look = 1; ; look++) {
            FileLock lock = tryLock(channel);
            if (lock != null) {
              acquired = true;
              return new RunLock(file, channel, lock, record);
            }
            Optional<String> holding = holderOf(dir, key, file, record);
            if (holding.isPresent() || look == LOOKS) {
              throw refused(
                  holder.lock(),
                  holding.orElse("a process whose holder record cannot be read (see " + dir + ")"));
            }
            // The holder let go between our try and our look, or is writing its record: again.
            sleep();
          }
        } finally {
          if (!acquired) {
            channel.close();
          }
        }
      } finally {
        if (!acquired) {
          Files.deleteIfExists(record);
        }
      }
    } catch (IOException e) {
      // before the run: nothing was changed
      throw new RunbookException(
          ErrorCode.INVALID_INPUT,
          "cannot use the lock file " + IoProblems.describe(file, e),
          "choose another lock directory with --lock-dir or RUNBOOK_LOCK_DIR",
          e);
    } finally {
      if (!acquired) {
        HELD_HERE.remove(file, holder);
      }
    }
  }

  /** The name of a lock's files: a digest, so any lock name is a safe, bounded file name. */
  static String key(String lock) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(lock.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  /**
   * Opens the shared lock file, creating it readable and writable by all (an exclusive OS lock
   * needs a descriptor open for writing) without ever replacing one that exists: made under a
   * temporary name and linked into place. Symbolic links are not followed.
   */
  private static FileChannel open(Path file) throws IOException {
    for (int attempt = 0; ; attempt++) {
      try {
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)
            && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
          throw new IOException("it is not a regular file");
        }
        return FileChannel.open(
            file, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
      } catch (NoSuchFileException e) {
        if (attempt > 3) {
          throw e;
        }
        Path temp = Files.createTempFile(file.getParent(), file.getFileName() + ".", ".new");
        try {
          Files.setAttribute(temp, "unix:mode", SHARED_FILE_MODE);
          Files.createLink(file, temp);
        } catch (FileAlreadyExistsException raced) {
          // another engine linked its own first: open that one
        } finally {
          Files.deleteIfExists(temp);
        }
      } catch (AccessDeniedException e) {
        throw new IOException(
            "permission denied (owned by "
                + Files.getOwner(file, LinkOption.NOFOLLOW_LINKS).getName()
                + ", mode "
                + Integer.toOctalString(
                    (Integer) Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS)
                        & 07777)
                + ")",
            e);
      }
    }
  }

  private static FileLock tryLock(FileChannel channel) throws IOException {
    try {
      return channel.tryLock();
    } catch (OverlappingFileLockException e) {
      return null;
    }
  }

  /**
   * Who holds the lock, by its record: the record of the pid the kernel names, or (where the
   * kernel's list cannot be read) the one record of a live process other than ours.
   */
  private static Optional<String> holderOf(Path dir, String key, Path file, Path ours) {
    List<HolderRecords.Held> records = HolderRecords.read(dir, key);
    if (ProcLocks.available()) {
      Optional<Long> pid = ProcLocks.holderOf(file);
      return pid.flatMap(
          p ->
              records.stream()
                  .filter(r -> r.holder().pid() == p)
                  .findFirst()
                  .map(r -> r.holder().describe()));
    }
    List<HolderRecords.Held> live =
        records.stream().filter(r -> !r.file().equals(ours) && r.holder().alive()).toList();
    return live.size() == 1 ? Optional.of(live.get(0).holder().describe()) : Optional.empty();
  }

  private static RunbookException refused(String lock, String holder) {
    return new RunbookException(
        ErrorCode.LOCKED,
        "lock `" + lock + "` is held by " + holder,
        "wait for that run to finish, or ask its user; a crashed run releases its lock by itself");
  }

  private static void sleep() {
    try {
      Thread.sleep(LOOK_PAUSE_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RunbookException(ErrorCode.INTERRUPTED, "interrupted while taking the run lock");
    }
  }

  /** This machine's host name, for the records that say who ran what. */
  public static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      String env = System.getenv("HOSTNAME");
      return env == null ? "unknown-host" : env;
    }
  }

  /** Removes the holder record while the lock is still held, then lets the lock go. */
  @Override
  public void close() {
    try {
      Files.deleteIfExists(record);
      if (lock.isValid()) {
        lock.release();
      }
      channel.close();
    } catch (IOException e) {
      // The OS releases the lock when this process exits, which is soon: a run's result must
      // not be lost for want of an early release.
    } finally {
      HELD_HERE.remove(file);
    }
  }
}
