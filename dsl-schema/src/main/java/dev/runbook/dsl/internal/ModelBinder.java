package dev.runbook.dsl.internal;

import dev.runbook.dsl.Durations;
import dev.runbook.dsl.HttpStatus;
import dev.runbook.dsl.PortNumber;
import dev.runbook.dsl.Problem;
import dev.runbook.dsl.Shells;
import dev.runbook.dsl.Sizes;
import dev.runbook.dsl.model.Action;
import dev.runbook.dsl.model.Check;
import dev.runbook.dsl.model.ContainerState;
import dev.runbook.dsl.model.DockerOperation;
import dev.runbook.dsl.model.Expression;
import dev.runbook.dsl.model.HttpSpec;
import dev.runbook.dsl.model.OnFailure;
import dev.runbook.dsl.model.OnUnmet;
import dev.runbook.dsl.model.OutputSpec;
import dev.runbook.dsl.model.Param;
import dev.runbook.dsl.model.ParamType;
import dev.runbook.dsl.model.PathState;
import dev.runbook.dsl.model.PortState;
import dev.runbook.dsl.model.Requirement;
import dev.runbook.dsl.model.Retry;
import dev.runbook.dsl.model.Runbook;
import dev.runbook.dsl.model.SourceLocation;
import dev.runbook.dsl.model.StateSpec;
import dev.runbook.dsl.model.Step;
import dev.runbook.dsl.model.Template;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.json.JSONArray;
import org.json.JSONObject;

/**
 * Stage three: binds the schema-checked JSON tree to the immutable model.
 *
 * <p>It is defensive: when the schema stage already reported a wrong shape, the binder skips that
 * value silently (one problem per mistake), so that the semantic stage can still report what else
 * is wrong. A step without a usable action is left out of the model.
 */
final class ModelBinder {
  static final List<String> ACTION_KEYS =
      List.of(
          "run", "exec", "http", "copy", "backup", "restore", "docker", "wait", "confirm", "call");
  static final List<String> CHECK_KEYS =
      List.of("command", "path", "http", "port", "disk_free", "docker", "expr");
  static final List<String> DOCKER_OPERATIONS =
      List.of(
          "pull",
          "inspect",
          "run",
          "stop",
          "start",
          "remove",
          "exec",
          "wait_healthy",
          "tag",
          "logs");

  /** The largest {@code retry.backoff}: ten tries at it reach {@link Durations#MAX} from 1ms. */
  static final double MAX_BACKOFF = 100;

  private static final Duration DEFAULT_HTTP_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration DEFAULT_WAIT_INTERVAL = Duration.ofSeconds(2);
  private static final String DEFAULT_HEALTHY_TIMEOUT = "2m";

  private final PositionedJson json;
  private final Path file;
  private final TemplateParser templates;
  private final List<Problem> problems;

  /** Parses {@code ${{ }}} templates; reports syntax problems itself. */
  interface TemplateParser {
    Optional<Template> parse(String text, SourceLocation location, List<Problem> problems);

    Optional<Expression> expression(String text, SourceLocation location, List<Problem> problems);
  }

  ModelBinder(PositionedJson json, Path file, TemplateParser templates, List<Problem> problems) {
    this.json = json;
    this.file = file;
    this.templates = templates;
    this.problems = problems;
  }

  Optional<Runbook> bind() {
    if (!(json.root() instanceof JSONObject root)) {
      return Optional.empty();
    }
    String p = "#";
    Map<String, Param> params = new LinkedHashMap<>();
    JSONObject paramsJson = root.optJSONObject("params");
    if (paramsJson != null) {
      for (String name : inWritingOrder(paramsJson, p + "/params")) {
        param(name, paramsJson.opt(name), PositionedJson.child(p + "/params", name))
            .ifPresent(param -> params.put(name, param));
      }
    }
    Map<String, Template> env = templateMap(root.opt("env"), p + "/env");
    OnFailure onFailure =
        enumValue(OnFailure.class, root.optString("on_failure", "ask")).orElse(OnFailure.ASK);
    List<Check> preconditions = checks(root.opt("preconditions"), p + "/preconditions");
    List<Step> steps = steps(root.opt("steps"), p + "/steps");
    List<Step> finallySteps = steps(root.opt("finally"), p + "/finally");
    Optional<StateSpec> state = state(root.optJSONObject("state"), p + "/state");
    return Optional.of(
        new Runbook(
            file,
            root.optString("name", ""),
            optTemplate(root, "lock", p),
            optString(root, "title"),
            optString(root, "description"),
            params,
            env,
            onFailure,
            preconditions,
            steps,
            finallySteps,
            state,
            json.valueAt(p)));
  }

