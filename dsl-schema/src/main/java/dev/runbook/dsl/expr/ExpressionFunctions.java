package dev.runbook.dsl.expr;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The functions an expression may call, by their bare name: {@code contains(params.url, 'https:')}.
 *
 * <p>Public only because JEXL calls them; Java code has no reason to. Every argument is a scalar
 * (string, number, boolean) and is taken by its text form, the same as in a template, so {@code
 * lower(params.port)} works on a number. A null argument, a map or a list (except for {@link
 * #length}) is an error with a message naming the function, never a silent empty string.
 *
 * <p>Method names are snake_case because they are the DSL's names.
 */
public final class ExpressionFunctions {
  private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]+");

  private ExpressionFunctions() {}

  /** Whether {@code text} contains {@code part}; case-sensitive. */
  public static boolean contains(Object text, Object part) {
    return text("contains", 1, text).contains(text("contains", 2, part));
  }

  /** Whether {@code text} starts with {@code prefix}; case-sensitive. */
  public static boolean starts_with(Object text, Object prefix) {
    return text("starts_with", 1, text).startsWith(text("starts_with", 2, prefix));
  }

  /** Whether {@code text} ends with {@code suffix}; case-sensitive. */
  public static boolean ends_with(Object text, Object suffix) {
    return text("ends_with", 1, text).endsWith(text("ends_with", 2, suffix));
  }

  /**
   * Whether the regular expression (Java syntax) matches somewhere in {@code text}, like {@code
   * grep}: anchor it with {@code ^…$} to match the whole text.
   */
  public static boolean matches(Object text, Object regex) {
    String input = text("matches", 1, text);
    String expression = text("matches", 2, regex);
    try {
      return BoundedRegex.find(Pattern.compile(expression), input);
    } catch (PatternSyntaxException e) {
      throw new FunctionException("matches(): invalid regular expression: " + e.getDescription());
    } catch (BoundedRegex.TooSlowException e) {
      throw new FunctionException("matches(): " + e.getMessage());
    }
  }

  /** The text in lower case, by Unicode rules and independent of the machine's locale. */
  public static String lower(Object text) {
    return text("lower", 1, text).toLowerCase(Locale.ROOT);
  }

  /** The text in upper case, by Unicode rules and independent of the machine's locale. */
  public static String upper(Object text) {
    return text("upper", 1, text).toUpperCase(Locale.ROOT);
  }

  /** The text without leading and trailing white space (Unicode white space included). */
  public static String trim(Object text) {
    return text("trim", 1, text).strip();
  }

  /**
   * The last component of a path, as the POSIX {@code basename} command gives it: {@code /opt/app/}
   * gives {@code app}, {@code /} gives {@code /}, the empty text gives the empty text.
   */
  public static String basename(Object path) {
    String p = text("basename", 1, path);
    if (p.isEmpty()) {
      return "";
    }
    String stripped = stripTrailingSlashes(p);
    if (stripped.isEmpty()) {
      return "/";
    }
    return stripped.substring(stripped.lastIndexOf('/') + 1);
  }

  /**
   * The path without its last component, as the POSIX {@code dirname} command gives it: {@code
   * /opt/app} gives {@code /opt}, {@code app} gives {@code .}, {@code /app} gives {@code /}.
   */
  public static String dirname(Object path) {
    String p = text("dirname", 1, path);
    String stripped = stripTrailingSlashes(p);
    if (stripped.isEmpty()) {
      return p.isEmpty() ? "." : "/";
    }
    int slash = stripped.lastIndexOf('/');
    if (slash < 0) {
      return ".";
    }
    String parent = stripTrailingSlashes(stripped.substring(0, slash));
    return parent.isEmpty() ? "/" : parent;
  }

  /**
   * The number of characters (Unicode code points) of a text form, or the number of entries of a
   * map such as {@code steps.build.outputs}.
   */
  public static int length(Object value) {
    if (value instanceof Map) {
      return ((Map<?, ?>) value).size();
    }
    if (value instanceof Collection) {
      return ((Collection<?>) value).size();
    }
    String s = text("length", 1, value);
    return s.codePointCount(0, s.length());
  }

  /**
   * The number a text stands for, so that captured outputs (always text) compare as numbers: {@code
   * number(steps.count.outputs.rows) >= 10}. Integers become whole numbers, anything else that Java
   * reads as a decimal ({@code 1.5}, {@code -2e3}) a decimal; surrounding white space is ignored.
   */
  public static Number number(Object text) {
    if (text instanceof Number) {
      return (Number) text;
    }
    if (text instanceof Boolean) {
      throw new FunctionException("number(): a boolean is not a number");
    }
    String s = text("number", 1, text).strip();
    try {
      if (INTEGER.matcher(s).matches()) {
        BigInteger big = new BigInteger(s);
        return big.bitLength() < Long.SIZE ? (Number) big.longValue() : big;
      }
      return new BigDecimal(s);
    } catch (NumberFormatException e) {
      throw new FunctionException("number(): the text is not a number");
    }
  }

  private static String stripTrailingSlashes(String p) {
    int end = p.length();
    while (end > 0 && p.charAt(end - 1) == '/') {
      end--;
    }
    return p.substring(0, end);
  }

  private static String text(String function, int position, Object value) {
    try {
      return ValueText.of(value);
    } catch (IllegalArgumentException e) {
      throw new FunctionException(
          function
              + "(): argument "
              + position
              + " is "
              + ValueText.describe(value)
              + ", expected a string, number or boolean");
    }
  }
}
