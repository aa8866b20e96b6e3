package dev.runbook.engine.journal;

import dev.runbook.engine.ErrorCode;
import dev.runbook.engine.IoProblems;
import dev.runbook.engine.RunbookException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The holder records of a lock: {@code <key>.<uid>.<pid>.holder} beside {@code <key>.lock}, one per
 * process that holds (or is about to try) the lock, owner-writable and readable by all.
 *
 * <p>A record is only believed when the file's owner is the uid its name says (in a sticky
 * directory nobody can replace another's file, but anyone can create one with any name), and its
 * user is that owner's name, never what the text claims.
 */
final class HolderRecords {
  private static final int READABLE_BY_ALL = 0644;

  private HolderRecords() {}

  /** A believed record and its file. */
  record Held(Path file, long uid, LockHolder holder) {}

  /**
   * Writes {@code holder}'s record whole: a temporary file, synced, then renamed into place, so a
   * reader sees no record or all of it.
   */
  static Path write(Path dir, String key, LockHolder holder) {
    Path temp = null;
    Path target = null;
    try {
      temp = Files.createTempFile(dir, key + ".", ".tmp");
      long uid = ((Number) Files.getAttribute(temp, "unix:uid")).longValue();
      byte[] text = (holder.toJson() + "\n").getBytes(StandardCharsets.UTF_8);
      try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        out.write(ByteBuffer.wrap(text));
        out.force(true);
      }
      Files.setAttribute(temp, "unix:mode", READABLE_BY_ALL);
      target = dir.resolve(key + "." + uid + "." + holder.pid() + ".holder");
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return target;
    } catch (AccessDeniedException e) {
      throw new RunbookException(
          ErrorCode.INVALID_INPUT,
          "cannot write the lock's holder record "
              + (target == null ? dir : target)
              + ": another user's file is in the way",
          "ask an administrator to remove it; nobody else can");
    } catch (IOException e) {
      throw new RunbookException(
          ErrorCode.INVALID_INPUT,
          "cannot write the lock's holder record in the lock directory "
              + dir
              + ": "
              + IoProblems.cause(e),
          "choose another lock directory with --lock-dir or RUNBOOK_LOCK_DIR");
    } finally {
      if (temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException e) {
          // a leftover temporary file is never read as a record
        }
      }
    }
  }

  /** The believed records of {@code key}, any process. */
  static List<Held> read(Path dir, String key) {
    List<Held> out = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, key + ".*.holder")) {
      for (Path file : files) {
        readOne(file, key).ifPresent(out::add);
      }
    } catch (IOException e) {
      // an unreadable directory shows no holder; the refusal says so
    }
    return out;
  }

  private static Optional<Held> readOne(Path file, String key) {
    String[] parts = file.getFileName().toString().substring(key.length() + 1).split("\\.", -1);
    if (parts.length != 3) {
      return Optional.empty();
    }
    try {
      long uid = Long.parseLong(parts[0]);
      long pid = Long.parseLong(parts[1]);
      if (((Number) Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue()
              != uid
          || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
        return Optional.empty();
      }
      String owner = Files.getOwner(file, LinkOption.NOFOLLOW_LINKS).getName();
      return LockHolder.parse(Files.readString(file, StandardCharsets.UTF_8), owner)
          .filter(h -> h.pid() == pid)
          .map(h -> new Held(file, uid, h));
    } catch (NumberFormatException | NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Removes this user's records of processes that are gone (a crash leaves its record). */
  static void removeStale(Path dir, String key, long myPid) {
    for (Held held : read(dir, key)) {
      if (held.holder().pid() != myPid && !held.holder().alive()) {
        try {
          Files.deleteIfExists(held.file());
        } catch (IOException e) {
          // another user's: the sticky bit keeps it; it is never shown, being dead
        }
      }
    }
  }
}