  private Optional<StateSpec> state(JSONObject o, String p) {
    if (o == null) {
      return Optional.empty();
    }
    JSONArray paths = o.optJSONArray("paths");
    JSONArray commands = o.optJSONArray("commands");
    return Optional.of(
        new StateSpec(
            optTemplate(o, "reset", p),
            paths == null ? List.of() : templateList(paths, PositionedJson.child(p, "paths")),
            commands == null
                ? List.of()
                : templateList(commands, PositionedJson.child(p, "commands")),
            json.valueAt(p)));
  }

  private Optional<Param> param(String name, Object value, String p) {
    if (!(value instanceof JSONObject o)) {
      return Optional.empty();
    }
    ParamType type = enumValue(ParamType.class, o.optString("type", "string")).orElse(null);
    if (type == null) {
      return Optional.empty();
    }
    Optional<String> defaultValue =
        o.has("default") && o.opt("default") != JSONObject.NULL
            ? Optional.of(scalarText(o.opt("default")))
            : Optional.empty();
    List<String> allowed = new ArrayList<>();
    JSONArray enumJson = o.optJSONArray("enum");
    if (enumJson != null) {
      for (Object v : enumJson) {
        allowed.add(scalarText(v));
      }
    }
    return Optional.of(
        new Param(
            name,
            type,
            defaultValue,
            optString(o, "description"),
            o.optBoolean("secret", false),
            allowed,
            json.keyAt(p)));
  }

  private List<Step> steps(Object value, String p) {
    List<Step> steps = new ArrayList<>();
    if (value instanceof JSONArray array) {
      for (int i = 0; i < array.length(); i++) {
        String sp = PositionedJson.child(p, i);
        if (array.opt(i) instanceof JSONObject o) {
          step(o, sp, Optional.empty()).ifPresent(steps::add);
        }
      }
    }
    return steps;
  }

  /**
   * Binds one step.
   *
   * @param generatedId the id for a compensation written as a single action
   */
  private Optional<Step> step(JSONObject o, String p, Optional<String> generatedId) {
    Optional<String> id = optString(o, "id").or(() -> generatedId);
    List<String> actionKeys = ACTION_KEYS.stream().filter(o::has).toList();
    if (id.isEmpty() || actionKeys.size() != 1) {
      return Optional.empty();
    }
    String actionKey = actionKeys.get(0);
    Optional<String> shell = optString(o, "shell");
    if (shell.isPresent() && Shells.problem(shell.get()).isPresent()) {
      problems.add(
          Problem.error(
              "run.shell",
              json.valueAt(PositionedJson.child(p, "shell")),
              Shells.problem(shell.get()).get(),
              "write `shell: "
                  + shell.get().strip().split("\\s+")[0]
                  + "`; for a flag, set it in the script (e.g. `set -x`)"));
      shell = Optional.empty();
    }
    Optional<Action> action =
        action(actionKey, o.opt(actionKey), PositionedJson.child(p, actionKey), shell);
    if (action.isEmpty()) {
      return Optional.empty();
    }
    Optional<Expression> when =
        o.opt("when") instanceof String w
            ? templates.expression(w, json.valueAt(p + "/when"), problems)
            : Optional.empty();
    List<Requirement> requires = new ArrayList<>();
    if (o.opt("requires") instanceof JSONArray array) {
      for (int i = 0; i < array.length(); i++) {
        requirement(array.opt(i), PositionedJson.child(p + "/requires", i))
            .ifPresent(requires::add);
      }
    }
    Map<String, OutputSpec> outputs = new LinkedHashMap<>();
    if (o.opt("outputs") instanceof JSONObject outs) {
      for (String name : inWritingOrder(outs, p + "/outputs")) {
        output(name, outs.opt(name), PositionedJson.child(p + "/outputs", name))
            .ifPresent(out -> outputs.put(name, out));
      }
    }
    List<Step> compensate = new ArrayList<>();
    Object comp = o.opt("compensate");
    if (comp instanceof JSONArray) {
      compensate.addAll(steps(comp, p + "/compensate"));
    } else if (comp instanceof JSONObject single) {
      step(single, p + "/compensate", Optional.of(id.get() + ".compensate"))
          .ifPresent(compensate::add);
    }
    return Optional.of(
        new Step(
            id.get(),
            optString(o, "title"),
            when,
            requires,
            action.get(),
            optTemplate(o, "cwd", p),
            templateMap(o.opt("env"), p + "/env"),
            duration(o, "timeout", p),
            retry(o.opt("retry"), p + "/retry"),
            checks(o.opt("verify"), p + "/verify"),
            outputs,
            compensate,
            optString(o, "irreversible"),
            o.optBoolean("idempotent", false),
            o.optBoolean("checkpoint", true),
            o.optBoolean("continue_on_error", false),
            json.valueAt(p)));
  }

