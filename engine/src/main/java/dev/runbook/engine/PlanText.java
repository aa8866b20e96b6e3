package dev.runbook.engine;

import dev.runbook.dsl.Durations;
import dev.runbook.dsl.model.Action;
import dev.runbook.dsl.model.ActionVisitor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A planned step's action as a plan shows it, one line per entry, composed from its resolved {@link
 * PlannedStep#fields() fields} and the step as declared: the text plan and the JSON plan's {@code
 * action} both read it, so they cannot disagree with the fields a tool reads.
 *
 * <p>A value that cannot be resolved before running makes the whole action one line naming the
 * first such field in the order the line reads them. A {@code docker} action is the exception: its
 * settings outnumber its template fields, so the planner describes it ({@link
 * PlannedStep#docker()}).
 */
public final class PlanText {
  private PlanText() {}

  /** The lines of {@code s}'s action, without its {@code cwd} and {@code env}. */
  public static List<String> action(PlannedStep s) {
    Action action = s.step().action();
    if (action instanceof Action.Docker) {
      return s.docker();
    }
    Map<String, PlannedValue> fields = new LinkedHashMap<>();
    s.fields().forEach(f -> fields.put(f.name(), f.value()));
    Optional<String> why = unresolvable(action, fields);
    if (why.isPresent()) {
      return List.of(action.kind() + ": cannot be resolved now: " + why.get());
    }
    return action.accept(new Lines(fields, s.until()));
  }

  /** Why the first field the action's text reads cannot be resolved, if one cannot. */
  private static Optional<String> unresolvable(Action action, Map<String, PlannedValue> fields) {
    List<String> order = new ArrayList<>();
    if (action instanceof Action.Http http) {
      // the order the line reads them: the headline, then headers and body
      var r = http.request();
      order.add("url");
      order.add("status");
      order.add("contains");
      r.json().keySet().forEach(k -> order.add("json." + k));
      r.headers().keySet().forEach(k -> order.add("headers." + k));
      order.add("body");
    } else {
      order.addAll(fields.keySet());
    }
    return order.stream()
        .map(fields::get)
        .filter(v -> v instanceof PlannedValue.Unresolvable)
        .map(v -> ((PlannedValue.Unresolvable) v).why())
        .findFirst();
  }

  /** Composes each kind's lines; every field it reads is resolved. */
  private record Lines(Map<String, PlannedValue> fields, Optional<String> until)
      implements ActionVisitor<List<String>> {
    private String show(String name) {
      return fields.get(name).display();
    }

    @Override
    public List<String> visitRun(Action.Run a) {
      String script = show("script").stripTrailing();
      List<String> lines = new ArrayList<>();
      String head = a.shell().map(s -> "run (" + s + "):").orElse("run:");
      if (!script.contains("\n")) {
        lines.add(head + " " + script);
      } else {
        lines.add(head);
        script.lines().forEach(l -> lines.add("  " + l));
      }
      return lines;
    }

    @Override
    public List<String> visitExec(Action.Exec a) {
      List<String> args = new ArrayList<>();
      for (int i = 0; i < a.argv().size(); i++) {
        args.add(Planner.quote(show("argv[" + i + "]")));
      }
      return List.of("exec: " + String.join(" ", args));
    }

    @Override
    public List<String> visitHttp(Action.Http a) {
      var s = a.request();
      StringBuilder line =
          new StringBuilder("http: ")
              .append(s.method())
              .append(' ')
              .append(show("url"))
              .append(", expect ")
              .append(show("status"));
      if (s.contains().isPresent()) {
        line.append(", body contains \"").append(show("contains")).append('"');
      }
      s.json()
          .keySet()
          .forEach(k -> line.append(", ").append(k).append(" = ").append(show("json." + k)));
      List<String> lines = new ArrayList<>(List.of(line.toString()));
      s.headers().keySet().forEach(k -> lines.add("  header " + k + ": " + show("headers." + k)));
      if (s.body().isPresent()) {
        // A multi-line body is shown like a script: one entry a line, indented.
        String body = show("body").stripTrailing();
        if (body.contains("\n")) {
          lines.add("  body:");
          body.lines().forEach(l -> lines.add("    " + l));
        } else {
          lines.add("  body: " + body);
        }
      }
      return lines;
    }

    @Override
    public List<String> visitCopy(Action.Copy a) {
      return List.of("copy: " + show("from") + " -> " + show("to") + " (replaces it)");
    }

    @Override
    public List<String> visitBackup(Action.Backup a) {
      List<String> paths = new ArrayList<>();
      for (int i = 0; i < a.paths().size(); i++) {
        paths.add(show("paths[" + i + "]"));
      }
      return List.of(
          "backup: "
              + String.join(", ", paths)
              + " -> "
              + show("to")
              + " (with a checksummed manifest)");
    }

    @Override
    public List<String> visitRestore(Action.Restore a) {
      return List.of(
          "restore: " + show("from") + " -> " + show("to") + " (after verifying the manifest)");
    }

    @Override
    public List<String> visitDocker(Action.Docker a) {
      throw new IllegalStateException("a docker action is described by the planner");
    }

    @Override
    public List<String> visitWait(Action.Wait a) {
      return List.of(
          "wait: until "
              + until.orElseThrow()
              + ", up to "
              + show("timeout")
              + ", every "
              + Durations.format(a.interval()));
    }

    @Override
    public List<String> visitConfirm(Action.Confirm a) {
      return List.of("confirm: " + show("message"));
    }

    @Override
    public List<String> visitCall(Action.Call a) {
      List<String> params = new ArrayList<>();
      a.params().keySet().forEach(k -> params.add(k + "=" + show("params." + k)));
      return List.of(
          "call: " + a.runbook() + (params.isEmpty() ? "" : " with " + String.join(", ", params)));
    }
  }
}
