package dev.runbook.dsl;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The DSL's durations: {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h30m}, {@code 2d}. */
public final class Durations {
  private static final Pattern WHOLE = Pattern.compile("([0-9]+(ms|s|m|h|d))+");
  private static final Pattern PART = Pattern.compile("([0-9]+)(ms|s|m|h|d)");

  private Durations() {}

  /** The duration written as {@code text}; empty when it is not one. */
  public static Optional<Duration> parse(String text) {
    if (text == null || !WHOLE.matcher(text).matches()) {
      return Optional.empty();
    }
    Duration total = Duration.ZERO;
    Matcher m = PART.matcher(text);
    try {
      while (m.find()) {
        long n = Long.parseLong(m.group(1));
        total =
            total.plus(
                switch (m.group(2)) {
                  case "ms" -> Duration.ofMillis(n);
                  case "s" -> Duration.ofSeconds(n);
                  case "m" -> Duration.ofMinutes(n);
                  case "h" -> Duration.ofHours(n);
                  default -> Duration.ofDays(n);
                });
      }
    } catch (ArithmeticException | NumberFormatException e) {
      return Optional.empty();
    }
    return Optional.of(total);
  }

  /**
   * The shortest DSL form of a duration, exact to the millisecond: {@code 1h30m}, {@code 1s500ms},
   * {@code 0s}. {@link #parse} reads it back. Every message that names a configured duration (a
   * timeout, a delay, a grace period) writes it this way, so the operator sees what the runbook
   * says. A negative duration (a bad configuration being reported) keeps its sign; one below a
   * millisecond, which no runbook can write, reads {@code <1ms} rather than nothing.
   */
  public static String format(Duration d) {
    if (d.isNegative()) {
      return "-" + format(d.negated());
    }
    if (d.isZero()) {
      return "0s";
    }
    StringBuilder out = new StringBuilder();
    append(out, d.toDays(), "d");
    append(out, d.toHoursPart(), "h");
    append(out, d.toMinutesPart(), "m");
    append(out, d.toSecondsPart(), "s");
    append(out, d.toMillisPart(), "ms");
    return out.length() == 0 ? "<1ms" : out.toString();
  }

  private static void append(StringBuilder out, long amount, String unit) {
    if (amount > 0) {
      out.append(amount).append(unit);
    }
  }
}
