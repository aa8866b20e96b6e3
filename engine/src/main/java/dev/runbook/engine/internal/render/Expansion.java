package dev.runbook.engine.internal.render;

import dev.runbook.dsl.expr.CompiledExpression;
import dev.runbook.dsl.expr.ExpressionLanguage;
import dev.runbook.dsl.model.Expression;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One {@code ${{ }}} of a template, resolved as far as it can be before running.
 *
 * @param expression the expression as written; its location is that of its {@code ${{}
 * @param value its text; empty exactly when {@link #awaiting} is not
 * @param secret true if the expression reads a secret parameter or environment entry
 * @param awaiting the pending steps whose outputs or status it reads, in run order; empty when the
 *     value is known
 */
public record Expansion(
    Expression expression, Optional<String> value, boolean secret, List<String> awaiting) {

  /** How a secret value is shown. */
  public static final String MASK = "***";

  public Expansion {
    Objects.requireNonNull(expression, "expression");
    Objects.requireNonNull(value, "value");
    awaiting = List.copyOf(awaiting);
    if (value.isPresent() == !awaiting.isEmpty()) {
      throw new IllegalArgumentException("a value is present exactly when nothing is awaited");
    }
  }

  /**
   * Resolves {@code expression} against {@code bindings}; an expression that reads a pending step
   * is not evaluated.
   *
   * @throws dev.runbook.dsl.expr.ExpressionException when it does not compile, cannot be evaluated
   *     or has no text (null, a map, a list)
   */
  static Expansion resolve(Expression expression, Bindings bindings) {
    CompiledExpression compiled = ExpressionLanguage.standard().compile(expression);
    boolean secret = false;
    Set<String> awaiting = new LinkedHashSet<>();
    for (List<String> path : compiled.references()) {
      String root = path.get(0);
      Optional<String> name = path.size() > 1 ? Optional.of(path.get(1)) : Optional.empty();
      switch (root) {
        case "params" -> secret |= reads(name, bindings.secretParams());
        case "env" -> secret |= reads(name, bindings.secretEnv());
        case "steps" -> {
          if (name.isEmpty()) {
            awaiting.addAll(bindings.pendingSteps());
          } else if (bindings.pendingSteps().contains(name.get())) {
            awaiting.add(name.get());
          }
        }
        default -> {
          // run.id and run.dir are known from the start.
        }
      }
    }
    if (!awaiting.isEmpty()) {
      List<String> inRunOrder = new ArrayList<>(bindings.pendingSteps());
      inRunOrder.retainAll(awaiting);
      return new Expansion(expression, Optional.empty(), secret, inRunOrder);
    }
    return new Expansion(
        expression, Optional.of(compiled.render(bindings.variables())), secret, List.of());
  }

  private static boolean reads(Optional<String> name, Set<String> secrets) {
    return name.isPresent() ? secrets.contains(name.get()) : !secrets.isEmpty();
  }

  /** True if the value is known. */
  public boolean known() {
    return awaiting.isEmpty();
  }

  /**
   * How the value is shown in a plan or in progress output: {@code <known after `build` runs>} when
   * it is not known yet, {@value #MASK} when it is secret, otherwise the value itself.
   */
  public String display() {
    if (!known()) {
      return "<known after " + steps(awaiting) + (awaiting.size() == 1 ? " runs>" : " run>");
    }
    return secret ? MASK : value.orElseThrow();
  }

  /** The expression and its {@link #display()}, never a secret value. */
  @Override
  public String toString() {
    return source() + " = " + display();
  }

  /** The expression as written in the runbook, for messages: {@code ${{ params.dir }}}. */
  String source() {
    return "${{ " + expression.source() + " }}";
  }

  private static String steps(List<String> ids) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < ids.size(); i++) {
      if (i > 0) {
        text.append(i == ids.size() - 1 ? " and " : ", ");
      }
      text.append('`').append(ids.get(i)).append('`');
    }
    return text.toString();
  }
}
