package dev.runbook.dsl;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The DSL's sizes: {@code 512MiB}, {@code 2GB}, {@code 1.5GiB}, {@code 100B}. */
public final class Sizes {
  private static final Pattern SIZE =
      Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)");
  private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

  private Sizes() {}

  /** The number of bytes written as {@code text}; empty when it is not a size. */
  public static Optional<Long> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    Matcher m = SIZE.matcher(text);
    if (!m.matches()) {
      return Optional.empty();
    }
    long unit =
        switch (m.group(2)) {
          case "B" -> 1L;
          case "KB" -> 1_000L;
          case "MB" -> 1_000_000L;
          case "GB" -> 1_000_000_000L;
          case "TB" -> 1_000_000_000_000L;
          case "KiB" -> 1L << 10;
          case "MiB" -> 1L << 20;
          case "GiB" -> 1L << 30;
          default -> 1L << 40;
        };
    try {
      return Optional.of(
          new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit)).longValueExact());
    } catch (ArithmeticException e) {
      return Optional.empty();
    }
  }

  /**
   * A byte count as operators read it: the largest binary unit that keeps it at least 1, with at
   * most one decimal, rounded down so that a figure is never overstated (a disk with 1.96 GiB free
   * must not read as the 2 GiB a check asks for): {@code 512 B}, {@code 2 GiB}, {@code 1.4 GiB}.
   *
   * @throws IllegalArgumentException if {@code bytes} is negative
   */
  public static String format(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("negative size: " + bytes);
    }
    int unit = 0;
    while (unit + 1 < UNITS.length && bytes >>> (10 * (unit + 1)) > 0) {
      unit++;
    }
    if (unit == 0) {
      return bytes + " B";
    }
    long whole = bytes >>> (10 * unit);
    long remainder = bytes - (whole << (10 * unit));
    // remainder < 2^60, so remainder * 10 < 2^64: it may wrap the sign bit but stays exact as an
    // unsigned value, which the unsigned shift then reads.
    long tenths = (remainder * 10) >>> (10 * unit);
    return tenths == 0 ? whole + " " + UNITS[unit] : whole + "." + tenths + " " + UNITS[unit];
  }

  /** The exact count with digit grouping: {@code 2,147,483,648 bytes}. */
  public static String exact(long bytes) {
    return String.format(Locale.ROOT, "%,d bytes", bytes);
  }
}