  private Optional<Action> action(String key, Object v, String p, Optional<String> shell) {
    SourceLocation at = json.keyAt(p);
    switch (key) {
      case "run":
        return template(v, p).map(t -> new Action.Run(t, shell, at));
      case "exec":
        return v instanceof JSONArray a
            ? Optional.of(new Action.Exec(templateList(a, p), at))
            : Optional.empty();
      case "http":
        return httpSpec(v, p).map(spec -> new Action.Http(spec, at));
      case "copy":
        if (v instanceof JSONObject o) {
          Optional<Template> from = optTemplate(o, "from", p);
          Optional<Template> to = optTemplate(o, "to", p);
          if (from.isPresent() && to.isPresent()) {
            return Optional.of(new Action.Copy(from.get(), to.get(), at));
          }
        }
        return Optional.empty();
      case "backup":
        if (v instanceof JSONObject o) {
          Optional<Template> to = optTemplate(o, "to", p);
          List<Template> paths =
              o.opt("paths") instanceof JSONArray a
                  ? templateList(a, p + "/paths")
                  : optTemplate(o, "paths", p).map(List::of).orElse(List.of());
          if (to.isPresent() && !paths.isEmpty()) {
            return Optional.of(new Action.Backup(paths, to.get(), at));
          }
        }
        return Optional.empty();
      case "restore":
        if (v instanceof JSONObject o) {
          Optional<Template> from = optTemplate(o, "from", p);
          Optional<Template> to = optTemplate(o, "to", p);
          if (from.isPresent() && to.isPresent()) {
            return Optional.of(new Action.Restore(from.get(), to.get(), at));
          }
        }
        return Optional.empty();
      case "docker":
        return v instanceof JSONObject o
            ? docker(o, p).map(op -> new Action.Docker(op, at))
            : Optional.empty();
      case "wait":
        if (v instanceof JSONObject o) {
          Optional<Check> until = check(o.opt("until"), p + "/until");
          Optional<Template> timeout = durationTemplate(o, "timeout", p);
          if (until.isPresent() && timeout.isPresent()) {
            return Optional.of(
                new Action.Wait(
                    until.get(),
                    timeout.get(),
                    duration(o, "interval", p).orElse(DEFAULT_WAIT_INTERVAL),
                    at));
          }
        }
        return Optional.empty();
      case "confirm":
        return template(v, p).map(t -> new Action.Confirm(t, at));
      case "call":
        if (v instanceof JSONObject o && o.opt("runbook") instanceof String target) {
          Path resolved = file.resolveSibling(target).normalize();
          return Optional.of(
              new Action.Call(target, resolved, templateMap(o.opt("params"), p + "/params"), at));
        }
        return Optional.empty();
      default:
        return Optional.empty();
    }
  }

