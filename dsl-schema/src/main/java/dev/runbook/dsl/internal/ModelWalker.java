package dev.runbook.dsl.internal;

import dev.runbook.dsl.model.Action;
import dev.runbook.dsl.model.ActionVisitor;
import dev.runbook.dsl.model.Check;
import dev.runbook.dsl.model.CheckVisitor;
import dev.runbook.dsl.model.DockerOperation;
import dev.runbook.dsl.model.Expression;
import dev.runbook.dsl.model.HttpSpec;
import dev.runbook.dsl.model.Template;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Lists the expressions written inside an action or a check, for the semantic checks. */
final class ModelWalker {
  private ModelWalker() {}

  /** Every expression of every template of {@code action}, in writing order. */
  static List<Expression> expressions(Action action) {
    List<Template> templates = new ArrayList<>();
    action.accept(new ActionTemplates(templates));
    List<Expression> out = new ArrayList<>();
    templates.forEach(t -> out.addAll(expressions(t)));
    if (action instanceof Action.Wait wait) {
      out.addAll(expressions(wait.until()));
    }
    return out;
  }

  static List<Expression> expressions(Check check) {
    List<Expression> out = new ArrayList<>();
    check.accept(
        new CheckVisitor<Void>() {
          @Override
          public Void visitCommand(Check.Command c) {
            out.addAll(expressions(c.command()));
            c.cwd().ifPresent(t -> out.addAll(expressions(t)));
            return null;
          }

          @Override
          public Void visitPath(Check.Path c) {
            out.addAll(expressions(c.at()));
            return null;
          }

          @Override
          public Void visitHttp(Check.Http c) {
            List<Template> ts = new ArrayList<>();
            http(c.request(), ts);
            ts.forEach(t -> out.addAll(expressions(t)));
            return null;
          }

          @Override
          public Void visitPort(Check.Port c) {
            out.addAll(expressions(c.host()));
            out.addAll(expressions(c.port()));
            return null;
          }

          @Override
          public Void visitDiskFree(Check.DiskFree c) {
            out.addAll(expressions(c.path()));
            return null;
          }

          @Override
          public Void visitDocker(Check.Docker c) {
            c.container().ifPresent(t -> out.addAll(expressions(t)));
            c.image().ifPresent(t -> out.addAll(expressions(t)));
            return null;
          }

          @Override
          public Void visitExpr(Check.Expr c) {
            out.add(c.expression());
            return null;
          }
        });
    return out;
  }

  static List<Expression> expressions(Template template) {
    List<Expression> out = new ArrayList<>();
    for (Template.Part part : template.parts()) {
      if (part instanceof Template.Interpolation i) {
        out.add(i.expression());
      }
    }
    return out;
  }

  /** The argv-like templates a secret must never reach (exec argv, container commands). */
  static List<Template> argvTemplates(Action action) {
    if (action instanceof Action.Exec exec) {
      return exec.argv();
    }
    if (action instanceof Action.Docker docker) {
      if (docker.operation() instanceof DockerOperation.Run run) {
        return run.command();
      }
      if (docker.operation() instanceof DockerOperation.Exec exec) {
        return exec.command();
      }
    }
    return List.of();
  }

  private static void http(HttpSpec spec, List<Template> out) {
    out.add(spec.url());
    out.add(spec.status());
    out.addAll(spec.headers().values());
    spec.body().ifPresent(out::add);
    spec.contains().ifPresent(out::add);
    out.addAll(spec.json().values());
    spec.caFile().ifPresent(out::add);
  }

  private static void add(Optional<Template> t, List<Template> out) {
    t.ifPresent(out::add);
  }

  private static final class ActionTemplates implements ActionVisitor<Void> {
    private final List<Template> out;

    ActionTemplates(List<Template> out) {
      this.out = out;
    }

    @Override
    public Void visitRun(Action.Run a) {
      out.add(a.script());
      return null;
    }

    @Override
    public Void visitExec(Action.Exec a) {
      out.addAll(a.argv());
      return null;
    }

    @Override
    public Void visitHttp(Action.Http a) {
      http(a.request(), out);
      return null;
    }

    @Override
    public Void visitCopy(Action.Copy a) {
      out.add(a.from());
      out.add(a.to());
      return null;
    }

    @Override
    public Void visitBackup(Action.Backup a) {
      out.addAll(a.paths());
      out.add(a.to());
      return null;
    }

    @Override
    public Void visitRestore(Action.Restore a) {
      out.add(a.from());
      out.add(a.to());
      return null;
    }

    @Override
    public Void visitDocker(Action.Docker a) {
      DockerOperation op = a.operation();
      if (op instanceof DockerOperation.Pull p) {
        out.add(p.image());
      } else if (op instanceof DockerOperation.Inspect i) {
        out.add(i.container());
      } else if (op instanceof DockerOperation.Run r) {
        out.add(r.image());
        add(r.name(), out);
        out.addAll(r.env().values());
        out.addAll(r.command());
        out.addAll(r.mounts());
        out.addAll(r.labels().values());
        r.health().ifPresent(h -> out.add(h.cmd()));
      } else if (op instanceof DockerOperation.Stop s) {
        target(s.target());
      } else if (op instanceof DockerOperation.Start s) {
        target(s.target());
      } else if (op instanceof DockerOperation.Remove r) {
        target(r.target());
      } else if (op instanceof DockerOperation.Exec e) {
        out.add(e.container());
        out.addAll(e.command());
      } else if (op instanceof DockerOperation.WaitHealthy w) {
        out.add(w.container());
        out.add(w.timeout());
      } else if (op instanceof DockerOperation.Tag t) {
        out.add(t.image());
        out.add(t.as());
      } else if (op instanceof DockerOperation.Logs l) {
        out.add(l.container());
      }
      return null;
    }

    private void target(DockerOperation.Target target) {
      add(target.name(), out);
      add(target.label(), out);
    }

    @Override
    public Void visitWait(Action.Wait a) {
      out.add(a.timeout());
      return null;
    }

    @Override
    public Void visitConfirm(Action.Confirm a) {
      out.add(a.message());
      return null;
    }

    @Override
    public Void visitCall(Action.Call a) {
      out.addAll(a.params().values());
      return null;
    }
  }
}
