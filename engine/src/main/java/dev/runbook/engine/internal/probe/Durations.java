package dev.runbook.engine.internal.probe;

import java.time.Duration;

/** Durations written the way runbooks write them: {@code 250ms}, {@code 5s}, {@code 1h30m}. */
final class Durations {
  private Durations() {}

  static String format(Duration duration) {
    if (duration.isNegative()) {
      return "-" + format(duration.negated());
    }
    if (duration.isZero()) {
      return "0s";
    }
    StringBuilder text = new StringBuilder();
    append(text, duration.toHours(), "h");
    append(text, duration.toMinutesPart(), "m");
    append(text, duration.toSecondsPart(), "s");
    append(text, duration.toMillisPart(), "ms");
    if (text.length() == 0) {
      // Below a millisecond: rare, but never print an empty string.
      return "<1ms";
    }
    return text.toString();
  }

  private static void append(StringBuilder text, long amount, String unit) {
    if (amount > 0) {
      text.append(amount).append(unit);
    }
  }
}
