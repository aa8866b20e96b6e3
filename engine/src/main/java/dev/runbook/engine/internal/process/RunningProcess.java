package dev.runbook.engine.internal.process;

import dev.runbook.dsl.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * A process started by {@link ProcessRunner}; thread-safe.
 *
 * <p>The process is the leader of a session of its own: every process it starts stays in that
 * session unless it leaves it deliberately. "The process tree" below means the session's processes
 * and the descendants of all of them. Ending the tree sends TERM to each, waits up to the grace
 * period for them to exit, then sends KILL to what remains.
 *
 * <p>When the process exits, the tree is ended too if anything of it is still running, and its
 * output is drained; then {@link #await()} returns.
 */
public final class RunningProcess {
  private enum Ending {
    NONE,
    TIMED_OUT,
    TERMINATED
  }

  private static final long POLL_MILLIS = 20;
  private static final int KILL_ROUNDS = 100;
  private static final long SETTLE_MILLIS = 100;

  /**
   * Up to how many pids handed out since the child started are read one by one rather than found by
   * listing {@code /proc}.
   */
  private static final long PROBED_PIDS = 256;

  /** How long a step may run for the check for leftovers to read only newer pids. */
  private static final long NEWER_PIDS_ONLY_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final ProcessSpec spec;
  private final Process process;
  private final long pid;
  private final long startNanos;
  private final OutputDir outputDir;
  private final MaskedLog log;
  private final OutputTail tail;
  private final LineDispatcher dispatcher;
  private final OutputPump[] pumps;
  private final Future<?>[] pumpTasks;
  private final List<String> notes;
  private final List<ProcessResult.Left> leftBehind = new ArrayList<>();
  private final AtomicReference<Ending> ending = new AtomicReference<>(Ending.NONE);
  private final AtomicReference<Thread> ender = new AtomicReference<>();
  private final CompletableFuture<ProcessResult> result = new CompletableFuture<>();
  private volatile boolean exited;
  private volatile ScheduledFuture<?> timeoutTask;

  RunningProcess(
      ProcessSpec spec,
      Process process,
      long startNanos,
      OutputDir outputDir,
      MaskedLog log,
      List<String> notes,
      TailingInput out,
      TailingInput err,
      int tailLines) {
    this.spec = spec;
    this.process = process;
    this.pid = process.pid();
    this.startNanos = startNanos;
    this.outputDir = outputDir;
    this.log = log;
    this.notes = notes;
    this.tail = new OutputTail(tailLines);
    this.dispatcher = spec.lineListener().map(l -> new LineDispatcher(l, notes::add)).orElse(null);
    // No reader of stderr's own when it shares stdout's file.
    this.pumps =
        err == null
            ? new OutputPump[] {pump(out, LineListener.Source.STDOUT)}
            : new OutputPump[] {
              pump(out, LineListener.Source.STDOUT), pump(err, LineListener.Source.STDERR)
            };
    this.pumpTasks = new Future<?>[pumps.length];
  }

  /** Starts serving this process (on {@link ServiceThreads}); called once, by the runner. */
  void begin(ScheduledExecutorService timers, Runnable whenDone) {
    result.whenComplete((r, e) -> whenDone.run());
    for (int i = 0; i < pumps.length; i++) {
      pumpTasks[i] = ServiceThreads.start(pumps[i]);
    }
    spec.timeout()
        .ifPresent(
            t -> timeoutTask = timers.schedule(this::timeOut, t.toNanos(), TimeUnit.NANOSECONDS));
    ServiceThreads.start(this::supervise);
  }

  /** The child's process id, which is also its session and process group id. */
  public long pid() {
    return pid;
  }

  /**
   * The directory holding the process's raw output and, once it ends, its exit status: what a
   * resume reads when the engine died meanwhile ({@link Adoption}). Removed once the result is in.
   */
  public java.nio.file.Path outputDir() {
    return outputDir.dir();
  }

  /**
   * Ends the process tree: TERM now, KILL after the grace period to whatever remains.
   *
   * <p>Returns at once; {@link #await()} returns when the tree is gone. Callable from any thread (a
   * signal handler's, say), any number of times: only the first call has an effect. After the
   * process has exited on its own, a call still ends anything left of the tree but the result does
   * not count as terminated.
   */
  public void terminate() {
    if (result.isDone()) {
      return;
    }
    if (!exited && ending.compareAndSet(Ending.NONE, Ending.TERMINATED)) {
      note("asked to stop; ending the process tree (" + termThenKill() + ")");
    }
    endTreeAsync();
  }

  /**
   * Waits until the process tree is gone and its output written, and returns how it ended.
   *
   * @throws InterruptedException if the calling thread is interrupted while waiting; the process is
   *     not affected
   */
  public ProcessResult await() throws InterruptedException {
    try {
      return result.get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("bug: supervising pid " + pid + " failed", e.getCause());
    }
  }

  /** The grace period between TERM and KILL this process was started with. */
  Duration gracePeriod() {
    return spec.gracePeriod();
  }

  /**
   * Like {@link #await()}, waiting at most {@code timeout}.
   *
   * @return the result, or empty if the process tree is still running
   */
  public Optional<ProcessResult> await(Duration timeout) throws InterruptedException {
    try {
      return Optional.of(result.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
    } catch (TimeoutException e) {
      return Optional.empty();
    } catch (ExecutionException e) {
      throw new IllegalStateException("bug: supervising pid " + pid + " failed", e.getCause());
    }
  }

  private OutputPump pump(TailingInput in, LineListener.Source source) {
    return new OutputPump(in, source, new SecretMasker(spec.secrets()), log, lineSink(source));
  }

  private LineAssembler lineSink(LineListener.Source source) {
    return new LineAssembler(
        line -> {
          tail.add(line);
          if (dispatcher != null) {
            dispatcher.offer(source, line);
          }
        });
  }

  private void timeOut() {
    if (!exited && ending.compareAndSet(Ending.NONE, Ending.TIMED_OUT)) {
      note(
          "timed out after "
              + Durations.format(spec.timeout().orElseThrow())
              + "; ending the process tree ("
              + termThenKill()
              + ")");
      endTreeAsync();
    }
  }

  private String termThenKill() {
    return "TERM now, KILL after " + Durations.format(spec.gracePeriod());
  }

  private void supervise() {
    try {
      int exitCode = waitForExit();
      exited = true;
      ScheduledFuture<?> task = timeoutTask;
      if (task != null) {
        task.cancel(false);
      }
      if (ending.get() == Ending.NONE) {
        Map<Long, ProcessHandle> left = collectTree(new LinkedHashMap<>(), leftoverCandidates());
        if (!left.isEmpty()) {
          // A daemon may be between its fork and its setsid(): give it the time to leave.
          Thread.sleep(SETTLE_MILLIS);
          left = collectTree(new LinkedHashMap<>());
        }
        if (!left.isEmpty() && ending.get() == Ending.NONE) {
          for (long member : left.keySet()) {
            leftBehind.add(
                new ProcessResult.Left(
                    member,
                    SecretMasker.maskAll(ProcessTable.commandLine(member), spec.secrets())));
          }
          note(
              "the command exited but left "
                  + describe(left.keySet())
                  + " running; ending "
                  + (left.size() == 1 ? "it" : "them")
                  + " ("
                  + termThenKill()
                  + "). A process that must outlive its step belongs to a service manager");
          endTreeAsync();
        }
      }
      joinEnder();
      // The tree is gone: what its files hold now is all of its output (a process that left the
      // session may write on, into a file nobody reads any more).
      for (OutputPump p : pumps) {
        p.input().end();
      }
      joinPumps();
      if (dispatcher != null) {
        dispatcher.finish(1000);
      }
      closeFiles();
      Spool.remove(outputDir.dir());
      result.complete(
          new ProcessResult(
              exitCode,
              ending.get() == Ending.TIMED_OUT,
              ending.get() == Ending.TERMINATED,
              tail.lines(),
              Duration.ofNanos(System.nanoTime() - startNanos),
              List.copyOf(notes),
              log.failure(),
              leftBehind));
    } catch (InterruptedException e) {
      closeFiles();
      result.completeExceptionally(e);
    } catch (RuntimeException | Error e) {
      closeFiles();
      result.completeExceptionally(e);
      throw e;
    }
  }

  private int waitForExit() throws InterruptedException {
    return process.waitFor();
  }

  /** Waits for both pumps to reach the end of their files. */
  private void joinPumps() throws InterruptedException {
    for (Future<?> pump : pumpTasks) {
      try {
        pump.get();
      } catch (ExecutionException e) {
        note("bug: reading the output failed (" + e.getCause() + "); the log may lack its end");
      }
    }
  }

  private void joinEnder() throws InterruptedException {
    Thread t = ender.get();
    if (t != null) {
      t.join();
    }
  }

  private void closeFiles() {
    log.close();
  }

  private void endTreeAsync() {
    Thread t = daemon(this::endTree, "runbook-end-" + pid);
    if (ender.compareAndSet(null, t)) {
      t.start();
    }
  }

  /** TERM to the tree, up to the grace period for it to go, then KILL to what remains. */
  private void endTree() {
    Map<Long, ProcessHandle> tree = collectTree(new LinkedHashMap<>());
    tree.values().forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + spec.gracePeriod().toNanos();
    try {
      while (!tree.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(POLL_MILLIS);
        tree = collectTree(tree);
      }
      Map<Long, ProcessHandle> killed = new LinkedHashMap<>();
      // Rounds, because a process may fork between one look at the table and the kill.
      for (int round = 0; round < KILL_ROUNDS && !tree.isEmpty(); round++) {
        killed.putAll(tree);
        tree.values().forEach(ProcessHandle::destroyForcibly);
        Thread.sleep(POLL_MILLIS / 2);
        tree = collectTree(tree);
      }
      if (!killed.isEmpty()) {
        note(
            describe(killed.keySet())
                + " still running "
                + Durations.format(spec.gracePeriod())
                + " after TERM; sent KILL");
      }
      if (!tree.isEmpty()) {
        note("could not end " + describe(tree.keySet()));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The processes that may be left of the tree once the child has exited, for {@link
   * #collectTree(Map, List)}.
   *
   * <p>Every process of the tree was started after the child, so while pids have not wrapped around
   * since then, its members all have a greater pid than the child's, and only those need reading: a
   * step's check for leftovers then costs next to nothing instead of reading every process on the
   * machine (several milliseconds for a few hundred). Pids cannot have wrapped if the last pid
   * handed out is still above the child's and the step was short (a whole cycle takes at least
   * 32,768 process or thread creations); otherwise every process is read.
   */
  private List<ProcessTable.Entry> leftoverCandidates() {
    boolean brief = System.nanoTime() - startNanos < NEWER_PIDS_ONLY_NANOS;
    OptionalLong last = ProcessTable.lastPid();
    if (!brief || last.isEmpty() || last.getAsLong() < pid) {
      return ProcessTable.all();
    }
    // A member alive now has a pid up to `last`; one it starts later is found through it.
    return last.getAsLong() - pid <= PROBED_PIDS
        ? ProcessTable.between(pid, last.getAsLong())
        : ProcessTable.newerThan(pid);
  }

  private Map<Long, ProcessHandle> collectTree(Map<Long, ProcessHandle> known) {
    return collectTree(known, ProcessTable.all());
  }

  /**
   * The running processes of the tree: the child, its session, and the descendants of any of them
   * (what {@link ProcessHandle#descendants()} finds, extended to processes whose parent has already
   * exited), among the processes of {@code table}. Handles already {@code known} are kept, so that
   * a pid reused by an unrelated process is never signalled.
   */
  private Map<Long, ProcessHandle> collectTree(
      Map<Long, ProcessHandle> known, List<ProcessTable.Entry> table) {
    Map<Long, ProcessTable.Entry> running = new LinkedHashMap<>();
    for (ProcessTable.Entry e : table) {
      if (e.running()) {
        running.put(e.pid(), e);
      }
    }
    Set<Long> members = new LinkedHashSet<>();
    if (process.isAlive()) {
      members.add(pid);
    }
    for (ProcessTable.Entry e : running.values()) {
      if (e.session() == pid || known.containsKey(e.pid())) {
        members.add(e.pid());
      }
    }
    boolean grew = true;
    while (grew) {
      grew = false;
      for (ProcessTable.Entry e : running.values()) {
        if (!members.contains(e.pid()) && members.contains(e.ppid())) {
          members.add(e.pid());
          grew = true;
        }
      }
    }
    members.remove(ProcessHandle.current().pid());
    Map<Long, ProcessHandle> tree = new LinkedHashMap<>();
    for (long member : members) {
      ProcessHandle handle = known.get(member);
      if (handle == null) {
        handle = member == pid ? process.toHandle() : ProcessHandle.of(member).orElse(null);
      }
      if (handle != null && handle.isAlive()) {
        tree.put(member, handle);
      }
    }
    return tree;
  }

  private static String describe(Set<Long> pids) {
    String list =
        pids.stream()
            .limit(5)
            .map(p -> p + ProcessTable.entry(p).map(e -> " (" + e.name() + ")").orElse(""))
            .collect(Collectors.joining(", "));
    int more = pids.size() - 5;
    return (pids.size() == 1 ? "process " : pids.size() + " processes ")
        + list
        + (more > 0 ? " and " + more + " more" : "");
  }

  private void note(String text) {
    String masked = SecretMasker.maskAll(text, spec.secrets());
    notes.add(masked);
    log.note(masked);
  }

  private static Thread daemon(Runnable body, String name) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    return t;
  }
}
