package dev.runbook.engine.internal.probe;

import java.util.Locale;

/** Byte counts as operators read them: binary units, one decimal. */
public final class Sizes {
  private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

  private Sizes() {}

  /**
   * Formats a byte count in the largest binary unit that keeps it at least 1, with at most one
   * decimal, rounded down so that a figure is never overstated: {@code 512 B}, {@code 2 GiB},
   * {@code 1.4 GiB}.
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
