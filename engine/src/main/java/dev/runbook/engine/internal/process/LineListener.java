package dev.runbook.engine.internal.process;

/**
 * Receives a running process's output, one line at a time, for live progress.
 *
 * <p>Calls come from one thread per process, in the order the lines were read, and never
 * concurrently. Stdout and stderr share one file, and their lines come in the order written (all as
 * {@code STDOUT}), unless the spec has a stdout file: then they are two files, each stream's lines
 * keep their order, and lines written to each within a few milliseconds may come in either order.
 * Lines are already masked, carry no line terminator, and are capped in length. A listener that
 * falls behind misses lines (the log has them all): it cannot slow the process down. Every call
 * happens before {@link RunningProcess#await()} returns, unless the listener blocks for longer than
 * a second at the end. A listener that throws gets no further lines.
 */
@FunctionalInterface
public interface LineListener {
  /** Which of the child's streams a line came from. */
  enum Source {
    STDOUT,
    STDERR
  }

  /**
   * Called with one line of output.
   *
   * @param source the stream it came from, never null
   * @param line the line without its terminator, secrets masked, never null
   */
  void onLine(Source source, String line);
}
