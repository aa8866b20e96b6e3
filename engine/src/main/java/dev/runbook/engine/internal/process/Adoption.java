package dev.runbook.engine.internal.process;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

/**
 * A process an engine that died had started, taken over by a resume: its raw output is masked into
 * the step log from where that engine left off ({@link MaskProgress}), while it runs and once it
 * has ended, and its exit status is read from the file its session wrote. Not thread-safe.
 *
 * <p>Three ways it can end: the process finished (now or while no engine ran) and its session
 * recorded how; the process is gone without a status (the machine rebooted, or it was killed with
 * its session), so how it ended cannot be known; or the caller stopped waiting (a signal), and the
 * raw output stays for the next resume.
 */
public final class Adoption {
  private static final Duration POLL = Duration.ofMillis(50);

  /** How an adopted process ended, as far as can be known. */
  public record Ending(Optional<ProcessResult> result, boolean interrupted) {
    /** The process is gone and no status says how it ended. */
    public boolean unknown() {
      return result.isEmpty() && !interrupted;
    }
  }

  private final OutputDir dir;
  private final long pid;
  private final Optional<Instant> start;
  private final Path logFile;
  private final Optional<Path> stdoutFile;
  private final Set<String> secrets;
  private final Optional<LineListener> listener;

  private Adoption(
      OutputDir dir,
      long pid,
      Optional<Instant> start,
      Path logFile,
      Optional<Path> stdoutFile,
      Set<String> secrets,
      Optional<LineListener> listener) {
    this.dir = dir;
    this.pid = pid;
    this.start = start;
    this.logFile = logFile;
    this.stdoutFile = stdoutFile;
    this.secrets = Set.copyOf(secrets);
    this.listener = listener;
  }

  /**
   * The process journaled with {@code outputDir}, if that directory is still there (it is removed
   * once an engine has the process's whole result).
   *
   * @param logFile the step log the dead engine was writing
   * @param stdoutFile the stdout copy it was writing, if the step had one
   */
  public static Optional<Adoption> of(
      Path outputDir,
      long pid,
      Optional<Instant> start,
      Path logFile,
      Optional<Path> stdoutFile,
      Set<String> secrets,
      LineListener listener) {
    OutputDir dir = new OutputDir(outputDir);
    if (MaskProgress.read(dir.progress()).isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new Adoption(dir, pid, start, logFile, stdoutFile, secrets, Optional.ofNullable(listener)));
  }

  /** Whether the process still runs (its pid is alive and started when the journal says). */
  public boolean running() {
    Optional<ProcessTable.Entry> entry = ProcessTable.entry(pid);
    return entry.isPresent()
        && entry.get().running()
        && (start.isEmpty() || ProcessTable.startOf(pid).equals(start));
  }

  /** "process 12 (sh)": for messages. */
  public String describe() {
    return "process " + pid + ProcessTable.entry(pid).map(e -> " (" + e.name() + ")").orElse("");
  }

