package dev.runbook.cli.terminal;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * What signals do to a run.
 *
 * <ul>
 *   <li>SIGTERM interrupts it: the step's process tree is ended, the journal records it, exit 130,
 *       resumable.
 *   <li>SIGINT without a terminal does the same. On a terminal (Ctrl-C), the first stops the
 *       running step, which fails, so the failure prompt asks what next; a second one before that
 *       prompt is answered interrupts the run. (At the prompt itself Ctrl-C is read by the prompt,
 *       and also interrupts the run.)
 *   <li>SIGHUP (the SSH session dropped) does not stop it: the run goes on, journaling and logging;
 *       the kernel discards output to the closed terminal.
 * </ul>
 */
public final class Signals {
  private Signals() {}

  /**
   * Installs the handlers.
   *
   * @param stopStep ends the running step (first Ctrl-C on a terminal)
   * @param interrupt interrupts the run
   * @return call it when a step ends, so the next Ctrl-C counts as a first one again
   */
  public static Runnable install(Runnable stopStep, Runnable interrupt, boolean onTerminal) {
    AtomicInteger presses = new AtomicInteger();
    org.jline.utils.Signals.register("TERM", interrupt);
    org.jline.utils.Signals.register(
        "INT",
        () -> {
          if (onTerminal && presses.incrementAndGet() == 1) {
            stopStep.run();
          } else {
            interrupt.run();
          }
        });
    org.jline.utils.Signals.register("HUP", () -> {});
    return () -> presses.set(0);
  }
}
