package dev.runbook.dsl;

/** How bad a problem is: only errors make a runbook invalid. */
public enum Severity {
  ERROR,
  WARNING;

  /** The word used in messages ({@code error}, {@code warning}). */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