  private Optional<DockerOperation> docker(JSONObject o, String p) {
    List<String> ops = DOCKER_OPERATIONS.stream().filter(o::has).toList();
    if (ops.size() != 1) {
      return Optional.empty();
    }
    String op = ops.get(0);
    String opPointer = PositionedJson.child(p, op);
    Object v = o.opt(op);
    checkDockerOptions(o, op, p);
    switch (op) {
      case "pull":
        return template(v, opPointer).map(DockerOperation.Pull::new);
      case "inspect":
        return template(v, opPointer).map(DockerOperation.Inspect::new);
      case "run":
        if (v instanceof JSONObject r) {
          Optional<Template> image = optTemplate(r, "image", opPointer);
          if (image.isEmpty()) {
            return Optional.empty();
          }
          Optional<DockerOperation.Health> health = Optional.empty();
          if (r.opt("health") instanceof JSONObject h) {
            String hp = opPointer + "/health";
            health =
                optTemplate(h, "cmd", hp)
                    .map(
                        cmd ->
                            new DockerOperation.Health(
                                cmd,
                                duration(h, "interval", hp).orElse(Duration.ofSeconds(5)),
                                h.optInt("retries", 3),
                                duration(h, "timeout", hp),
                                duration(h, "start_period", hp, true)));
          }
          return Optional.of(
              new DockerOperation.Run(
                  image.get(),
                  optTemplate(r, "name", opPointer),
                  templateMap(r.opt("env"), opPointer + "/env"),
                  commandList(r.opt("command"), opPointer + "/command"),
                  r.opt("mounts") instanceof JSONArray m
                      ? templateList(m, opPointer + "/mounts")
                      : List.of(),
                  templateMap(r.opt("labels"), opPointer + "/labels"),
                  optString(r, "network"),
                  health,
                  optString(r, "restart"),
                  r.optBoolean("replace", false),
                  oneOff(r, opPointer)));
        }
        return Optional.empty();
      case "stop":
        return target(v, opPointer)
            .map(t -> new DockerOperation.Stop(t, duration(o, "grace", p, true)));
      case "start":
        return target(v, opPointer).map(DockerOperation.Start::new);
      case "remove":
        return target(v, opPointer)
            .map(t -> new DockerOperation.Remove(t, o.optBoolean("force", false)));
      case "exec":
        if (v instanceof JSONObject e) {
          Optional<Template> container = optTemplate(e, "container", opPointer);
          List<Template> command = commandList(e.opt("command"), opPointer + "/command");
          if (container.isPresent() && !command.isEmpty()) {
            return Optional.of(new DockerOperation.Exec(container.get(), command));
          }
        }
        return Optional.empty();
      case "wait_healthy":
        // Like a wait's timeout: a duration, or an expression checked when the step starts.
        Optional<Template> timeout =
            o.has("timeout")
                ? durationTemplate(o, "timeout", p)
                : templates.parse(DEFAULT_HEALTHY_TIMEOUT, json.valueAt(opPointer), problems);
        return timeout.isEmpty()
            ? Optional.empty()
            : template(v, opPointer).map(c -> new DockerOperation.WaitHealthy(c, timeout.get()));
      case "tag":
        Optional<Template> as = optTemplate(o, "as", p);
        return as.isEmpty()
            ? Optional.empty()
            : template(v, opPointer).map(image -> new DockerOperation.Tag(image, as.get()));
      case "logs":
        return template(v, opPointer)
            .map(
                c ->
                    new DockerOperation.Logs(
                        c, o.has("tail") ? Optional.of(o.optInt("tail")) : Optional.empty()));
      default:
        return Optional.empty();
    }
  }

  /**
   * {@code one_off: true}, refused beside the settings of a container that keeps running: a one-off
   * container is removed when it exits, so nothing replaces, restarts or health-checks it.
   */
  private boolean oneOff(JSONObject r, String p) {
    if (!r.optBoolean("one_off", false)) {
      return false;
    }
    for (String key : List.of("replace", "restart", "health")) {
      if (r.has(key)) {
        problems.add(
            Problem.error(
                "docker.option",
                json.keyAt(PositionedJson.child(p, key)),
                "`" + key + "` does not go with `one_off: true`",
                "a one-off container runs to its end and is removed: "
                    + switch (key) {
                      case "replace" ->
                          "a leftover of an interrupted one-off run is removed before it starts anyway";
                      case "restart" -> "nothing restarts it";
                      default -> "its exit code says whether it succeeded";
                    }));
      }
    }
    return true;
  }

