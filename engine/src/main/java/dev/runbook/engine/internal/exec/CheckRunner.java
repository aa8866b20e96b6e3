package dev.runbook.engine.internal.exec;

import dev.runbook.dsl.HttpStatus;
import dev.runbook.dsl.PortNumber;
import dev.runbook.dsl.Sizes;
import dev.runbook.dsl.expr.ExpressionException;
import dev.runbook.dsl.expr.ExpressionLanguage;
import dev.runbook.dsl.model.Check;
import dev.runbook.dsl.model.CheckVisitor;
import dev.runbook.dsl.model.HttpSpec;
import dev.runbook.dsl.model.Template;
import dev.runbook.engine.CheckOutcome;
import dev.runbook.engine.internal.docker.DockerProbe;
import dev.runbook.engine.internal.probe.DiskFreeProbe;
import dev.runbook.engine.internal.probe.HttpProbe;
import dev.runbook.engine.internal.probe.PathProbe;
import dev.runbook.engine.internal.probe.PortProbe;
import dev.runbook.engine.internal.probe.StopSignal;
import dev.runbook.engine.internal.process.ProcessResult;
import dev.runbook.engine.internal.process.ProcessRunner;
import dev.runbook.engine.internal.process.ProcessSpec;
import dev.runbook.engine.internal.process.ProcessStartException;
import dev.runbook.engine.internal.process.RunningProcess;
import dev.runbook.engine.internal.process.ShellScript;
import dev.runbook.engine.internal.render.Bindings;
import dev.runbook.engine.internal.render.RenderedScript;
import dev.runbook.engine.internal.render.ShellTemplate;
import dev.runbook.engine.internal.render.ValueTemplate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Evaluates checks (read-only by contract) against the live system, and names them for messages and
 * plans.
 */
public final class CheckRunner {
  static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(30);
  static final Duration PORT_TIMEOUT = Duration.ofSeconds(3);

  private final ProcessRunner processes;
  private final HttpProbe http;
  private final DockerProbe docker;
  private final StopSignal stop = new StopSignal();

  public CheckRunner(ProcessRunner processes, HttpProbe http, DockerProbe docker) {
    this.processes = processes;
    this.http = http;
    this.docker = docker;
  }

  /**
   * Ends the check (or http action) that blocks now, at once, and every later one before it asks
   * anything: each is ERRORED "interrupted". For a signal that interrupts the run; callable from
   * any thread.
   */
  public void stopAll() {
    stop.raise();
  }

  /**
   * Ends the check (or http action) that blocks now, at once (ERRORED "interrupted"); later ones
   * run as usual. For an operator stopping one step; callable from any thread.
   */
  public void abortInFlight() {
    stop.abortInFlight();
  }

  /**
   * Evaluates {@code check} now.
   *
   * @param cwd where relative paths and commands start
   * @param scratch a directory for the output of a {@code command} check
   */
  public CheckOutcome evaluate(
      Check check, RunState state, Map<String, String> stepEnv, Path cwd, Path scratch) {
    try {
      CheckOutcome outcome = check.accept(new Evaluator(state, stepEnv, cwd, scratch));
      // A detail may quote what was expected (an http check's `contains`) or a path: it reaches
      // the journal and the operator's screen, so no secret value may be in it.
      String shown = state.mask(outcome.detail());
      return shown.equals(outcome.detail()) ? outcome : new CheckOutcome(outcome.status(), shown);
    } catch (ExpressionException e) {
      return CheckOutcome.errored(state.mask(e.getMessage()));
    }
  }

  /**
   * The check's name, or a description made from its resolved values (secrets masked). Never throws
   * for a value that cannot be resolved, which it names instead: messages about the check use it.
   */
  public static String name(Check check, Bindings bindings) {
    if (check.name().isPresent()) {
      return check.name().get();
    }
    try {
      return describe(check, bindings);
    } catch (ExpressionException e) {
      return check.kind() + " check (cannot be resolved now: " + e.getMessage() + ")";
    }
  }

