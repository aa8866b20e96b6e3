package dev.runbook.engine;

import java.util.Objects;

/**
 * One named value of a planned step: an action's field ({@code script}, {@code url}, {@code
 * argv[0]}, ...), its {@code cwd}, or one of its {@code env} entries ({@code env.NAME}).
 *
 * @param name the field's name as the runbook spells it; list entries are indexed, map entries
 *     dotted
 * @param value the value, resolved as far as a plan can
 */
public record PlannedField(String name, PlannedValue value) {
  public PlannedField {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
  }
}
