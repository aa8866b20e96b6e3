package dev.runbook.cli;

import dev.runbook.dsl.Durations;
import dev.runbook.dsl.Parameters;
import dev.runbook.dsl.model.Step;
import dev.runbook.engine.CheckOutcome;
import dev.runbook.engine.Plan;
import dev.runbook.engine.PlanText;
import dev.runbook.engine.PlannedCheck;
import dev.runbook.engine.PlannedField;
import dev.runbook.engine.PlannedStep;
import dev.runbook.engine.PlannedValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.json.JSONArray;
import org.json.JSONObject;

/** Renders a {@link Plan} as text for reviewers, as JSON for tools, or as a Mermaid flowchart. */
final class PlanRenderer {
  private PlanRenderer() {}

  static String text(Plan plan) {
    StringBuilder out = new StringBuilder();
    out.append("Plan for `")
        .append(plan.runbook().name())
        .append("` (")
        .append(plan.runbook().file().getFileName())
        .append(")\n");
    plan.runbook().title().ifPresent(t -> out.append("  ").append(t).append('\n'));
    out.append("  on failure: ")
        .append(plan.runbook().onFailure().name().toLowerCase(Locale.ROOT))
        .append('\n');
    out.append("  lock: ").append(plan.lock()).append('\n');
    if (!plan.params().isEmpty()) {
      out.append("\nParameters:\n");
      for (Parameters.Value v : plan.params().values()) {
        out.append("  ")
            .append(v.param().name())
            .append(" = ")
            .append(v.display())
            .append("  (")
            .append(source(v.source()))
            .append(")\n");
      }
    }
    if (!plan.preconditions().isEmpty()) {
      out.append("\nPreconditions")
          .append(plan.offline() ? " (offline: not evaluated)" : "")
          .append(":\n");
      for (PlannedCheck c : plan.preconditions()) {
        out.append("  ")
            .append(c.live().map(PlanRenderer::mark).orElse("[ ? ]"))
            .append(' ')
            .append(c.name());
        if (!c.name().equals(c.description())) {
          // A multi-line command keeps the plan's indentation.
          out.append(": ").append(c.description().replace("\n", "\n        "));
        }
        c.live().ifPresent(o -> out.append(" -- ").append(o.detail()));
        out.append('\n');
      }
    }
    out.append("\nSteps:\n");
    steps(plan.steps(), out, "  ", 1);
    if (!plan.finallySteps().isEmpty()) {
      out.append("\nFinally (always, at the run's end):\n");
      steps(plan.finallySteps(), out, "  ", 1);
    }
    return out.toString();
  }

  private static String mark(CheckOutcome o) {
    return switch (o.status()) {
      case HOLDS -> "[ok]";
      case FAILED -> "[UNMET]";
      case ERRORED -> "[ERROR]";
    };
  }

  private static String source(Parameters.Source s) {
    return switch (s) {
      case COMMAND_LINE -> "-p";
      case PARAMS_FILE -> "params file";
      case ENVIRONMENT -> "environment";
      case DEFAULT -> "default";
      case PROMPT -> "prompt";
      case NOT_GIVEN -> "not given: asked at run time";
    };
  }