  /** The schema allows every option beside every operation; here each must match its operation. */
  private void checkDockerOptions(JSONObject o, String op, String p) {
    Map<String, String> owner =
        Map.of(
            "grace",
            "stop",
            "force",
            "remove",
            "timeout",
            "wait_healthy",
            "as",
            "tag",
            "tail",
            "logs");
    for (Map.Entry<String, String> e : owner.entrySet()) {
      if (o.has(e.getKey()) && !e.getValue().equals(op)) {
        problems.add(
            Problem.error(
                "docker.option",
                json.keyAt(PositionedJson.child(p, e.getKey())),
                "`"
                    + e.getKey()
                    + "` belongs to the docker `"
                    + e.getValue()
                    + "` operation, not `"
                    + op
                    + "`",
                e.getKey().equals("timeout")
                    ? "a step's time limit is the step's own `timeout:`, outside `docker:`"
                    : "remove it, or use `" + e.getValue() + "`"));
      }
    }
    if (op.equals("tag") && !o.has("as")) {
      problems.add(
          Problem.error(
              "docker.option",
              json.keyAt(PositionedJson.child(p, "tag")),
              "docker `tag` needs `as:` (the new tag)",
              "e.g. `docker: { tag: \"app:1.4\", as: \"app:previous\" }`"));
    }
  }

  private Optional<DockerOperation.Target> target(Object v, String p) {
    if (v instanceof JSONObject o) {
      return optTemplate(o, "label", p)
          .map(label -> new DockerOperation.Target(Optional.empty(), Optional.of(label)));
    }
    return template(v, p)
        .map(name -> new DockerOperation.Target(Optional.of(name), Optional.empty()));
  }

  /** A command as a list (argv) or one string (split on whitespace by the engine, no shell). */
  private List<Template> commandList(Object v, String p) {
    if (v instanceof JSONArray a) {
      return templateList(a, p);
    }
    return template(v, p).map(List::of).orElse(List.of());
  }

  private Optional<Requirement> requirement(Object v, String p) {
    if (!(v instanceof JSONObject o)) {
      return Optional.empty();
    }
    Optional<Check> check = check(o, p);
    if (check.isEmpty()) {
      return Optional.empty();
    }
    OnUnmet onUnmet =
        enumValue(OnUnmet.class, o.optString("on_unmet", "fail")).orElse(OnUnmet.FAIL);
    Optional<Duration> timeout = duration(o, "timeout", p);
    return Optional.of(
        new Requirement(
            check.get(), onUnmet, timeout, duration(o, "interval", p), json.valueAt(p)));
  }

  private List<Check> checks(Object value, String p) {
    List<Check> checks = new ArrayList<>();
    if (value instanceof JSONArray array) {
      for (int i = 0; i < array.length(); i++) {
        check(array.opt(i), PositionedJson.child(p, i)).ifPresent(checks::add);
      }
    }
    return checks;
  }

