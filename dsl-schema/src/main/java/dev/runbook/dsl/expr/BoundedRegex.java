package dev.runbook.dsl.expr;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Regular-expression matching with a time limit. Java's engine backtracks: a pattern such as {@code
 * (.*a){60}} takes longer than the age of the universe on a short text, and nothing interrupts it.
 * Here the text is read through a {@link CharSequence} that checks a deadline (and the thread's
 * interrupt) as the engine reads it, so a match ends, with {@link TooSlowException}, soon after its
 * limit, and a signal that stops the run is honoured.
 */
public final class BoundedRegex {
  /** How long one match may take: far more than any sensible pattern needs on any text here. */
  public static final Duration LIMIT = Duration.ofSeconds(1);

  private BoundedRegex() {}

  /** A match that ran out of time (or whose thread was interrupted); the message says which. */
  public static final class TooSlowException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TooSlowException(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * A matcher of {@code pattern} over {@code text} that throws {@link TooSlowException} from its
   * methods once {@code limit} has passed since this call.
   */
  public static Matcher matcher(Pattern pattern, CharSequence text, Duration limit) {
    return pattern.matcher(new Deadline(text, System.nanoTime() + limit.toNanos(), limit));
  }

  /** Whether {@code pattern} matches somewhere in {@code text}, within {@link #LIMIT}. */
  public static boolean find(Pattern pattern, CharSequence text) {
    return matcher(pattern, text, LIMIT).find();
  }

  /** The text, with a deadline checked every few thousand reads of a character. */
  private static final class Deadline implements CharSequence {
    private final CharSequence text;
    private final long deadline;
    private final Duration limit;
    private int reads;

    Deadline(CharSequence text, long deadline, Duration limit) {
      this.text = text;
      this.deadline = deadline;
      this.limit = limit;
    }

    @Override
    public char charAt(int index) {
      if ((++reads & 0xFFF) == 0) {
        if (System.nanoTime() - deadline > 0) {
          throw new TooSlowException(
              "the regular expression took longer than "
                  + limit.toMillis()
                  + " ms on a text of "
                  + text.length()
                  + " characters; a nested repetition such as (.*a){60} backtracks without end");
        }
        if (Thread.currentThread().isInterrupted()) {
          throw new TooSlowException("the regular expression was interrupted");
        }
      }
      return text.charAt(index);
    }

    @Override
    public int length() {
      return text.length();
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return new Deadline(text.subSequence(start, end), deadline, limit);
    }

    @Override
    public String toString() {
      return text.toString();
    }
  }
}
