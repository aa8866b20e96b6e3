package dev.runbook.dsl.expr;

import dev.runbook.dsl.expr.ExpressionException.Reason;
import dev.runbook.dsl.model.Expression;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.apache.commons.jexl3.JexlArithmetic;
import org.apache.commons.jexl3.JexlContext;
import org.apache.commons.jexl3.JexlException;
import org.apache.commons.jexl3.JexlExpression;

/**
 * A parsed and checked expression, evaluated against plain nested maps.
 *
 * <p>The variables are the {@link ExpressionLanguage#ROOTS}: {@code params} (name → value), {@code
 * env} (name → text), {@code steps} (id → {@code {status, outputs → name → value}}) and {@code run}
 * ({@code {id, dir}}); any of them may be absent when it cannot be read yet. Values are strings,
 * numbers, booleans or maps of the same; the maps are only read, never changed, and may be changed
 * by the caller between evaluations (not during one).
 *
 * <p>Thread safety: immutable; evaluate from any number of threads.
 */
public final class CompiledExpression {
  private final Expression expression;
  private final JexlExpression jexl;
  private final List<List<String>> references;

  CompiledExpression(Expression expression, JexlExpression jexl, List<List<String>> references) {
    this.expression = expression;
    this.jexl = jexl;
    this.references = references;
  }

  /** The expression as compiled (source trimmed); never null. */
  public Expression expression() {
    return expression;
  }

  /**
   * The variable paths the expression reads, in order of first appearance, without repetition:
   * {@code [params, install_dir]}, {@code [steps, version, outputs, rows]}, {@code [steps,
   * stop-old, status]} for {@code steps['stop-old'].status}. The first name is always one of the
   * {@link ExpressionLanguage#ROOTS}. A path stops where the expression stops naming fields, so
   * {@code size(steps.build.outputs)} gives {@code [steps, build, outputs]}. A path read behind
   * {@code ??} or {@code ?.} is listed too, though it may be absent at run time.
   *
   * @return never null; empty for an expression that reads no variable (a constant)
   */
  public List<List<String>> references() {
    return references;
  }

  /**
   * Evaluates the expression.
   *
   * @param variables the roots, by name; never null
   * @return a value from the variables, or a string, number or boolean computed from them; null
   *     when the expression reads a null value or uses {@code ?.} on something absent
   * @throws ExpressionException {@link Reason#UNDEFINED} for a variable or key the maps do not have
   *     (with the keys they do have), {@link Reason#FAILED} for any other failure
   */
  public Object evaluate(Map<String, ?> variables) {
    Objects.requireNonNull(variables, "variables");
    try {
      return jexl.evaluate(new ReadOnlyContext(variables));
    } catch (JexlException e) {
      throw translate(e, variables);
    }
  }

  /**
   * Evaluates a condition ({@code when}, {@code expr}): true only for the boolean {@code true}.
   *
   * <p>Anything that is not a boolean is an error, not false: the strings {@code "true"} and {@code
   * "false"} (a captured output is always a string) do not count, so that a typo never turns into a
   * silent skip; compare them explicitly ({@code steps.probe.outputs.ready == 'true'}).
   *
   * @throws ExpressionException {@link Reason#WRONG_TYPE} for a value that is not a boolean, as
   *     well as what {@link #evaluate} throws
   */
  public boolean test(Map<String, ?> variables) {
    Object value = evaluate(variables);
    if (value instanceof Boolean) {
      return (Boolean) value;
    }
    String hint = "";
    if (value instanceof String
        && ("true".equalsIgnoreCase((String) value) || "false".equalsIgnoreCase((String) value))) {
      hint = "; text does not count as a boolean, compare it: " + source() + " == 'true'";
    }
    throw new ExpressionException(
        Reason.WRONG_TYPE,
        expression.location(),
        "a condition must be true or false, but `"
            + source()
            + "` gave "
            + ValueText.describe(value)
            + hint);
  }

  /**
   * Evaluates the expression and gives its text, as {@link ExpressionLanguage#render} does.
   *
   * @throws ExpressionException {@link Reason#WRONG_TYPE} for null, a map or a list, as well as
   *     what {@link #evaluate} throws
   */
  public String render(Map<String, ?> variables) {
    Object value = evaluate(variables);
    try {
      return ValueText.of(value);
    } catch (IllegalArgumentException e) {
      String hint;
      if (value == null) {
        hint = "; write " + source() + " ?? '' if empty text is really meant";
      } else if (value instanceof Map) {
        hint = "; name one of its fields";
      } else {
        hint = "";
      }
      throw new ExpressionException(
          Reason.WRONG_TYPE,
          expression.location(),
          "`" + source() + "` gave " + ValueText.describe(value) + ", which has no text" + hint,
          e);
    }
  }

  @Override
  public String toString() {
    return expression.source();
  }

  private String source() {
    return ExpressionLanguage.abbreviate(expression.source());
  }

