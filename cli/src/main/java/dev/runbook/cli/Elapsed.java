package dev.runbook.cli;

import java.time.Duration;
import java.util.Locale;

/** How long something took, as an operator reads it: {@code 85ms}, {@code 3.2s}, {@code 4m05s}. */
public final class Elapsed {
  private Elapsed() {}

  public static String human(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000) {
      return ms + "ms";
    }
    if (ms < 60_000) {
      return String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
    }
    return String.format(Locale.ROOT, "%dm%02ds", ms / 60_000, (ms / 1000) % 60);
  }
}