  private Optional<Check> check(Object value, String p) {
    if (!(value instanceof JSONObject o)) {
      return Optional.empty();
    }
    List<String> kinds = CHECK_KEYS.stream().filter(o::has).toList();
    if (kinds.size() != 1) {
      return Optional.empty();
    }
    String kind = kinds.get(0);
    String kp = PositionedJson.child(p, kind);
    Object v = o.opt(kind);
    Optional<String> name = optString(o, "name");
    SourceLocation at = json.valueAt(p);
    switch (kind) {
      case "command":
        if (v instanceof JSONObject c) {
          return optTemplate(c, "run", kp)
              .map(
                  t ->
                      new Check.Command(
                          name, t, optTemplate(c, "cwd", kp), duration(c, "timeout", kp), at));
        }
        return template(v, kp)
            .map(t -> new Check.Command(name, t, Optional.empty(), Optional.empty(), at));
      case "path":
        if (v instanceof JSONObject c) {
          PathState is = enumValue(PathState.class, c.optString("is", "exists")).orElse(null);
          return is == null
              ? Optional.empty()
              : optTemplate(c, "at", kp).map(t -> new Check.Path(name, t, is, at));
        }
        return template(v, kp).map(t -> new Check.Path(name, t, PathState.EXISTS, at));
      case "http":
        return httpSpec(v, kp).map(spec -> new Check.Http(name, spec, at));
      case "port":
        if (v instanceof JSONObject c) {
          PortState is = enumValue(PortState.class, c.optString("is", "open")).orElse(null);
          Optional<Template> port = template(c.opt("port"), kp + "/port");
          if (is == null || port.isEmpty()) {
            return Optional.empty();
          }
          if (c.opt("port") instanceof String) { // a number is the schema's to check
            writtenNumber(port.get(), PortNumber.problem(port.get().source().strip()), "port");
          }
          Template host =
              optTemplate(c, "host", kp).orElseGet(() -> literal("localhost", json.valueAt(kp)));
          return Optional.of(new Check.Port(name, host, port.get(), is, at));
        }
        return template(v, kp)
            .map(
                t -> {
                  if (v instanceof String) {
                    writtenNumber(t, PortNumber.problem(t.source().strip()), "port");
                  }
                  return t;
                })
            .map(
                t ->
                    new Check.Port(
                        name, literal("localhost", t.location()), t, PortState.OPEN, at));
      case "disk_free":
        if (v instanceof JSONObject c) {
          Optional<Template> path = optTemplate(c, "path", kp);
          Optional<Long> min = size(c, "min", kp);
          if (path.isPresent() && min.isPresent()) {
            return Optional.of(new Check.DiskFree(name, path.get(), min.get(), at));
          }
        }
        return Optional.empty();
      case "docker":
        if (v instanceof JSONObject c) {
          ContainerState is =
              enumValue(ContainerState.class, c.optString("is", "running")).orElse(null);
          Optional<Template> container = optTemplate(c, "container", kp);
          Optional<Template> image = optTemplate(c, "image", kp);
          if (is == null || container.isPresent() == image.isPresent()) {
            if (container.isPresent() && image.isPresent()) {
              problems.add(
                  Problem.error(
                      "docker.check",
                      json.valueAt(kp),
                      "a docker check takes a `container` or an `image`, not both",
                      "write two checks"));
            }
            return Optional.empty();
          }
          return Optional.of(new Check.Docker(name, container, image, is, at));
        }
        return Optional.empty();
      case "expr":
        return v instanceof String text
            ? templates
                .expression(text, json.valueAt(kp), problems)
                .map(e -> new Check.Expr(name, e, at))
            : Optional.empty();
      default:
        return Optional.empty();
    }
  }

  private Optional<HttpSpec> httpSpec(Object v, String p) {
    SourceLocation at = json.valueAt(p);
    if (v instanceof String || v instanceof Number) {
      return template(v, p)
          .map(
              url ->
                  new HttpSpec(
                      url,
                      "GET",
                      Map.of(),
                      Optional.empty(),
                      literal("200", at),
                      Optional.empty(),
                      Map.of(),
                      DEFAULT_HTTP_TIMEOUT,
                      false,
                      Optional.empty(),
                      at));
    }
    if (!(v instanceof JSONObject o)) {
      return Optional.empty();
    }
    Optional<Template> url = optTemplate(o, "url", p);
    if (url.isEmpty()) {
      return Optional.empty();
    }
    Template status = template(o.opt("status"), p + "/status").orElseGet(() -> literal("200", at));
    if (o.opt("status") instanceof String) { // a number is the schema's to check
      writtenNumber(status, HttpStatus.problem(status.source().strip()), "http status");
    }
    Map<String, Template> expectedJson = templateMap(o.opt("json"), p + "/json");
    return Optional.of(
        new HttpSpec(
            url.get(),
            o.optString("method", "GET").toUpperCase(Locale.ROOT),
            templateMap(o.opt("headers"), p + "/headers"),
            optTemplate(o, "body", p),
            status,
            optTemplate(o, "contains", p),
            expectedJson,
            duration(o, "timeout", p).orElse(DEFAULT_HTTP_TIMEOUT),
            o.optBoolean("insecure", false),
            optTemplate(o, "ca_file", p),
            at));
  }

