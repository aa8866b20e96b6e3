package dev.runbook.cli;

import java.util.Optional;

/**
 * The steps a resume skips, one after another, because the run it continues finished them: summed
 * up in one line (a resume late in a long runbook passes thousands). Not thread-safe.
 */
public final class DoneBeforeSeries {
  private String first;
  private String last;
  private int count;

  /** Adds the next step of the series. */
  public void add(String stepId) {
    if (count++ == 0) {
      first = stepId;
    }
    last = stepId;
  }

  /** A series: its first and last step, and how many steps it has. */
  public record Series(String first, String last, int count) {
    /** {@code first}, or {@code first to last}. */
    public String range() {
      return count == 1 ? first : first + " to " + last;
    }
  }

  /** The series so far, and starts a new one; empty when no step was added since. */
  public Optional<Series> take() {
    if (count == 0) {
      return Optional.empty();
    }
    Series series = new Series(first, last, count);
    count = 0;
    return Optional.of(series);
  }
}
