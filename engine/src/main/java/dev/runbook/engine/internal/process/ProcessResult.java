package dev.runbook.engine.internal.process;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a process ended.
 *
 * <p>At most one of {@code timedOut} and {@code terminated} is true: whichever ended the process
 * first. A process that exited on its own before either has both false, even if {@link
 * RunningProcess#terminate()} was called afterwards.
 *
 * @param exitCode the child's exit status; 128 + the signal number if a signal ended it (143 for
 *     TERM, 137 for KILL)
 * @param timedOut the timeout elapsed and the runner ended the process tree
 * @param terminated {@link RunningProcess#terminate()} ended the process tree
 * @param tail the last output lines (stdout and stderr, in the order read), masked and capped in
 *     length; may be empty, never null
 * @param elapsed from the start until the process tree was gone and its output fully written
 * @param notes what the runner did or could not do besides running the command, one sentence each,
 *     for the operator (e.g. that it ended processes the command left running, or that the log
 *     could not be written); may be empty, never null
 * @param outputLost why some of the output never reached the step log or the stdout file (the disk
 *     filled up, say): the log is incomplete and the step must not pass as if it were whole
 * @param leftBehind the processes the command left running when it exited, which the runner ended
 *     (commands masked); may be empty, never null
 */
public record ProcessResult(
    int exitCode,
    boolean timedOut,
    boolean terminated,
    List<String> tail,
    Duration elapsed,
    List<String> notes,
    Optional<String> outputLost,
    List<Left> leftBehind) {

  /** A process a command left running: its pid and command line (masked). */
  public record Left(long pid, String command) {}

  public ProcessResult {
    Objects.requireNonNull(outputLost, "outputLost");
    tail = List.copyOf(tail);
    Objects.requireNonNull(elapsed, "elapsed");
    notes = List.copyOf(notes);
    leftBehind = List.copyOf(leftBehind);
  }

  /** True if the command exited 0 on its own. */
  public boolean succeeded() {
    return exitCode == 0 && !timedOut && !terminated;
  }
}
