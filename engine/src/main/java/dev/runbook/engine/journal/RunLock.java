package dev.runbook.engine.journal;

import dev.runbook.engine.ErrorCode;
import dev.runbook.engine.IoProblems;
import dev.runbook.engine.RunbookException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.EnumSet;
import java.util.function.Supplier;
import org.json.JSONException;
import org.json.JSONObject;

/**
 * One active run per state directory and runbook name: an OS file lock on {@code
 * locks/<name>.lock}, which dies with the process that holds it (a crash releases it), and the
 * holder's details written into the same file so a refusal can say who holds it and since when.
 */
public final class RunLock implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;

  private RunLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Runs {@code body} while holding the lock of {@code runbookName}; refuses with exit 5. */
  public static <T> T withLock(StateDir state, String runbookName, String runId, Supplier<T> body) {
    RunLock lock = acquire(state, runbookName, runId);
    try {
      return body.get();
    } finally {
      lock.close();
    }
  }

  /**
   * Takes the lock or throws {@link ErrorCode#LOCKED} naming the holder.
   *
   * @param runId the run that will hold it, written beside the lock
   */
  public static RunLock acquire(StateDir state, String runbookName, String runId) {
    Path dir = StateDir.createPrivateDirectories(state.locks());
    Path file = dir.resolve(runbookName + ".lock");
    FileChannel channel = null;
    try {
      channel =
          FileChannel.open(
              file,
              EnumSet.of(
                  StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE),
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        String holder = describeHolder(channel);
        channel.close();
        throw new RunbookException(
            ErrorCode.LOCKED,
            "runbook `" + runbookName + "` is locked by another run: " + holder,
            "wait for it to finish, or look at it with `runbook status`; a crashed run releases"
                + " its lock by itself");
      }
      JSONObject owner =
          new JSONObject()
              .put("run_id", runId)
              .put("pid", ProcessHandle.current().pid())
              .put("host", hostName())
              .put("user", System.getProperty("user.name"))
              .put("since", Instant.now().toString());
      channel.truncate(0);
      channel.write(ByteBuffer.wrap((owner + "\n").getBytes(StandardCharsets.UTF_8)), 0);
      channel.force(false);
      return new RunLock(channel, lock);
    } catch (IOException e) {
      if (channel != null) {
        try {
          channel.close();
        } catch (IOException closing) {
          e.addSuppressed(closing);
        }
      }
      // before the run: nothing was changed
      throw new RunbookException(
          ErrorCode.INVALID_INPUT,
          "cannot use the lock file " + IoProblems.describe(file, e),
          "the state directory must be writable: free space or choose another with --state-dir"
              + " or RUNBOOK_STATE_DIR",
          e);
    }
  }

  private static String describeHolder(FileChannel channel) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(4096);
    channel.read(buffer, 0);
    String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8).strip();
    try {
      JSONObject o = new JSONObject(text);
      return "run "
          + o.optString("run_id", "?")
          + " (pid "
          + o.optLong("pid")
          + " on "
          + o.optString("host", "?")
          + ", user "
          + o.optString("user", "?")
          + ", since "
          + o.optString("since", "?")
          + ")";
    } catch (JSONException e) {
      return "a process that has not written its details yet";
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

  @Override
  public void close() {
    try {
      if (lock.isValid()) {
        channel.truncate(0);
        lock.release();
      }
      channel.close();
    } catch (IOException e) {
      // The OS releases the lock when this process exits, which is soon: a run's result must
      // not be lost for want of an early release.
    }
  }
}