  private static void steps(List<PlannedStep> steps, StringBuilder out, String indent, int first) {
    int n = first;
    for (PlannedStep s : steps) {
      Step step = s.step();
      out.append(indent).append(n++).append(". ").append(s.id());
      step.title().ifPresent(t -> out.append(" -- ").append(t));
      out.append('\n');
      String in = indent + "   ";
      switch (s.decision()) {
        case SKIP -> out.append(in).append("SKIPPED: ").append(s.reason()).append('\n');
        case DECIDED_AT_RUN ->
            out.append(in).append("decided at run time: ").append(s.reason()).append('\n');
        default -> {
          if (!s.reason().isEmpty()) {
            out.append(in).append(s.reason()).append('\n');
          }
        }
      }
      s.requires().forEach(r -> out.append(in).append("requires: ").append(r).append('\n'));
      actionLines(s).forEach(a -> out.append(in).append(a).append('\n'));
      if (!s.children().isEmpty()) {
        steps(s.children(), out, in + "  ", 1);
      }
      step.timeout()
          .ifPresent(
              t -> out.append(in).append("timeout: ").append(Durations.format(t)).append('\n'));
      step.retry()
          .ifPresent(
              r ->
                  out.append(in)
                      .append("retry: ")
                      .append(r.attempts())
                      .append(" attempts, delay ")
                      .append(Durations.format(r.delay()))
                      .append(r.backoff() > 1 ? ", backoff x" + trim(r.backoff()) : "")
                      .append('\n'));
      s.verify().forEach(v -> out.append(in).append("verify: ").append(v).append('\n'));
      if (!step.outputs().isEmpty()) {
        out.append(in)
            .append("outputs: ")
            .append(String.join(", ", step.outputs().keySet()))
            .append('\n');
      }
      for (PlannedStep c : s.compensation()) {
        out.append(in)
            .append("compensate")
            .append(s.compensation().size() > 1 ? " (" + c.id() + ")" : "")
            .append(":\n");
        if (!c.reason().isEmpty()) {
          out.append(in).append("  ").append(c.reason()).append('\n');
        }
        c.requires().forEach(r -> out.append(in).append("  requires: ").append(r).append('\n'));
        actionLines(c).forEach(a -> out.append(in).append("  ").append(a).append('\n'));
      }
      step.irreversible()
          .ifPresent(r -> out.append(in).append("IRREVERSIBLE: ").append(r).append('\n'));
      if (step.idempotent()) {
        out.append(in).append("idempotent\n");
      }
      if (!step.checkpoint()) {
        out.append(in).append("not a checkpoint: resume redoes it with the next checkpoint\n");
      }
      if (step.continueOnError()) {
        out.append(in).append("continue on error\n");
      }
    }
  }

  /** The action as the plan shows it: its description, then the step's {@code cwd} and env. */
  private static List<String> actionLines(PlannedStep s) {
    List<String> lines = new ArrayList<>(PlanText.action(s));
    s.cwd().ifPresent(v -> lines.add("cwd: " + v.display()));
    s.env().forEach(f -> lines.add("env: " + f.name() + "=" + f.value().display()));
    return lines;
  }

  private static String trim(double d) {
    return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
  }

  /** Stable fields, documented in the README ("plan --format json"). */
  static JSONObject json(Plan plan) {
    JSONObject params = new JSONObject();
    for (Parameters.Value v : plan.params().values()) {
      params.put(
          v.param().name(),
          new JSONObject()
              .put("value", v.display())
              .put("secret", v.secret())
              .put("source", source(v.source())));
    }
    JSONArray preconditions = new JSONArray();
    for (PlannedCheck c : plan.preconditions()) {
      JSONObject o = new JSONObject().put("name", c.name()).put("description", c.description());
      c.live()
          .ifPresentOrElse(
              l ->
                  o.put("result", l.status().name().toLowerCase(Locale.ROOT))
                      .put("detail", l.detail()),
              () -> o.put("result", "not_evaluated"));
      preconditions.put(o);
    }
    return new JSONObject()
        .put("runbook", plan.runbook().name())
        .put("file", plan.runbook().file().toString())
        .put("lock", plan.lock())
        .put("on_failure", plan.runbook().onFailure().name().toLowerCase(Locale.ROOT))
        .put("offline", plan.offline())
        .put("params", params)
        .put("preconditions", preconditions)
        .put("steps", stepsJson(plan.steps()))
        .put("finally", stepsJson(plan.finallySteps()))
        .put(
            "digest",
            new JSONObject()
                .put("runbooks", new JSONObject(plan.digest().runbooks()))
                .put("params", plan.digest().params()));
  }

  private static JSONArray stepsJson(List<PlannedStep> steps) {
    JSONArray array = new JSONArray();
    for (PlannedStep s : steps) {
      Step step = s.step();
      JSONObject o =
          new JSONObject()
              .put("id", s.id())
              .put("title", step.title().orElse(null))
              .put("kind", step.action().kind())
              .put("decision", s.decision().name().toLowerCase(Locale.ROOT))
              .put("reason", s.reason())
              .put("action", new JSONArray(actionLines(s)))
              .put("fields", fieldsJson(s.fields()))
              .put("cwd", s.cwd().map(PlanRenderer::valueJson).orElse(null))
              .put("env", fieldsJson(s.env()))
              .put("requires", new JSONArray(s.requires()))
              .put("verify", new JSONArray(s.verify()))
              .put("outputs", new JSONArray(step.outputs().keySet()))
              .put("timeout", step.timeout().map(Durations::format).orElse(null))
              .put("idempotent", step.idempotent())
              .put("checkpoint", step.checkpoint())
              .put("continue_on_error", step.continueOnError())
              .put("irreversible", step.irreversible().orElse(null))
              .put("compensation", stepsJson(s.compensation()))
              .put("children", stepsJson(s.children()));
      step.retry()
          .ifPresent(
              r ->
                  o.put(
                      "retry",
                      new JSONObject()
                          .put("attempts", r.attempts())
                          .put("delay", Durations.format(r.delay()))
                          .put("backoff", r.backoff())));
      array.put(o);
    }
    return array;
  }