  private Optional<OutputSpec> output(String name, Object v, String p) {
    if (!(v instanceof JSONObject o)) {
      return Optional.empty();
    }
    Optional<String> regex = optString(o, "regex");
    if (regex.isPresent()) {
      try {
        java.util.regex.Pattern.compile(regex.get());
      } catch (java.util.regex.PatternSyntaxException e) {
        problems.add(
            Problem.error(
                "output.regex",
                json.valueAt(p + "/regex"),
                "invalid regular expression for output `" + name + "`: " + e.getDescription(),
                null));
        return Optional.empty();
      }
    }
    Optional<String> pointer = optString(o, "json");
    if (pointer.isPresent() && !pointer.get().isEmpty() && !pointer.get().startsWith("/")) {
      problems.add(
          Problem.error(
              "output.json-pointer",
              json.valueAt(p + "/json"),
              "`" + pointer.get() + "` is not a JSON Pointer",
              "a JSON Pointer starts with `/`, e.g. `/image` or `/items/0/id`"));
      return Optional.empty();
    }
    Optional<Template> file = optTemplate(o, "file", p);
    // A file alone is captured whole (the schema says so): `file: /opt/app/VERSION`.
    if (regex.isEmpty() && pointer.isEmpty() && file.isEmpty()) {
      problems.add(
          Problem.error(
              "output.how",
              json.keyAt(p),
              "output `" + name + "` says neither `regex`, `json` nor `file`",
              "add `regex: \"version ([0-9.]+)\"`, `json: /field` or `file: path`"));
      return Optional.empty();
    }
    return Optional.of(new OutputSpec(name, file, regex, pointer, json.keyAt(p)));
  }

  private Optional<Retry> retry(Object v, String p) {
    if (!(v instanceof JSONObject o)) {
      return Optional.empty();
    }
    return Optional.of(
        new Retry(
            Math.max(1, o.optInt("attempts", 1)),
            duration(o, "delay", p, true).orElse(Duration.ZERO),
            backoff(o, p),
            json.valueAt(p)));
  }

  /**
   * The size at {@code key}; a size too large for a {@code long} is reported where it stands rather
   * than dropped (with the check it belongs to).
   */
  private Optional<Long> size(JSONObject o, String key, String p) {
    if (!(o.opt(key) instanceof String text)) {
      return Optional.empty();
    }
    Optional<Long> size = Sizes.parse(text);
    if (size.isEmpty() && text.matches("[0-9]+(\\.[0-9]+)?(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)")) {
      String at = PositionedJson.child(p, key);
      problems.add(
          Problem.error(
              "size.bound",
              json.valueAt(at),
              "`"
                  + text
                  + "` in "
                  + SchemaValidation.describe(at, json.root())
                  + " is larger than the largest size allowed, "
                  + Sizes.format(Long.MAX_VALUE),
              null));
    }
    return size;
  }

  /** A duration that must be longer than zero (a timeout, an interval). */
  private Optional<Duration> duration(JSONObject o, String key, String p) {
    return duration(o, key, p, false);
  }

  /**
   * The duration at {@code key}, reported where it stands when it is out of bounds ({@link
   * Durations#problem}); empty then, and when it is absent or not a duration at all (which the
   * schema reports).
   */
  private Optional<Duration> duration(JSONObject o, String key, String p, boolean zeroAllowed) {
    if (!(o.opt(key) instanceof String text) || !looksLikeDuration(text)) {
      return Optional.empty();
    }
    String at = PositionedJson.child(p, key);
    Optional<String> problem = Durations.problem(text, zeroAllowed);
    if (problem.isPresent()) {
      problems.add(
          Problem.error(
              "duration.bound",
              json.valueAt(at),
              "`"
                  + text
                  + "` in "
                  + SchemaValidation.describe(at, json.root())
                  + " "
                  + problem.get(),
              null));
      return Optional.empty();
    }
    return Durations.parse(text);
  }

