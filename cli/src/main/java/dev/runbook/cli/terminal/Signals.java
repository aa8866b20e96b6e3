package dev.runbook.cli.terminal;

/**
 * What signals do to a run. SIGTERM (and SIGINT, until the terminal view offers its prompt)
 * interrupts it: the step's process tree is ended, the journal records it, exit 130. SIGHUP (the
 * SSH session dropped) does not stop it: the run goes on, journaling and logging.
 */
public final class Signals {
  private Signals() {}

  public static void onInterrupt(Runnable interrupt, boolean onTerminal) {
    org.jline.utils.Signals.register("TERM", interrupt);
    org.jline.utils.Signals.register("INT", interrupt);
    // Ignoring HUP keeps the JVM alive when the terminal goes away; output to a closed
    // terminal is discarded by the kernel, the journal and logs are files.
    org.jline.utils.Signals.register("HUP", () -> {});
  }
}