  /**
   * Masks the rest of the output into the step log and waits for the process to end, or for {@code
   * stop} to say so.
   */
  public Ending await(BooleanSupplier stop) throws IOException {
    MaskProgress from = MaskProgress.read(dir.progress()).orElseThrow();
    List<String> problems = Collections.synchronizedList(new ArrayList<>());
    FileChannel log = OwnerOnlyFiles.append(logFile);
    FileChannel copy = null;
    FileChannel progress = null;
    TailingInput out = null;
    TailingInput err = null;
    try {
      // What the dead engine wrote after its last record of progress is written again from the
      // raw files: cut it off, so that nothing is in the log twice.
      if (log.size() > from.logSize()) {
        log.truncate(from.logSize());
      }
      if (stdoutFile.isPresent()) {
        copy = OwnerOnlyFiles.append(stdoutFile.get());
        if (copy.size() > from.copySize()) {
          copy.truncate(from.copySize());
        }
      }
      progress = FileChannel.open(dir.progress(), StandardOpenOption.WRITE);
      out = TailingInput.open(dir.out(), from.out());
      err = java.nio.file.Files.exists(dir.err()) ? TailingInput.open(dir.err(), from.err()) : null;
    } catch (IOException | RuntimeException e) {
      for (java.io.Closeable c : new java.io.Closeable[] {log, copy, progress, out, err}) {
        if (c != null) {
          c.close();
        }
      }
      throw e;
    }
    MaskedLog masked =
        new MaskedLog(
            log,
            "the step log " + logFile,
            copy,
            "the stdout file " + stdoutFile.map(Path::toString).orElse(""),
            progress,
            from,
            problems::add);
    OutputTail tail = new OutputTail(ProcessRunner.TAIL_LINES);
    LineDispatcher dispatcher =
        listener.map(l -> new LineDispatcher(l, problems::add)).orElse(null);
    OutputPump[] pumps =
        err == null
            ? new OutputPump[] {pump(out, LineListener.Source.STDOUT, masked, tail, dispatcher)}
            : new OutputPump[] {
              pump(out, LineListener.Source.STDOUT, masked, tail, dispatcher),
              pump(err, LineListener.Source.STDERR, masked, tail, dispatcher)
            };
    List<Future<?>> tasks = new ArrayList<>();
    for (OutputPump p : pumps) {
      tasks.add(ServiceThreads.start(p));
    }
    long started = System.nanoTime();
    boolean stopped = false;
    Optional<String> lost = Optional.empty();
    try {
      while (dir.exitStatus().isEmpty() && running()) {
        if (stop.getAsBoolean() || !Pause.sleep(POLL, stop)) {
          stopped = true;
          break;
        }
      }
      if (stopped) {
        for (OutputPump p : pumps) {
          p.abandon();
        }
      } else {
        // A status is written as the session's last act; a process gone without one ended
        // unrecorded. Either way its files now hold all it wrote.
        for (OutputPump p : pumps) {
          p.input().end();
        }
      }
      for (Future<?> t : tasks) {
        join(t);
      }
      if (dispatcher != null) {
        dispatcher.finish(1000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopped = true;
    } finally {
      if (!stopped) {
        OptionalInt status = dir.exitStatus();
        masked.note(
            status.isPresent()
                ? "the engine that started this stopped while it ran; it exited "
                    + status.getAsInt()
                    + ", read back by the resume"
                : "the engine that started this stopped while it ran, and it ended without"
                    + " recording how (the machine restarted, or its session was killed)");
      }
      for (String problem : problems) {
        masked.note(problem);
      }
      lost = masked.failure();
      masked.close();
    }
    if (stopped) {
      return new Ending(Optional.empty(), true);
    }
    OptionalInt status = dir.exitStatus();
    if (status.isEmpty()) {
      Spool.remove(dir.dir());
      return new Ending(Optional.empty(), false);
    }
    return new Ending(
        Optional.of(
            new ProcessResult(
                status.getAsInt(),
                false,
                false,
                tail.lines(),
                Duration.ofNanos(System.nanoTime() - started),
                List.copyOf(problems),
                lost,
                List.of())),
        false);
  }

  /**
   * Removes the raw output and the status, once the caller has recorded the result: until then a
   * resume after another crash reads the same result again.
   */
  public void discard() {
    Spool.remove(dir.dir());
  }

  private OutputPump pump(
      TailingInput in,
      LineListener.Source source,
      MaskedLog masked,
      OutputTail tail,
      LineDispatcher dispatcher) {
    return new OutputPump(
        in,
        source,
        new SecretMasker(secrets),
        masked,
        new LineAssembler(
            line -> {
              tail.add(line);
              if (dispatcher != null) {
                dispatcher.offer(source, line);
              }
            }));
  }

  private static void join(Future<?> task) throws InterruptedException {
    try {
      task.get();
    } catch (ExecutionException e) {
      // a pump does not throw; a bug there leaves the raw file, which the log note names
    }
  }
}
