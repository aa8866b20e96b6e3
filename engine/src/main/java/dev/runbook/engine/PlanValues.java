package dev.runbook.engine;

import dev.runbook.dsl.expr.ExpressionException;
import dev.runbook.dsl.model.Action;
import dev.runbook.dsl.model.ActionVisitor;
import dev.runbook.dsl.model.DockerOperation;
import dev.runbook.dsl.model.Template;
import dev.runbook.engine.internal.render.Bindings;
import dev.runbook.engine.internal.render.RenderedValue;
import dev.runbook.engine.internal.render.ValueTemplate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Resolves a step's templates into {@link PlannedValue}s, each field on its own. */
final class PlanValues {
  private PlanValues() {}

  /** {@code t} resolved as far as a plan can; a value that cannot be is said so, never thrown. */
  static PlannedValue of(Template t, Bindings b) {
    RenderedValue rendered;
    try {
      rendered = ValueTemplate.render(t, b);
    } catch (ExpressionException e) {
      return new PlannedValue.Unresolvable(e.getMessage());
    }
    if (!rendered.known()) {
      Set<String> awaited = new LinkedHashSet<>();
      rendered.expansions().forEach(x -> awaited.addAll(x.awaiting()));
      return new PlannedValue.KnownAfter(List.copyOf(awaited), rendered.display());
    }
    // A caller's secret handed to a callee's plain parameter is masked by value, not by what the
    // expression reads: a display that differs from the text is masked all the same.
    if (rendered.secret() || !rendered.text().equals(rendered.display())) {
      return new PlannedValue.Secret(rendered.display());
    }
    return new PlannedValue.Known(rendered.display());
  }

  /** A step's own {@code env:}, entry by entry, as the plan shows it. */
  static List<PlannedField> map(String prefix, Map<String, Template> entries, Bindings b) {
    List<PlannedField> fields = new ArrayList<>();
    entries.forEach((k, v) -> fields.add(new PlannedField(prefix + k, of(v, b))));
    return fields;
  }

  /** Every template field of {@code action}, named as the runbook names it, in its order. */
  static List<PlannedField> action(Action action, Bindings b) {
    Fields f = new Fields(b);
    action.accept(
        new ActionVisitor<Void>() {
          @Override
          public Void visitRun(Action.Run a) {
            return f.add("script", a.script());
          }

          @Override
          public Void visitExec(Action.Exec a) {
            return f.list("argv", a.argv());
          }

          @Override
          public Void visitHttp(Action.Http a) {
            var s = a.request();
            f.add("url", s.url());
            f.map("headers.", s.headers());
            s.body().ifPresent(t -> f.add("body", t));
            f.add("status", s.status());
            s.contains().ifPresent(t -> f.add("contains", t));
            return f.map("json.", s.json());
          }

          @Override
          public Void visitCopy(Action.Copy a) {
            f.add("from", a.from());
            return f.add("to", a.to());
          }

          @Override
          public Void visitBackup(Action.Backup a) {
            f.list("paths", a.paths());
            return f.add("to", a.to());
          }

          @Override
          public Void visitRestore(Action.Restore a) {
            f.add("from", a.from());
            return f.add("to", a.to());
          }

          @Override
          public Void visitDocker(Action.Docker a) {
            docker(a.operation(), f);
            return null;
          }

          @Override
          public Void visitWait(Action.Wait a) {
            return f.add("timeout", a.timeout());
          }

          @Override
          public Void visitConfirm(Action.Confirm a) {
            return f.add("message", a.message());
          }

          @Override
          public Void visitCall(Action.Call a) {
            return f.map("params.", a.params());
          }
        });
    return f.fields;
  }

  private static void docker(DockerOperation op, Fields f) {
    if (op instanceof DockerOperation.Pull p) {
      f.add("image", p.image());
    } else if (op instanceof DockerOperation.Inspect i) {
      f.add("container", i.container());
    } else if (op instanceof DockerOperation.Run r) {
      f.add("image", r.image());
      r.name().ifPresent(t -> f.add("name", t));
      f.map("env.", r.env());
      f.list("command", r.command());
      f.list("mounts", r.mounts());
      f.map("labels.", r.labels());
      r.health().ifPresent(h -> f.add("health.cmd", h.cmd()));
    } else if (op instanceof DockerOperation.Stop s) {
      target(s.target(), f);
    } else if (op instanceof DockerOperation.Start s) {
      target(s.target(), f);
    } else if (op instanceof DockerOperation.Remove r) {
      target(r.target(), f);
    } else if (op instanceof DockerOperation.Exec e) {
      f.add("container", e.container());
      f.list("command", e.command());
    } else if (op instanceof DockerOperation.WaitHealthy w) {
      f.add("container", w.container());
      f.add("timeout", w.timeout());
    } else if (op instanceof DockerOperation.Tag t) {
      f.add("image", t.image());
      f.add("as", t.as());
    } else if (op instanceof DockerOperation.Logs l) {
      f.add("container", l.container());
    } else {
      throw new IllegalStateException("no plan fields for the docker operation `" + op.key() + "`");
    }
  }

  private static void target(DockerOperation.Target t, Fields f) {
    t.name().ifPresent(n -> f.add("name", n));
    t.label().ifPresent(l -> f.add("label", l));
  }

  /** Collects fields in order. */
  private static final class Fields {
    private final Bindings bindings;
    private final List<PlannedField> fields = new ArrayList<>();

    Fields(Bindings bindings) {
      this.bindings = bindings;
    }

    Void add(String name, Template t) {
      fields.add(new PlannedField(name, of(t, bindings)));
      return null;
    }

    Void list(String name, List<Template> ts) {
      for (int i = 0; i < ts.size(); i++) {
        add(name + "[" + i + "]", ts.get(i));
      }
      return null;
    }

    Void map(String prefix, Map<String, Template> ts) {
      ts.forEach((k, v) -> add(prefix + k, v));
      return null;
    }
  }
}