  /** A one-line description: {@code path /opt/app/.env is a file}. */
  public static String describe(Check check, Bindings b) {
    return check.accept(
        new CheckVisitor<String>() {
          @Override
          public String visitCommand(Check.Command c) {
            return "command `"
                + ShellTemplate.render(c.command(), b).display().stripTrailing()
                + "` exits 0";
          }

          @Override
          public String visitPath(Check.Path c) {
            String at = show(c.at(), b);
            return switch (c.is()) {
              case EXISTS -> "path " + at + " exists";
              case FILE -> "path " + at + " is a file";
              case DIR -> "path " + at + " is a directory";
              case ABSENT -> "path " + at + " is absent";
            };
          }

          @Override
          public String visitHttp(Check.Http c) {
            HttpSpec s = c.request();
            StringBuilder out =
                new StringBuilder("http ")
                    .append(s.method())
                    .append(' ')
                    .append(show(s.url(), b))
                    .append(" answers ")
                    .append(show(s.status(), b));
            s.contains()
                .ifPresent(t -> out.append(", body contains \"").append(show(t, b)).append('"'));
            s.json().forEach((k, v) -> out.append(", ").append(k).append(" = ").append(show(v, b)));
            return out.toString();
          }

          @Override
          public String visitPort(Check.Port c) {
            return "port "
                + show(c.host(), b)
                + ":"
                + show(c.port(), b)
                + " is "
                + c.is().name().toLowerCase(java.util.Locale.ROOT);
          }

          @Override
          public String visitDiskFree(Check.DiskFree c) {
            return "at least " + Sizes.format(c.minBytes()) + " free at " + show(c.path(), b);
          }

          @Override
          public String visitDocker(Check.Docker c) {
            return c.container()
                .map(
                    t ->
                        "container "
                            + show(t, b)
                            + " is "
                            + c.is().name().toLowerCase(java.util.Locale.ROOT))
                .orElseGet(() -> "image " + show(c.image().orElseThrow(), b) + " is present");
          }

          @Override
          public String visitExpr(Check.Expr c) {
            return "${{ " + c.expression().source() + " }}";
          }
        });
  }

  private static String show(Template t, Bindings b) {
    return ValueTemplate.render(t, b).display();
  }

  private final class Evaluator implements CheckVisitor<CheckOutcome> {
    private final RunState state;
    private final Map<String, String> stepEnv;
    private final Path cwd;
    private final Path scratch;

    Evaluator(RunState state, Map<String, String> stepEnv, Path cwd, Path scratch) {
      this.state = state;
      this.stepEnv = stepEnv;
      this.cwd = cwd;
      this.scratch = scratch;
    }

    private String text(Template t) {
      return state.resolve(t, stepEnv);
    }

    private Path path(Template t) {
      return state.resolvePath(t, stepEnv, cwd);
    }

