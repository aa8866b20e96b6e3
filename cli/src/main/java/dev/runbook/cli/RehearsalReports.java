package dev.runbook.cli;

import dev.runbook.engine.rehearsal.Rehearsal;
import dev.runbook.engine.rehearsal.Trial;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.json.JSONArray;
import org.json.JSONObject;

/** A rehearsal's report as text (a table), JSON (for tools) or JUnit XML (for CI). */
final class RehearsalReports {
  private RehearsalReports() {}

  static void text(Rehearsal.Report report, String replay, PrintWriter out) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"#", "trial", "step", "injected", "expected", "got", "result"});
    for (Trial t : report.trials()) {
      rows.add(
          new String[] {
            String.valueOf(t.number()),
            t.kind().text(),
            t.step().orElse("-"),
            t.injected(),
            t.expected(),
            t.got(),
            t.passed() ? "passed" : "FAILED"
          });
    }
    int[] width = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        width[i] = Math.max(width[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        line.append(i == row.length - 1 ? row[i] : pad(row[i], width[i] + 2));
      }
      out.println(line.toString().stripTrailing());
    }
    for (Trial t : report.trials()) {
      if (t.differences().isEmpty() && t.expectedDifferences().isEmpty() && t.notes().isEmpty()) {
        continue;
      }
      out.println();
      out.println(
          "trial "
              + t.number()
              + " ("
              + t.kind().text()
              + t.step().map(s -> " " + s).orElse("")
              + "):");
      t.differences().forEach(d -> out.println("  differs: " + d));
      t.expectedDifferences().forEach(d -> out.println("  expected difference: " + d));
      t.notes().forEach(n -> out.println("  note: " + n));
      if (!t.passed()) {
        out.println("  output and journal: " + t.stateDir());
      }
    }
    long failed = report.trials().stream().filter(t -> !t.passed()).count();
    out.println();
    out.println(
        (failed == 0
                ? "all " + report.trials().size() + " trials passed"
                : failed + " of " + report.trials().size() + " trials failed")
            + " (seed "
            + report.seed()
            + ")");
    out.println("replay: " + replay);
  }

  static void json(Rehearsal.Report report, String runbook, PrintWriter out) {
    JSONArray trials = new JSONArray();
    for (Trial t : report.trials()) {
      trials.put(
          new JSONObject()
              .put("number", t.number())
              .put("kind", t.kind().text())
              .put("step", t.step().map(Object.class::cast).orElse(JSONObject.NULL))
              .put("injected", t.injected())
              .put("expected", t.expected())
              .put("got", t.got())
              .put("passed", t.passed())
              .put("differences", new JSONArray(t.differences()))
              .put("expected_differences", new JSONArray(t.expectedDifferences()))
              .put("notes", new JSONArray(t.notes()))
              .put("elapsed_ms", t.elapsed().toMillis())
              .put("run_id", t.runId().map(Object.class::cast).orElse(JSONObject.NULL))
              .put("state_dir", t.stateDir()));
    }
    out.println(
        new JSONObject()
            .put("runbook", runbook)
            .put("seed", report.seed())
            .put("passed", report.passed())
            .put("trials", trials)
            .toString(2));
  }

  static void junit(Rehearsal.Report report, String runbook, PrintWriter out) {
    long failures = report.trials().stream().filter(t -> !t.passed()).count();
    double seconds = report.trials().stream().mapToLong(t -> t.elapsed().toMillis()).sum() / 1000.0;
    out.println("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    out.println(
        "<testsuite name=\"runbook test "
            + xml(runbook)
            + "\" tests=\""
            + report.trials().size()
            + "\" failures=\""
            + failures
            + "\" errors=\"0\" time=\""
            + String.format(Locale.ROOT, "%.3f", seconds)
            + "\">");
    out.println(
        "  <properties><property name=\"seed\" value=\"" + report.seed() + "\"/></properties>");
    for (Trial t : report.trials()) {
      String name =
          t.number()
              + " "
              + t.kind().text()
              + t.step().map(s -> " " + s).orElse("")
              + ": "
              + t.injected();
      out.print(
          "  <testcase classname=\"runbook."
              + xml(runbook)
              + "\" name=\""
              + xml(name)
              + "\" time=\""
              + String.format(Locale.ROOT, "%.3f", t.elapsed().toMillis() / 1000.0)
              + "\"");
      List<String> details = new ArrayList<>();
      details.add("expected: " + t.expected());
      details.add("got: " + t.got());
      t.differences().forEach(d -> details.add("differs: " + d));
      t.expectedDifferences().forEach(d -> details.add("expected difference: " + d));
      t.notes().forEach(n -> details.add("note: " + n));
      if (t.passed()) {
        out.println(">");
        out.println("    <system-out>" + xml(String.join("\n", details)) + "</system-out>");
        out.println("  </testcase>");
      } else {
        out.println(">");
        String message = t.differences().isEmpty() ? "got " + t.got() : t.differences().get(0);
        out.println(
            "    <failure message=\""
                + xml(message)
                + "\" type=\"trial\">"
                + xml(String.join("\n", details) + "\noutput and journal: " + t.stateDir())
                + "</failure>");
        out.println("  </testcase>");
      }
    }
    out.println("</testsuite>");
  }

  private static String pad(String s, int width) {
    return s.length() >= width ? s : s + " ".repeat(width - s.length());
  }

  private static String xml(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&apos;");
        default -> {
          if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') {
            b.append(' '); // not allowed in XML 1.0
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
  }

  /** Deletes the trials' state directories once every trial passed. */
  static void deleteTree(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