  private static JSONArray fieldsJson(List<PlannedField> fields) {
    JSONArray array = new JSONArray();
    fields.forEach(f -> array.put(valueJson(f.value()).put("name", f.name())));
    return array;
  }

  /**
   * A value for tools: {@code kind} says what is known of it, {@code value} is what the text plan
   * shows (secrets masked), {@code after} and {@code why} say what it waits for or why not.
   */
  private static JSONObject valueJson(PlannedValue value) {
    JSONObject o = new JSONObject().put("value", value.display());
    if (value instanceof PlannedValue.Known) {
      o.put("kind", "known");
    } else if (value instanceof PlannedValue.Secret) {
      o.put("kind", "secret");
    } else if (value instanceof PlannedValue.KnownAfter k) {
      o.put("kind", "known_after").put("after", new JSONArray(k.steps()));
    } else if (value instanceof PlannedValue.Unresolvable u) {
      o.put("kind", "unresolvable").put("why", u.why());
    }
    return o;
  }

  /**
   * A flowchart: steps in order, when-branches, compensations dashed, irreversible marked, then the
   * {@code finally} steps, which run whatever happened.
   */
  static String mermaid(Plan plan) {
    StringBuilder out = new StringBuilder("flowchart TD\n");
    out.append("  start([start])\n");
    Flow flow = new Flow(out, "start");
    int i = 0;
    for (PlannedStep s : plan.steps()) {
      flow.step(s, "s" + i++, "");
    }
    int f = 0;
    for (PlannedStep s : plan.finallySteps()) {
      flow.step(s, "f" + f++, "finally: ");
    }
    String end = "s" + i;
    out.append("  ").append(end).append("([end])\n");
    flow.enter(end);
    return out.toString();
  }

  /**
   * Draws steps one after the other. A step with a {@code when} is entered through its decision,
   * whose false branch leads to wherever the next step is entered (its own decision, if it has
   * one).
   */
  private static final class Flow {
    private final StringBuilder out;
    private String previous;
    private String skipped; // a decision whose false branch waits for the next entry

    Flow(StringBuilder out, String start) {
      this.out = out;
      this.previous = start;
    }

    void step(PlannedStep s, String node, String prefix) {
      String label =
          prefix + s.id() + (s.step().irreversible().isPresent() ? " ⚠ irreversible" : "");
      out.append("  ").append(node).append("[\"").append(escape(label)).append("\"]\n");
      if (s.step().when().isPresent()) {
        String decision = node + "_when";
        out.append("  ")
            .append(decision)
            .append("{\"")
            .append(escape(s.step().when().get().source()))
            .append("\"}\n");
        enter(decision);
        out.append("  ").append(decision).append(" -->|true| ").append(node).append('\n');
        skipped = decision;
      } else {
        enter(node);
      }
      int c = 0;
      for (PlannedStep comp : s.compensation()) {
        String compNode = node + "_c" + c++;
        out.append("  ")
            .append(compNode)
            .append("[/\"undo: ")
            .append(escape(comp.id()))
            .append("\"/]\n");
        out.append("  ").append(node).append(" -.->|compensate| ").append(compNode).append('\n');
      }
      if (s.step().irreversible().isPresent()) {
        out.append("  style ").append(node).append(" stroke:#c00,stroke-width:3px\n");
      }
      previous = node;
    }

    /** Connects what came before to {@code entry}: the previous step, and a skipped one. */
    void enter(String entry) {
      out.append("  ").append(previous).append(" --> ").append(entry).append('\n');
      if (skipped != null) {
        out.append("  ").append(skipped).append(" -->|false| ").append(entry).append('\n');
        skipped = null;
      }
    }
  }

  private static String escape(String text) {
    return text.replace("\"", "#quot;");
  }
}