    @Override
    public CheckOutcome visitCommand(Check.Command c) {
      RenderedScript script = ShellTemplate.render(c.command(), state.bindings(stepEnv, List.of()));
      Map<String, String> env = new LinkedHashMap<>(state.childEnvironment(stepEnv));
      env.putAll(script.environment());
      Path dir = c.cwd().map(this::path).orElse(cwd);
      try {
        dev.runbook.engine.journal.StateDir.createPrivateDirectories(scratch);
        Path log = Files.createTempFile(scratch, "check-", ".log");
        try {
          ProcessSpec spec =
              ProcessSpec.builder(ShellScript.argv(script.script()), dir, log)
                  .environment(env)
                  .timeout(c.timeout().orElse(DEFAULT_COMMAND_TIMEOUT))
                  .secrets(state.secretValues())
                  .build();
          if (stop.raised()) {
            return CheckOutcome.errored(StopSignal.INTERRUPTED);
          }
          RunningProcess running = processes.start(spec);
          ProcessResult result;
          StopSignal.Registration registration = stop.whileBlocked(running::terminate);
          try {
            result = running.await();
          } finally {
            registration.close();
          }
          if (result.terminated()) {
            return CheckOutcome.errored(StopSignal.INTERRUPTED);
          }
          if (result.succeeded()) {
            return CheckOutcome.holds("exit 0");
          }
          String last =
              result.tail().isEmpty() ? "" : ": " + result.tail().get(result.tail().size() - 1);
          if (result.timedOut()) {
            return CheckOutcome.failed("timed out" + last);
          }
          return CheckOutcome.failed("exit " + result.exitCode() + last);
        } finally {
          Files.deleteIfExists(log);
        }
      } catch (ProcessStartException e) {
        return CheckOutcome.errored(e.getMessage());
      } catch (IOException e) {
        return CheckOutcome.errored("cannot run the check: " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return CheckOutcome.errored("interrupted");
      }
    }

    @Override
    public CheckOutcome visitPath(Check.Path c) {
      return new PathProbe().check(path(c.at()), c.is());
    }

    @Override
    public CheckOutcome visitHttp(Check.Http c) {
      return probe(c.request()).outcome();
    }

    /** The exchange {@code s} asks for, or why it cannot be made (a status that is no status). */
    HttpProbe.Result probe(HttpSpec s) {
      String status = text(s.status()).strip();
      Optional<String> problem = HttpStatus.problem(status);
      if (problem.isPresent()) {
        return HttpProbe.Result.without(
            CheckOutcome.errored(
                "http status `"
                    + s.status().source()
                    + "` is `"
                    + state.mask(status)
                    + "`, "
                    + problem.get()
                    + " ("
                    + s.status().location()
                    + ")"),
            Duration.ZERO);
      }
      return http.probe(request(s, Integer.parseInt(status)), stop, state.masking());
    }

    private HttpProbe.Request request(HttpSpec s, int status) {
      Map<String, String> headers = new LinkedHashMap<>();
      s.headers().forEach((k, v) -> headers.put(k, text(v)));
      Map<String, String> json = new LinkedHashMap<>();
      s.json().forEach((k, v) -> json.put(k, text(v)));
      return new HttpProbe.Request(
          text(s.url()),
          s.method(),
          headers,
          s.body().map(this::text),
          status,
          s.contains().map(this::text),
          json,
          s.timeout(),
          s.insecure(),
          s.caFile().map(this::path));
    }

    @Override
    public CheckOutcome visitPort(Check.Port c) {
      String port = text(c.port()).strip();
      Optional<String> problem = PortNumber.problem(port);
      if (problem.isPresent()) {
        return CheckOutcome.errored(
            "port `"
                + c.port().source()
                + "` is `"
                + state.mask(port)
                + "`, "
                + problem.get()
                + " ("
                + c.port().location()
                + ")");
      }
      int number = Integer.parseInt(port);
      return new PortProbe().check(text(c.host()), number, c.is(), PORT_TIMEOUT, stop);
    }

    @Override
    public CheckOutcome visitDiskFree(Check.DiskFree c) {
      return new DiskFreeProbe().check(path(c.path()), c.minBytes());
    }

    @Override
    public CheckOutcome visitDocker(Check.Docker c) {
      if (c.container().isPresent()) {
        return docker.container(text(c.container().get()), c.is(), stop);
      }
      return docker.image(text(c.image().orElseThrow()), stop);
    }

    @Override
    public CheckOutcome visitExpr(Check.Expr c) {
      boolean holds =
          ExpressionLanguage.standard().compile(c.expression()).test(state.variables(stepEnv));
      return holds ? CheckOutcome.holds("true") : CheckOutcome.failed("false");
    }
  }

  /** For http actions, which share the request shape. */
  public HttpProbe.Result http(
      HttpSpec spec, RunState state, Map<String, String> stepEnv, Path cwd) {
    return new Evaluator(state, stepEnv, cwd, cwd).probe(spec);
  }

  static Optional<String> lastLine(List<String> tail) {
    return tail.isEmpty() ? Optional.empty() : Optional.of(tail.get(tail.size() - 1));
  }
}
