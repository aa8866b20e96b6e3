package dev.runbook.dsl.expr;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** How a value becomes text, and how it is named in messages without showing it. */
final class ValueText {
  private static final int MAX_KEYS_SHOWN = 10;

  private ValueText() {}

  /**
   * The text form of a scalar: strings as they are, integers without a fraction, decimals in plain
   * notation without trailing zeros ({@code 4.5}, {@code 3}, never {@code 3.0} or {@code 1E+3}),
   * booleans as {@code true} / {@code false}.
   *
   * @throws IllegalArgumentException for null, maps, lists, non-finite numbers and any other type;
   *     the message names the kind of value, never the value
   */
  static String of(Object value) {
    if (value instanceof CharSequence || value instanceof Character || value instanceof Path) {
      return value.toString();
    }
    if (value instanceof Boolean) {
      return value.toString();
    }
    if (value instanceof Integer
        || value instanceof Long
        || value instanceof Short
        || value instanceof Byte
        || value instanceof BigInteger) {
      return value.toString();
    }
    if (value instanceof BigDecimal) {
      return plain((BigDecimal) value);
    }
    if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw new IllegalArgumentException("the result is not a finite number");
      }
      // Float through its own decimal text, so 1.1f stays 1.1 instead of 1.100000023841858.
      BigDecimal exact =
          value instanceof Float ? new BigDecimal(value.toString()) : BigDecimal.valueOf(d);
      return plain(exact);
    }
    throw new IllegalArgumentException(describe(value) + " has no text form");
  }

  private static String plain(BigDecimal value) {
    return value.signum() == 0 ? "0" : value.stripTrailingZeros().toPlainString();
  }

  /**
   * Names the kind of a value for a message ({@code "a string"}, {@code "a map with keys a, b"}),
   * never its content: a value may be a secret, a map's keys are names from the runbook.
   */
  static String describe(Object value) {
    if (value == null) {
      return "null (no value)";
    }
    if (value instanceof CharSequence || value instanceof Character) {
      return "a string";
    }
    if (value instanceof Boolean) {
      return "a boolean";
    }
    if (value instanceof Number) {
      return "a number";
    }
    if (value instanceof Map) {
      Map<?, ?> map = (Map<?, ?>) value;
      return map.isEmpty() ? "an empty map" : "a map with keys " + keys(map);
    }
    if (value instanceof Collection || value.getClass().isArray()) {
      return "a list";
    }
    if (value instanceof java.util.regex.Pattern) {
      return "a regular expression";
    }
    return "a value of type " + value.getClass().getSimpleName();
  }

  /** The keys of a map, sorted, at most ten, for "it has …" messages. */
  static String keys(Map<?, ?> map) {
    TreeSet<String> sorted =
        map.keySet().stream().map(String::valueOf).collect(Collectors.toCollection(TreeSet::new));
    String shown = sorted.stream().limit(MAX_KEYS_SHOWN).collect(Collectors.joining(", "));
    return sorted.size() > MAX_KEYS_SHOWN ? shown + ", …" : shown;
  }
}