  /** A duration or an expression that resolves to one: a written duration is checked now. */
  private Optional<Template> durationTemplate(JSONObject o, String key, String p) {
    if (!(o.opt(key) instanceof String text)) {
      return Optional.empty();
    }
    if (looksLikeDuration(text)) {
      duration(o, key, p, false);
    }
    return optTemplate(o, key, p);
  }

  private static boolean looksLikeDuration(String text) {
    return text.matches("([0-9]+(ms|s|m|h|d))+");
  }

  /**
   * Reports {@code problem} of a number written as such; one given as an expression is checked when
   * its value is known.
   */
  private void writtenNumber(Template t, Optional<String> problem, String what) {
    boolean written = t.parts().stream().allMatch(part -> part instanceof Template.Literal);
    if (written && problem.isPresent()) {
      problems.add(
          Problem.error(
              "number.range",
              t.location(),
              what + " `" + t.source() + "` is " + problem.get(),
              null));
    }
  }

  /** The factor a retry's delay grows by: 1 to {@link Retry#MAX_BACKOFF}. */
  private double backoff(JSONObject o, String p) {
    double backoff = o.optDouble("backoff", 1.0);
    if (backoff > MAX_BACKOFF) {
      String at = PositionedJson.child(p, "backoff");
      problems.add(
          Problem.error(
              "retry.backoff",
              json.valueAt(at),
              "a backoff of "
                  + scalarText(o.opt("backoff"))
                  + " in "
                  + SchemaValidation.describe(at, json.root())
                  + " is more than the largest allowed, "
                  + scalarText(MAX_BACKOFF),
              "2 doubles the delay after each try; the delay stops growing at "
                  + Durations.format(Durations.MAX)));
    }
    return Double.isNaN(backoff) ? 1.0 : Math.max(1.0, Math.min(backoff, MAX_BACKOFF));
  }

  private Optional<Template> optTemplate(JSONObject o, String key, String p) {
    return o.has(key) ? template(o.opt(key), PositionedJson.child(p, key)) : Optional.empty();
  }

  private Optional<Template> template(Object v, String p) {
    if (v instanceof String || v instanceof Number || v instanceof Boolean) {
      return templates.parse(scalarText(v), json.valueAt(p), problems);
    }
    return Optional.empty();
  }

  private List<Template> templateList(JSONArray a, String p) {
    List<Template> list = new ArrayList<>();
    for (int i = 0; i < a.length(); i++) {
      template(a.opt(i), PositionedJson.child(p, i)).ifPresent(list::add);
    }
    return list;
  }

  private Map<String, Template> templateMap(Object v, String p) {
    Map<String, Template> map = new LinkedHashMap<>();
    if (v instanceof JSONObject o) {
      for (String key : inWritingOrder(o, p)) {
        Object value = o.opt(key);
        String text = value == JSONObject.NULL ? "" : scalarText(value);
        templates
            .parse(text, json.valueAt(PositionedJson.child(p, key)), problems)
            .ifPresent(t -> map.put(key, t));
      }
    }
    return map;
  }

  /** A map's keys in the order they are written: org.json's objects do not keep it. */
  private List<String> inWritingOrder(JSONObject o, String p) {
    List<String> keys = new ArrayList<>(o.keySet());
    keys.sort(
        java.util.Comparator.comparingInt(
                (String k) -> json.keyAt(PositionedJson.child(p, k)).line())
            .thenComparingInt(k -> json.keyAt(PositionedJson.child(p, k)).column()));
    return keys;
  }

  private static Template literal(String text, SourceLocation at) {
    return new Template(text, List.of(new Template.Literal(text)), at);
  }

  private static Optional<String> optString(JSONObject o, String key) {
    return o.opt(key) instanceof String s ? Optional.of(s) : Optional.empty();
  }

  /** A scalar's text as the user wrote it: {@code 3} not {@code 3.0}, {@code true}. */
  static String scalarText(Object v) {
    // beyond 2^53 a double's digits are not the ones written: 1e300 stays 1.0E300
    if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 0x1p53) {
      return String.valueOf(d.longValue());
    }
    return String.valueOf(v);
  }

  private static <E extends Enum<E>> Optional<E> enumValue(Class<E> type, String text) {
    try {
      return Optional.of(Enum.valueOf(type, text.toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
