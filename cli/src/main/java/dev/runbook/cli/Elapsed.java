package dev.runbook.cli;

import dev.runbook.dsl.Durations;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * How long something took, as an operator reads it: {@code 85ms}, {@code 3.2s}, {@code 4m5s}.
 *
 * <p>A measured time is rounded, unlike a configured one ({@link Durations#format} writes those
 * exactly, as the runbook does): {@code 3s217ms} is noise when reading progress. From a minute on
 * it is whole seconds in the runbook's notation, so "succeeded in 4m5s" and "retrying in 4m5s" read
 * alike.
 */
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
    return Durations.format(d.truncatedTo(ChronoUnit.SECONDS));
  }
}
