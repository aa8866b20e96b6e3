package dev.runbook.dsl;

import java.util.Optional;

/** Whole numbers written as text, checked without ever throwing for a user's value. */
final class WholeNumbers {
  private WholeNumbers() {}

  /**
   * Why {@code text} is not a whole number from {@code min} to {@code max} (named {@code what});
   * empty when it is one. Digits only: no sign, no spaces, however many digits.
   */
  static Optional<String> inRange(String text, long min, long max, String what) {
    String range = "from " + min + " to " + max;
    if (text.isEmpty() || text.length() > 18 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return Optional.of("not " + what + " (a whole number " + range + ")");
    }
    long n = Long.parseLong(text);
    if (n < min || n > max) {
      return Optional.of("not " + what + ": it must be " + range);
    }
    return Optional.empty();
  }
}
