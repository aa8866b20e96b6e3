package dev.runbook.engine.internal.process;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Starts child processes for steps; thread-safe, one per engine.
 *
 * <p>Each child:
 *
 * <ul>
 *   <li>runs in a new session, as its leader (through {@code setsid(1)}), so it has no controlling
 *       terminal and a terminal's Ctrl-C reaches the engine, never the child;
 *   <li>reads stdin from {@code /dev/null};
 *   <li>gets exactly the spec's environment, its argv as is (no shell in between);
 *   <li>writes stdout and stderr to owner-only files in the {@link Spool} (never to pipes to the
 *       engine, so that it outlives a killed engine), and its session writes its exit status there
 *       when it ends;
 *   <li>has stdout and stderr appended to the spec's log as they arrive, secrets masked, and stdout
 *       alone written to the spec's stdout file; memory use does not grow with the amount of
 *       output.
 * </ul>
 */
public final class ProcessRunner {
  /** How many of the last output lines a {@link ProcessResult} keeps. */
  public static final int TAIL_LINES = 20;

  private static final List<Path> SETSID_CANDIDATES =
      List.of(Path.of("/usr/bin/setsid"), Path.of("/bin/setsid"));
  private static final File DEV_NULL = new File("/dev/null");
  private static final Pattern JDK_START_ERROR = Pattern.compile("error=\\d+, (.*)$");

  /**
   * Runs the command ({@code "$@"}), then records its exit status in the file named by {@code $0}
   * with one write ({@link OutputDir#exitStatus()} trusts it once it ends in a newline).
   */
  static final String WRAPPER = "trap : HUP INT TERM; \"$@\"; s=$?; echo $s >\"$0\"; exit $s";

  private static final String WRAPPER_SHELL = "/bin/sh";

  private final Path setsid;
  private final Spool spool;
  private final ScheduledExecutorService timers;
  private final Set<RunningProcess> live = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean hookInstalled = new AtomicBoolean();

  /**
   * A runner that finds {@code setsid(1)} in {@code /usr/bin} or {@code /bin} and keeps raw output
   * in the {@link Spool} this process's environment points to.
   */
  public ProcessRunner() {
    this(
        SETSID_CANDIDATES.stream()
            .filter(Files::isExecutable)
            .findFirst()
            .orElse(SETSID_CANDIDATES.get(0)),
        Spool.forEnvironment(System.getenv()));
  }