  /**
   * Words JEXL's failure in an operator's terms. Never passes on a JEXL or JDK message: those name
   * JEXL's internals and may quote a value ({@code Object comparison:(3000 > s3cret)}).
   */
  private ExpressionException translate(JexlException e, Map<String, ?> variables) {
    FunctionException fromFunction = causeOfType(e, FunctionException.class);
    if (fromFunction != null) {
      return failed(fromFunction.getMessage(), e);
    }
    if (e instanceof JexlException.Variable) {
      String name = ((JexlException.Variable) e).getVariable();
      String message =
          ((JexlException.Variable) e).isUndefined()
              ? "`" + name + "` is not available here"
              : "`" + name + "` is null";
      return new ExpressionException(Reason.UNDEFINED, expression.location(), message, e);
    }
    if (e instanceof JexlException.Property) {
      String property = ((JexlException.Property) e).getProperty();
      String message = diagnose(variables, property);
      if (message == null) {
        message = "no field `" + property + "` in `" + source() + "`";
      }
      return new ExpressionException(Reason.UNDEFINED, expression.location(), message, e);
    }
    if (e instanceof JexlException.Method) {
      return failed(arityMessage(((JexlException.Method) e).getMethod()), e);
    }
    if (causeOfType(e, JexlArithmetic.NullOperand.class) != null) {
      return failed(
          "an operand in `" + source() + "` is null (no value); give a fallback with ??", e);
    }
    ArithmeticException arithmetic = causeOfType(e, ArithmeticException.class);
    if (arithmetic != null && isDivisionByZero(arithmetic)) {
      return failed("division by zero in `" + source() + "`", e);
    }
    if (arithmetic != null || causeOfType(e, NumberFormatException.class) != null) {
      return failed(
          "cannot compute `"
              + source()
              + "` with these values (a text that is not a number, or values that do not"
              + " compare); number() turns a text into a number",
          e);
    }
    if (e instanceof JexlException.StackOverflow) {
      return failed("`" + source() + "` is too deeply nested to evaluate", e);
    }
    if (String.valueOf(e.getMessage()).contains("namespace")) {
      return failed("functions are called by their bare name, without a prefix and `:`", e);
    }
    return failed("cannot evaluate `" + source() + "`", e);
  }

  // JEXL signals x / 0 and x % 0 with the operator as the message (and Java with "/ by zero").
  private static boolean isDivisionByZero(ArithmeticException e) {
    String message = String.valueOf(e.getMessage());
    return message.equals("/") || message.equals("%") || message.contains("by zero");
  }

  private ExpressionException failed(String message, JexlException cause) {
    return new ExpressionException(Reason.FAILED, expression.location(), message, cause);
  }

  /**
   * Finds the reference that cannot be read and says why, preferring the one that fails at {@code
   * property} (JEXL names only the last step); null when none fails.
   */
  private String diagnose(Map<String, ?> variables, String property) {
    String first = null;
    for (List<String> path : references) {
      Object current = variables;
      for (int i = 0; i < path.size(); i++) {
        String name = path.get(i);
        String prefix = String.join(".", path.subList(0, i));
        String problem = null;
        if (current instanceof Map) {
          Map<?, ?> map = (Map<?, ?>) current;
          if (map.containsKey(name)) {
            current = map.get(name);
            continue;
          }
          problem =
              i == 0
                  ? "`" + name + "` is not available here"
                  : "`" + prefix + "` has no `" + name + "`" + known(map, name);
        } else if (current == null) {
          problem = "`" + prefix + "` is null, so it has no `" + name + "`";
        } else {
          problem =
              "`" + prefix + "` is " + ValueText.describe(current) + ", it has no `" + name + "`";
        }
        if (name.equals(property)) {
          return problem;
        }
        if (first == null) {
          first = problem;
        }
        break;
      }
    }
    return first;
  }

  private static String known(Map<?, ?> map, String name) {
    if (map.isEmpty()) {
      return " (it is empty)";
    }
    List<String> keys = new ArrayList<>();
    for (Object key : map.keySet()) {
      keys.add(String.valueOf(key));
    }
    return Suggestions.didYouMean(name, keys) + " (it has " + ValueText.keys(map) + ")";
  }

  private String arityMessage(String name) {
    List<Method> overloads =
        Arrays.stream(ExpressionFunctions.class.getDeclaredMethods())
            .filter(m -> m.getName().equals(name))
            .collect(Collectors.toList());
    if (overloads.isEmpty()) {
      return "no function `" + name + "` here";
    }
    int count = overloads.get(0).getParameterCount();
    return "`" + name + "()` takes " + count + (count == 1 ? " argument" : " arguments");
  }

  private static <T extends Throwable> T causeOfType(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  /** The variables as JEXL sees them: readable, never written. */
  private static final class ReadOnlyContext implements JexlContext {
    private final Map<String, ?> variables;

    ReadOnlyContext(Map<String, ?> variables) {
      this.variables = variables;
    }

    @Override
    public Object get(String name) {
      return variables.get(name);
    }

    @Override
    public boolean has(String name) {
      return variables.containsKey(name);
    }

    @Override
    public void set(String name, Object value) {
      // Unreachable: assignment does not parse. Refuse anyway rather than write.
      throw new UnsupportedOperationException("expressions do not assign");
    }
  }
}
