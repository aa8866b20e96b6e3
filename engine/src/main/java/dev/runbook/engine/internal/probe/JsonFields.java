package dev.runbook.engine.internal.probe;

import dev.runbook.engine.internal.secret.Masking;
import java.math.BigDecimal;
import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;
import org.json.JSONParserConfiguration;
import org.json.JSONTokener;

/**
 * Reads a response body as JSON and compares the values found by JSON Pointer with what the runbook
 * expects, which arrives as text because YAML wrote it as a scalar.
 *
 * <p>Comparison by the JSON value's type: a string equals the text exactly; a number equals text
 * that is the same number ({@code 200} matches {@code 200} and {@code 200.0}); a boolean matches
 * {@code true} or {@code false} in any case; {@code null} matches {@code null} in any case; an
 * object or array matches text that parses as the same JSON ({@code [1, 2]}).
 */
final class JsonFields {
  private static final int SHOWN_CHARS = 60;

  private JsonFields() {}

  /**
   * Parses a whole body as strict JSON (RFC 8259: no single quotes, no unquoted words, nothing
   * after the value).
   *
   * @return a JSONObject, JSONArray, String, Number, Boolean or {@link JSONObject#NULL}
   * @throws JSONException if the body is not JSON
   */
  static Object parse(String body) {
    JSONTokener tokener = new JSONTokener(body);
    tokener.setJsonParserConfiguration(new JSONParserConfiguration().withStrictMode(true));
    Object value = tokener.nextValue();
    if (tokener.nextClean() != 0) {
      throw tokener.syntaxError("text after the JSON value");
    }
    return value;
  }

  static boolean matches(Object actual, String expected) {
    if (actual instanceof String) {
      return actual.equals(expected);
    }
    if (actual instanceof Number) {
      try {
        return new BigDecimal(actual.toString()).compareTo(new BigDecimal(expected.trim())) == 0;
      } catch (NumberFormatException e) {
        return false;
      }
    }
    if (actual instanceof Boolean) {
      return actual.toString().equalsIgnoreCase(expected.trim());
    }
    if (JSONObject.NULL.equals(actual)) {
      return "null".equalsIgnoreCase(expected.trim());
    }
    if (actual instanceof JSONObject || actual instanceof JSONArray) {
      try {
        Object wanted = parse(expected);
        return actual instanceof JSONObject
            ? ((JSONObject) actual).similar(wanted)
            : ((JSONArray) actual).similar(wanted);
      } catch (JSONException e) {
        return false;
      }
    }
    return false;
  }

  /** A JSON value as JSON text, masked, then shortened for a one-line detail. */
  static String render(Object actual, Masking masking) {
    if (actual instanceof String) {
      return quote((String) actual, masking);
    }
    return shorten(masking.mask(JSONObject.NULL.equals(actual) ? "null" : actual.toString()));
  }

  /**
   * An expected value as the runbook's author would read it: bare when it is a number, boolean or
   * null literal, quoted otherwise.
   */
  static String renderExpected(String expected, Masking masking) {
    String trimmed = expected.trim();
    if (trimmed.equalsIgnoreCase("true")
        || trimmed.equalsIgnoreCase("false")
        || trimmed.equalsIgnoreCase("null")) {
      return trimmed;
    }
    try {
      new BigDecimal(trimmed);
      return trimmed;
    } catch (NumberFormatException e) {
      return quote(expected, masking);
    }
  }

  /**
   * Text in JSON quotes with control characters escaped, shortened: safe on one line. Masked before
   * it is shortened or escaped: a shortened secret would show its start, an escaped one would no
   * longer be found by masking the message.
   */
  static String quote(String text, Masking masking) {
    String shown = masking.mask(text);
    return JSONObject.quote(
        shown.length() > SHOWN_CHARS ? shown.substring(0, SHOWN_CHARS - 3) + "..." : shown);
  }

  private static String shorten(String text) {
    return text.length() > SHOWN_CHARS ? text.substring(0, SHOWN_CHARS - 3) + "..." : text;
  }
}