  ProcessRunner(Path setsid, Spool spool) {
    this.setsid = setsid;
    this.spool = spool;
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "runbook-process-timeouts");
              t.setDaemon(true);
              return t;
            });
    executor.setRemoveOnCancelPolicy(true);
    this.timers = executor;
  }

  /**
   * Starts the process described by {@code spec}.
   *
   * @return the running process; never null
   * @throws ProcessStartException if it cannot start: the program is missing or not executable, the
   *     working directory is missing, an argument holds a NUL character, or a log file cannot be
   *     opened. Nothing was started then.
   */
  public RunningProcess start(ProcessSpec spec) throws ProcessStartException {
    String shown = "cannot run `" + SecretMasker.maskAll(spec.program(), spec.secrets()) + "`: ";
    String problem = problem(spec);
    if (problem != null) {
      throw new ProcessStartException(shown + SecretMasker.maskAll(problem, spec.secrets()));
    }
    try {
      installShutdownHook();
    } catch (IllegalStateException e) {
      throw new ProcessStartException(shown + "the engine is shutting down", e);
    }
    Path dir = null;
    FileChannel log = null;
    FileChannel copy = null;
    FileChannel progress = null;
    TailingInput out = null;
    TailingInput err = null;
    Process process = null;
    try {
      log = open(spec.logFile(), false, "the step log", shown);
      if (spec.stdoutFile().isPresent()) {
        copy = open(spec.stdoutFile().get(), true, "the stdout file", shown);
      }
      try {
        dir = spool.newProcessDir();
      } catch (IOException e) {
        throw new ProcessStartException(shown + e.getMessage(), e);
      }
      OutputDir files = new OutputDir(dir);
      // One file for both streams keeps their order, also for what is written while no engine
      // reads; stdout gets a file of its own only when an output reads it alone.
      boolean separate = spec.stdoutFile().isPresent();
      MaskProgress start;
      try {
        start = new MaskProgress(0, 0, log.size(), 0);
        OwnerOnlyFiles.truncate(files.out()).close();
        if (separate) {
          OwnerOnlyFiles.truncate(files.err()).close();
        }
        progress = OwnerOnlyFiles.truncate(files.progress());
        start.writeTo(progress);
        out = TailingInput.open(files.out(), 0);
        err = separate ? TailingInput.open(files.err(), 0) : null;
      } catch (IOException e) {
        throw new ProcessStartException(
            shown + "cannot prepare " + dir + " for its output (" + reason(e) + ")", e);
      }
      ProcessBuilder builder =
          new ProcessBuilder(argv(spec, files))
              .directory(spec.workingDirectory().toFile())
              .redirectInput(ProcessBuilder.Redirect.from(DEV_NULL))
              .redirectOutput(ProcessBuilder.Redirect.appendTo(files.out().toFile()));
      if (separate) {
        builder.redirectError(ProcessBuilder.Redirect.appendTo(files.err().toFile()));
      } else {
        builder.redirectErrorStream(true);
      }
      Map<String, String> environment = builder.environment();
      environment.clear();
      environment.putAll(spec.environment());
      long startNanos = System.nanoTime();
      try {
        process = builder.start();
      } catch (IOException e) {
        throw new ProcessStartException(shown + startError(e), e);
      }
      List<String> notes = Collections.synchronizedList(new ArrayList<>());
      MaskedLog masked =
          new MaskedLog(
              log,
              "the step log " + spec.logFile(),
              copy,
              "the stdout file " + spec.stdoutFile().map(Path::toString).orElse(""),
              progress,
              start,
              notes::add);
      RunningProcess running =
          new RunningProcess(spec, process, startNanos, files, masked, notes, out, err, TAIL_LINES);
      live.add(running);
      running.begin(timers, () -> live.remove(running));
      return running;
    } catch (ProcessStartException | RuntimeException e) {
      if (process != null) {
        // Started but not supervised (a bug): it must not run on unseen.
        process.destroyForcibly();
      }
      closeQuietly(log, e);
      closeQuietly(copy, e);
      closeQuietly(progress, e);
      closeQuietly(out, e);
      closeQuietly(err, e);
      if (dir != null) {
        Spool.remove(dir);
      }
      throw e;
    }
  }

  /**
   * {@code setsid -- /bin/sh -c WRAPPER STATUS COMMAND...}: the command runs as the child of a
   * small shell that leads the session and, when the command ends, writes its exit status to the
   * status file. So the status survives the engine: a resume after the engine died reads it there.
   * The shell lets the command's own signal dispositions be (a handler, not an ignore, for HUP, INT
   * and TERM, which exec resets), and unsets the {@code PWD} it would otherwise add.
   */
  private List<String> argv(ProcessSpec spec, OutputDir files) {
    List<String> argv = new ArrayList<>();
    argv.add(setsid.toString());
    // Stops setsid's option parsing, in case the program's name starts with '-'.
    argv.add("--");
    argv.add(WRAPPER_SHELL);
    argv.add("-c");
    argv.add((spec.environment().containsKey("PWD") ? "" : "unset PWD; ") + WRAPPER);
    argv.add(files.status().toString());
    argv.addAll(spec.command());
    return argv;
  }

  /**
   * A safety net: if the JVM shuts down while processes run (a signal nobody handled, an exit on a
   * bug), their trees are ended as by {@link RunningProcess#terminate()}, and the shutdown waits
   * for that. Children in a session of their own would otherwise outlive the engine unnoticed.
   */
  private void installShutdownHook() {
    if (hookInstalled.compareAndSet(false, true)) {
      Runtime.getRuntime()
          .addShutdownHook(new Thread(this::endAllOnShutdown, "runbook-process-shutdown"));
    }
  }

  private void endAllOnShutdown() {
    List<RunningProcess> running = List.copyOf(live);
    running.forEach(RunningProcess::terminate);
    for (RunningProcess p : running) {
      try {
        p.await(p.gracePeriod().plusSeconds(1));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Why the spec cannot run, or null if it can as far as can be told before trying. */
  private String problem(ProcessSpec spec) {
    Path dir = spec.workingDirectory();
    if (!Files.isDirectory(dir)) {
      return Files.exists(dir)
          ? "the working directory " + dir + " is not a directory"
          : "the working directory " + dir + " does not exist";
    }
    for (int i = 0; i < spec.command().size(); i++) {
      if (spec.command().get(i).indexOf('\0') >= 0) {
        return "argument " + i + " contains a NUL character, which no program can receive";
      }
    }
    for (Map.Entry<String, String> e : spec.environment().entrySet()) {
      String name = e.getKey();
      if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
        return "`" + name + "` is not a valid environment variable name";
      }
      if (e.getValue().indexOf('\0') >= 0) {
        return "the value of environment variable "
            + name
            + " contains a NUL character, which no program can receive";
      }
    }
    String notRunnable =
        ProgramLocator.problem(spec.program(), spec.environment(), spec.workingDirectory());
    if (notRunnable != null) {
      return notRunnable;
    }
    if (!Files.isExecutable(setsid)) {
      return "setsid(1) from util-linux is needed to run steps and was not found at " + setsid;
    }
    return null;
  }

  private static FileChannel open(Path file, boolean truncate, String name, String shown)
      throws ProcessStartException {
    try {
      return truncate ? OwnerOnlyFiles.truncate(file) : OwnerOnlyFiles.append(file);
    } catch (IOException e) {
      throw new ProcessStartException(
          shown + "cannot open " + name + " " + file + " (" + reason(e) + ")", e);
    }
  }

  private static void closeQuietly(java.io.Closeable channel, Exception failure) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        failure.addSuppressed(e);
      }
    }
  }

  private static String startError(IOException e) {
    String message = String.valueOf(e.getMessage());
    Matcher m = JDK_START_ERROR.matcher(message);
    return m.find() ? m.group(1).toLowerCase(java.util.Locale.ROOT) : message;
  }

  private static String reason(IOException e) {
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "its directory does not exist";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof java.nio.file.FileSystemException) {
      String r = ((java.nio.file.FileSystemException) e).getReason();
      return r != null ? r : e.toString();
    }
    return String.valueOf(e.getMessage());
  }
}
