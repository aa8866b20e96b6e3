/**
 * Runs child processes for {@code run} and {@code exec} steps and ends them, with their whole
 * process tree, on a timeout or on request.
 *
 * <p>{@link dev.runbook.engine.internal.process.ProcessRunner} is the entry point: it starts the
 * command described by a {@link dev.runbook.engine.internal.process.ProcessSpec} in a new session
 * (so a terminal's Ctrl-C reaches the engine, never the step's processes), with stdin on {@code
 * /dev/null}, streams its output (secrets masked) to the step log as it arrives, and keeps only a
 * bounded tail in memory. The child writes its output to files in the {@link
 * dev.runbook.engine.internal.process.Spool} and its session records its exit status there, so a
 * killed engine never kills its step; {@link dev.runbook.engine.internal.process.Adoption} is how a
 * resume takes such a process over (ADR 20). {@link
 * dev.runbook.engine.internal.process.ShellScript} builds the argv of a {@code run} step.
 *
 * <p>{@link dev.runbook.engine.internal.process.Pause} is the one stop-aware sleep: the executor,
 * the action runner and the docker health wait share it, and a stop request cuts it short.
 *
 * <p>Linux only: the runner uses {@code setsid(1)} from util-linux and reads {@code /proc}.
 *
 * <p>Decisions that shaped this package:
 *
 * <ul>
 *   <li>Output goes to files the child holds, never to pipes to the engine: a pipe whose reader
 *       died kills the writer at its next line (SIGPIPE). The files are raw, so they are owner-only
 *       and kept out of the run directory, on a memory file system when there is one.
 *   <li>The JDK's {@link java.lang.ProcessBuilder} starts the child, not commons-exec's launcher:
 *       only {@code ProcessBuilder} can give the child {@code /dev/null} as stdin, and the rest of
 *       what commons-exec offers (a watchdog that destroys the direct child only, a line stream
 *       that buffers a whole line in memory) does not meet the requirements here.
 *   <li>The step owns its session: when the command exits, whatever it left running in its session
 *       is ended too (TERM, then KILL after the grace period), and the result says so. A process
 *       that must outlive its step belongs to a service manager, or must leave the session itself
 *       ({@code setsid -f daemon >log 2>&1 </dev/null}).
 *   <li>A zombie is dead: on hosts whose init does not reap orphans, an ended grandchild stays a
 *       zombie, which counts as gone.
 *   <li>A command that cannot start is a checked {@link
 *       dev.runbook.engine.internal.process.ProcessStartException} whose message is the whole story
 *       for the operator; a command that starts and fails is a result with its exit code. The
 *       executor turns the first into a failed step, like the second.
 *   <li>If the JVM shuts down while children run, the runner ends their trees first: a child in a
 *       session of its own would otherwise outlive the engine unnoticed.
 * </ul>
 */
package dev.runbook.engine.internal.process;
