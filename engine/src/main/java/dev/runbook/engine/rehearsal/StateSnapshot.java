package dev.runbook.engine.rehearsal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The state of the system at one moment, as its {@link SystemState} declares it: one entry per path
 * (a file's kind, mode, owner and digest) and per command (its exit status and output).
 *
 * @param entries by what they describe ({@code path DIR/FILE}, {@code command `CMD`}), sorted
 */
public record StateSnapshot(Map<String, String> entries) {
  public StateSnapshot {
    entries = java.util.Collections.unmodifiableMap(new TreeMap<>(entries));
  }

  /**
   * What differs from {@code expected}, one line per path or command, each naming it and saying
   * what was expected and what was found; empty when they match.
   */
  public List<String> differencesFrom(StateSnapshot expected) {
    List<String> out = new ArrayList<>();
    TreeSet<String> keys = new TreeSet<>(expected.entries.keySet());
    keys.addAll(entries.keySet());
    for (String key : keys) {
      String want = expected.entries.get(key);
      String got = entries.get(key);
      if (Objects.equals(want, got)) {
        continue;
      }
      if (want == null) {
        out.add(key + ": appeared (" + firstLine(got) + ")");
      } else if (got == null) {
        out.add(key + ": missing (was " + firstLine(want) + ")");
      } else if (key.startsWith(PATH)) {
        out.add(key + ": " + fieldDifference(want, got));
      } else {
        out.add(key + ": " + difference(want, got));
      }
    }
    return out;
  }

  /** How entries for paths start; commands' start with {@link #COMMAND}. */
  static final String PATH = "path ";

  static final String COMMAND = "command ";

  /**
   * A path's fields that differ ({@code kind mode owner size sha256}, as {@link SystemState} writes
   * them), by name.
   */
  private static String fieldDifference(String want, String got) {
    String[] a = want.split(" ");
    String[] b = got.split(" ");
    if (a.length != b.length || !a[0].equals(b[0])) {
      return "was " + want.split(" ")[0] + ", now " + got.split(" ")[0];
    }
    List<String> fields = new ArrayList<>();
    boolean contents = false;
    for (int i = 1; i < a.length; i++) {
      if (a[i].equals(b[i])) {
        continue;
      }
      String name = a[i].substring(0, a[i].indexOf('=') + 1);
      if (name.equals("size=") || name.equals("sha256=") || name.equals("target=")) {
        contents = true;
      } else {
        fields.add(name.replace("=", "") + " " + value(a[i]) + " -> " + value(b[i]));
      }
    }
    if (contents) {
      fields.add(0, "contents differ (" + describe(a) + " -> " + describe(b) + ")");
    }
    return String.join(", ", fields);
  }

  private static String describe(String[] fields) {
    List<String> shown = new ArrayList<>();
    for (String f : fields) {
      if (f.startsWith("size=")) {
        shown.add(value(f) + " bytes");
      } else if (f.startsWith("sha256=")) {
        shown.add("sha256 " + value(f).substring(0, 12));
      } else if (f.startsWith("target=")) {
        shown.add("-> " + value(f));
      }
    }
    return String.join(", ", shown);
  }

  private static String value(String field) {
    return field.substring(field.indexOf('=') + 1);
  }

  /** The first line that differs, or the part of a file's description that does. */
  private static String difference(String want, String got) {
    String[] a = want.split("\n", -1);
    String[] b = got.split("\n", -1);
    for (int i = 0; i < Math.max(a.length, b.length); i++) {
      String x = i < a.length ? a[i] : "<none>";
      String y = i < b.length ? b[i] : "<none>";
      if (!x.equals(y)) {
        String where = a.length > 1 || b.length > 1 ? "line " + (i + 1) + ": " : "";
        return where + "expected `" + clip(x) + "`, got `" + clip(y) + "`";
      }
    }
    return "differs";
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return clip(nl < 0 ? s : s.substring(0, nl));
  }

  private static String clip(String s) {
    return s.length() > 160 ? s.substring(0, 157) + "..." : s;
  }
}
