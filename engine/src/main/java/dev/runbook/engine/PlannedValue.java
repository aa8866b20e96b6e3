package dev.runbook.engine;

import java.util.List;
import java.util.Objects;

/**
 * One value of a plan, resolved as far as it can be before the run: what a reviewer and a tool read
 * instead of a line of prose. Display only: {@code run} renders every value again from the runbook
 * and the run's own state, so nothing here is ever executed.
 *
 * <p>No variant holds a secret: a value that derives from one keeps only its masked text.
 */
public sealed interface PlannedValue {

  /** The value as a plan shows it: secrets masked, unknown parts named; never null. */
  String display();

  /** Known now, and derives from no secret. */
  record Known(String text) implements PlannedValue {
    public Known {
      Objects.requireNonNull(text, "text");
    }

    @Override
    public String display() {
      return text;
    }
  }

  /**
   * Known now but derived from a secret: only its masked form exists in the plan.
   *
   * @param masked the value with every secret part shown as {@code ***}
   */
  record Secret(String masked) implements PlannedValue {
    public Secret {
      Objects.requireNonNull(masked, "masked");
    }

    @Override
    public String display() {
      return masked;
    }
  }

  /**
   * Reads what only earlier steps of the run will produce.
   *
   * @param steps the steps it awaits, in run order
   * @param display the value with each unknown part named ({@code <known after `x` runs>})
   */
  record KnownAfter(List<String> steps, String display) implements PlannedValue {
    public KnownAfter {
      steps = List.copyOf(steps);
      Objects.requireNonNull(display, "display");
    }
  }

  /**
   * Cannot be resolved before running (an {@code env} name only the run's machine has, say).
   *
   * @param why the evaluation's message
   */
  record Unresolvable(String why) implements PlannedValue {
    public Unresolvable {
      Objects.requireNonNull(why, "why");
    }

    @Override
    public String display() {
      return "<cannot be resolved now: " + why + ">";
    }
  }
}
