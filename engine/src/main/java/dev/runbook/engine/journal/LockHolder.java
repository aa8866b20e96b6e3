package dev.runbook.engine.journal;

import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import org.json.JSONException;
import org.json.JSONObject;

/**
 * Who holds a run lock, as its holder record says: enough for a colleague who is refused to know
 * whom to call and where that run's state lives.
 *
 * @param lock the lock's name, as the runbook's {@code lock:} resolved
 * @param command what holds it: {@code run}, {@code resume} or {@code rollback}
 * @param user who runs it (read back from the record file's owner, never from its text)
 * @param processStart when the holding process started, to tell it from a later one with its pid
 * @param stateDir the state directory of the holder's run
 * @param runDir the holder's run directory (journal and step logs)
 */
public record LockHolder(
    String lock,
    String runId,
    String command,
    String user,
    String host,
    long pid,
    Optional<Instant> processStart,
    Instant since,
    Path stateDir,
    Path runDir) {

  private static final long START_TOLERANCE_MS = 10_000;

  /** This process, about to hold {@code lock} for run {@code runId} of {@code state}. */
  public static LockHolder thisProcess(
      String lock, String runId, String command, StateDir state, Instant since) {
    ProcessHandle self = ProcessHandle.current();
    return new LockHolder(
        lock,
        runId,
        command,
        System.getProperty("user.name"),
        RunLock.hostName(),
        self.pid(),
        self.info().startInstant(),
        since,
        state.root(),
        state.runDir(runId));
  }

  /** One line: whom to call and where the run lives. */
  public String describe() {
    return "run "
        + runId
        + " ("
        + command
        + ") of user "
        + user
        + " on "
        + host
        + ", pid "
        + pid
        + ", since "
        + since
        + "; its state dir is "
        + stateDir
        + " (run dir "
        + runDir
        + ")";
  }

  JSONObject toJson() {
    JSONObject o =
        new JSONObject()
            .put("lock", lock)
            .put("run_id", runId)
            .put("command", command)
            .put("user", user)
            .put("host", host)
            .put("pid", pid)
            .put("since", since.toString())
            .put("state_dir", stateDir.toString())
            .put("run_dir", runDir.toString());
    processStart.ifPresent(t -> o.put("process_start", t.toString()));
    return o;
  }

  /**
   * The holder a record's text names, with {@code owner} (the record file's owner) as its user;
   * empty when the text is not a whole record.
   */
  static Optional<LockHolder> parse(String text, String owner) {
    try {
      JSONObject o = new JSONObject(text);
      return Optional.of(
          new LockHolder(
              o.getString("lock"),
              o.getString("run_id"),
              o.optString("command", "run"),
              owner,
              o.getString("host"),
              o.getLong("pid"),
              o.has("process_start")
                  ? Optional.of(Instant.parse(o.getString("process_start")))
                  : Optional.empty(),
              Instant.parse(o.getString("since")),
              Path.of(o.getString("state_dir")),
              Path.of(o.getString("run_dir"))));
    } catch (JSONException | DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /** Whether the process this record names still runs (the same one, not a reuse of its pid). */
  boolean alive() {
    Optional<ProcessHandle> process = ProcessHandle.of(pid);
    if (process.isEmpty() || !process.get().isAlive()) {
      return false;
    }
    Optional<Instant> started = process.get().info().startInstant();
    if (processStart.isEmpty() || started.isEmpty()) {
      return true;
    }
    // Each JVM adds the process's start in clock ticks to the boot time it read, and Linux's
    // boot time (/proc/stat btime) drifts by a second between reads: two JVMs can disagree by
    // that much about one process. A pid reused within seconds of the same start is not a risk.
    return Math.abs(started.get().toEpochMilli() - processStart.get().toEpochMilli())
        < START_TOLERANCE_MS;
  }
}
