package dev.runbook.cli;

import dev.runbook.dsl.Problem;
import java.io.PrintWriter;
import java.util.List;
import org.json.JSONArray;
import org.json.JSONObject;

/** Prints problems as {@code FILE:LINE:COL: error: message} plus a hint line, or as JSON. */
final class ProblemRenderer {
  private ProblemRenderer() {}

  static void text(List<Problem> problems, PrintWriter err) {
    for (Problem p : problems) {
      err.println(p.headline());
      p.hint().ifPresent(h -> err.println("  hint: " + h));
    }
  }

  /** Stable fields: file, line, column, severity, code, message, hint (null when none). */
  static JSONArray json(List<Problem> problems) {
    JSONArray array = new JSONArray();
    for (Problem p : problems) {
      array.put(
          new JSONObject()
              .put("file", p.location().file())
              .put("line", p.location().line())
              .put("column", p.location().column())
              .put("severity", p.severity().label())
              .put("code", p.code())
              .put("message", p.message())
              .put("hint", p.hint().<Object>map(h -> h).orElse(JSONObject.NULL)));
    }
    return array;
  }
}
