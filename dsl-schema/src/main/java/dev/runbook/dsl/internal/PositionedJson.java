package dev.runbook.dsl.internal;

import dev.runbook.dsl.model.SourceLocation;
import java.util.Map;
import java.util.Optional;

/**
 * A YAML document as a JSON value, with the source location of every value and every key.
 *
 * <p>Locations are keyed by JSON Pointer in everit's form ({@code #/steps/0/run}), so a schema
 * violation maps back to the line that caused it.
 *
 * @param root a {@link org.json.JSONObject}, {@link org.json.JSONArray}, String, Number, Boolean or
 *     {@link org.json.JSONObject#NULL}
 * @param valueLocations where each value starts, by pointer
 * @param keyLocations where each mapping key is written, by the pointer of its value
 */
record PositionedJson(
    Object root,
    Map<String, SourceLocation> valueLocations,
    Map<String, SourceLocation> keyLocations,
    String file) {

  static String child(String pointer, String key) {
    return pointer + "/" + key.replace("~", "~0").replace("/", "~1");
  }

  static String child(String pointer, int index) {
    return pointer + "/" + index;
  }

  /** Where the value at {@code pointer} is written, else its nearest ancestor, else the file. */
  SourceLocation valueAt(String pointer) {
    String p = pointer;
    while (true) {
      SourceLocation location = valueLocations.get(p);
      if (location != null) {
        return location;
      }
      int slash = p.lastIndexOf('/');
      if (slash < 0) {
        return new SourceLocation(file, 1, 1);
      }
      p = p.substring(0, slash);
    }
  }

  /** Where the key of the value at {@code pointer} is written; the value's location otherwise. */
  SourceLocation keyAt(String pointer) {
    return Optional.ofNullable(keyLocations.get(pointer)).orElseGet(() -> valueAt(pointer));
  }
}
