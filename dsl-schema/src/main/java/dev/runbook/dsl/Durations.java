package dev.runbook.dsl;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The DSL's durations: {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h30m}, {@code 2d}. */
public final class Durations {
  private static final Pattern WHOLE = Pattern.compile("([0-9]+(ms|s|m|h|d))+");
  private static final Pattern PART = Pattern.compile("([0-9]+)(ms|s|m|h|d)");

  /**
   * The longest duration a runbook may give (ten years): far beyond any sensible timeout or delay,
   * and far below what a deadline ({@code Instant.now().plus}, nanoseconds in a {@code long}) can
   * hold, so that no duration a runbook writes can overflow one.
   */
  public static final Duration MAX = Duration.ofDays(3650);

  private Durations() {}

  /**
   * Why {@code text} is not a duration a runbook may give here, as the end of a sentence about it
   * ("is zero: …"); empty when it is one. Not one at all, longer than {@link #MAX} (however many
   * digits), or zero where zero would mean nothing sensible (a timeout that has expired before it
   * starts, a wait that never pauses).
   *
   * @param zeroAllowed whether {@code 0s} is allowed here (a delay, a grace period)
   */
  public static Optional<String> problem(String text, boolean zeroAllowed) {
    if (text == null || !WHOLE.matcher(text).matches()) {
      return Optional.of("is not a duration such as 250ms, 30s, 5m, 1h30m or 2d");
    }
    Optional<Duration> d = parse(text);
    if (d.isEmpty() || d.get().compareTo(MAX) > 0) {
      return Optional.of("is longer than the longest duration allowed, " + format(MAX));
    }
    if (!zeroAllowed && d.get().isZero()) {
      return Optional.of("is zero: give a duration longer than 0s");
    }
    return Optional.empty();
  }

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
