package dev.runbook.engine.internal.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Processes of a run that its engine left running when it died (SIGKILL, a power cut of the engine
 * alone, the OOM killer): a step's process lives in a session of its own, so it does not die with
 * the engine. {@code resume} must not decide about the step they belong to while they run.
 *
 * <p>Two marks find them, so that neither a process that resets its environment nor an engine that
 * died before journaling a pid hides one:
 *
 * <ul>
 *   <li>every action's process gets {@value #RUN_ID_VARIABLE} in its environment, which its
 *       descendants inherit;
 *   <li>the journal names each action's process (pid and start time) right after it starts; its
 *       session holds what it started, whatever their environment.
 * </ul>
 *
 * <p>Linux only: reads {@code /proc}. Never signals anything.
 */
public final class Leftovers {
  /** The environment variable that names the run a step's process belongs to. */
  public static final String RUN_ID_VARIABLE = "RUNBOOK_RUN_ID";

  /** The journal id of the step (or compensation) whose action started the process. */
  public static final String STEP_VARIABLE = "RUNBOOK_STEP";

  /** A process the journal says an engine of the run started. */
  public record Started(long pid, Optional<Instant> start) {}

  private Leftovers() {}

  /** When the process {@code pid} started, if it runs and the system says so. */
  public static Optional<Instant> startOf(long pid) {
    return ProcessTable.startOf(pid);
  }

  /**
   * The live processes of run {@code runId}: marked with its id, or in the session of a process the
   * journal names (when that session was created by that very process: it started no later than
   * them). The calling process and its descendants are left out. May be empty; never null.
   */
  public static List<ProcessHandle> of(
      String runId, Collection<Started> started, Collection<String> inflightActions) {
    byte[] mark = (RUN_ID_VARIABLE + "=" + runId).getBytes(StandardCharsets.UTF_8);
    List<byte[]> steps = new ArrayList<>();
    for (String id : inflightActions) {
      steps.add((STEP_VARIABLE + "=" + id).getBytes(StandardCharsets.UTF_8));
    }
    List<ProcessTable.Entry> table = ProcessTable.all();
    Set<Long> ours = selfAndDescendants(table);
    List<ProcessHandle> found = new ArrayList<>();
    for (ProcessTable.Entry e : table) {
      if (!e.running() || ours.contains(e.pid())) {
        continue;
      }
      Optional<ProcessHandle> handle = ProcessHandle.of(e.pid());
      if (handle.isEmpty()) {
        continue;
      }
      // A marked process counts only when the action that started it was in flight: a server a
      // finished step started on purpose carries the run's id too, and is not a leftover.
      if (inJournaledSession(e, started)
          || (marked(e.pid(), mark) && steps.stream().anyMatch(st -> marked(e.pid(), st)))) {
        found.add(handle.get());
      }
    }
    return found;
  }

  /** "process 12 (sh), process 13 (sleep)": for messages. */
  public static String describe(List<ProcessHandle> processes) {
    return processes.stream()
        .map(
            h ->
                "process "
                    + h.pid()
                    + ProcessTable.entry(h.pid()).map(e -> " (" + e.name() + ")").orElse(""))
        .collect(Collectors.joining(", "));
  }

  /** This process and its descendants, which are never leftovers. */
  private static Set<Long> selfAndDescendants(List<ProcessTable.Entry> table) {
    Set<Long> ours = new HashSet<>();
    ours.add(ProcessHandle.current().pid());
    boolean grew = true;
    while (grew) {
      grew = false;
      for (ProcessTable.Entry e : table) {
        if (!ours.contains(e.pid()) && ours.contains(e.ppid())) {
          ours.add(e.pid());
          grew = true;
        }
      }
    }
    return ours;
  }

  private static boolean inJournaledSession(ProcessTable.Entry e, Collection<Started> started) {
    for (Started s : started) {
      if (e.session() != s.pid() || s.start().isEmpty()) {
        continue;
      }
      // The kernel does not reuse a pid that still names a session, so a session with the
      // journaled pid is the journaled process's: its members started after it. (Unless that
      // session emptied and the pid came round again for a new one; its processes are then
      // waited for too, which is safe, and named, so an operator sees why.)
      Optional<Instant> start = ProcessTable.startOf(e.pid());
      if (e.pid() == s.pid()
          ? start.equals(s.start())
          : start.isPresent() && !start.get().isBefore(s.start().get())) {
        return true;
      }
    }
    return false;
  }

  /** Whether the process's environment holds {@code mark} as one of its entries. */
  private static boolean marked(long pid, byte[] mark) {
    byte[] environ;
    try {
      environ = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ"));
    } catch (IOException | SecurityException e) {
      return false; // gone, or another user's: not ours to wait for
    }
    int start = 0;
    for (int i = 0; i <= environ.length; i++) {
      if (i == environ.length || environ[i] == 0) {
        if (i - start == mark.length && Arrays.equals(environ, start, i, mark, 0, mark.length)) {
          return true;
        }
        start = i + 1;
      }
    }
    return false;
  }
}
