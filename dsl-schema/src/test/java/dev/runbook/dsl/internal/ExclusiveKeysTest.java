package dev.runbook.dsl.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.dsl.Problem;
import dev.runbook.dsl.RunbookSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.everit.json.schema.Schema;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;

/**
 * The "exactly one of these keys" rules, checked in Java beside everit's validation of the derived
 * schema, report exactly what everit reported with the published schema: same codes, messages,
 * locations and hints, in the same order at each location.
 */
class ExclusiveKeysTest {
  private static final Path MODULE = Path.of("").toAbsolutePath();
  private static final Schema PUBLISHED =
      SchemaValidation.load(new JSONObject(RunbookSchema.text()));

  // --- the derived schema ---

  @Test
  void derivedSchemaLacksExactlyTheFiveOneOfsAndThePublishedOneIsUntouched() throws IOException {
    String published =
        Files.readString(
            MODULE.resolve("src/main/resources/dev/runbook/dsl/runbook-v1.schema.json"),
            StandardCharsets.UTF_8);
    JSONObject derived = new JSONObject(published);

    ExclusiveKeys.removeFrom(derived);

    assertThat(RunbookSchema.text()).isEqualTo(published);
    JSONObject expected = new JSONObject(published);
    for (String definition :
        List.of("step_body", "check", "requirement", "docker", "check_docker")) {
      expected.getJSONObject("definitions").getJSONObject(definition).remove("oneOf");
    }
    assertThat(derived.similar(expected)).isTrue();
    assertThat(oneOfsOfRequiredKeys(new JSONObject(published), "#"))
        .as("every oneOf of single required keys is one of the Java rules")
        .containsExactlyInAnyOrder(
            "#/definitions/step_body",
            "#/definitions/check",
            "#/definitions/requirement",
            "#/definitions/docker",
            "#/definitions/check_docker");
    assertThat(oneOfsOfRequiredKeys(derived, "#")).isEmpty();
  }

  @Test
  void theWalkFollowsEveryReferenceToADefinitionWithARule() {
    // ExclusiveKeys.check walks these places; a new $ref to one of these definitions in the schema
    // must be walked too, or its value would escape the rule.
    Set<String> refs = new TreeSet<>();
    references(new JSONObject(RunbookSchema.text()), "#", refs);

    assertThat(
            refs.stream()
                .filter(
                    r ->
                        r.matches(
                            ".* -> #/definitions/"
                                + "(step|step_body|check|requirement|docker|check_docker|wait)"))
                .collect(Collectors.toList()))
        .containsExactlyInAnyOrder(
            "#/properties/preconditions/items -> #/definitions/check",
            "#/properties/steps/items -> #/definitions/step",
            "#/properties/finally/items -> #/definitions/step",
            "#/definitions/step/allOf/0 -> #/definitions/step_body",
            "#/definitions/step_body/properties/requires/items -> #/definitions/requirement",
            "#/definitions/step_body/properties/verify/items -> #/definitions/check",
            "#/definitions/step_body/properties/wait -> #/definitions/wait",
            "#/definitions/wait/properties/until -> #/definitions/check",
            "#/definitions/step_body/properties/docker -> #/definitions/docker",
            "#/definitions/step_body/properties/compensate/anyOf/0 -> #/definitions/step_body",
            "#/definitions/step_body/properties/compensate/anyOf/1/items -> #/definitions/step",
            "#/definitions/check/properties/docker -> #/definitions/check_docker",
            "#/definitions/requirement/properties/docker -> #/definitions/check_docker");
  }

  // --- the messages, one rule at a time ---

  @Test
  void stepWithTwoActionsNamesThemAtTheFirst() {
    assertThat(problems("steps:\n  - id: a\n    run: echo hi\n    exec: [echo, hi]\n"))
        .containsExactly(
            "t.yaml:5:5: error: step `a` (steps[1]) has 2 actions (run, exec); exactly one is allowed"
                + " [schema.several-actions] hint: split it into one step per action");
  }

  @Test
  void stepWithoutActionListsTheActions() {
    assertThat(problems("steps:\n  - id: a\n    title: nothing to do\n"))
        .containsExactly(
            "t.yaml:4:5: error: step `a` (steps[1]) has no action [schema.no-action] hint: add one of: run,"
                + " exec, http, copy, backup, restore, docker, wait, confirm, call");
  }

  @Test
  void stepWithoutIdNorActionReportsTheMissingIdFirst() {
    assertThat(problems("steps:\n  - title: nothing\n"))
        .containsExactly(
            "t.yaml:4:5: error: missing required key `id` in `steps[1]` [schema.missing-key]"
                + " hint: give the step a stable `id:` (the journal's key), e.g. `id: stop_server`",
            "t.yaml:4:5: error: `steps[1]` has no action [schema.no-action] hint: add one of: run,"
                + " exec, http, copy, backup, restore, docker, wait, confirm, call");
  }

  @Test
  void stepThatIsNotAMapHasTheWrongShapeBeforeItsType() {
    assertThat(problems("steps:\n  - just a string\n"))
        .containsExactly(
            "t.yaml:4:5: error: `steps[1]` has the wrong shape (a string) [schema.shape] hint: see"
                + " `runbook schema` for the forms this key takes",
            "t.yaml:4:5: error: `steps[1]` must be a map, not a string [schema.type]",
            "t.yaml:4:5: error: `steps[1]` must be a map, not a string [schema.type]");
  }

  @Test
  void compensationWithTwoActionsIsReportedOnItsMap() {
    assertThat(problems("steps:\n  - id: a\n    run: x\n    compensate: {run: y, confirm: z}\n"))
        .containsExactly(
            "t.yaml:6:18: error: `compensate` of step `a` (steps[1]) has 2 actions (run, confirm); exactly one"
                + " is allowed [schema.several-actions] hint: split it into one step per action");
  }

  @Test
  void checkWithTwoKindsInEveryPlaceAChecksGoes() {
    assertThat(
            problems(
                "preconditions:\n  - {path: /a, port: 1}\nsteps:\n  - id: a\n    run: x\n"
                    + "    verify: [{expr: 'true', command: 'true'}]\n"
                    + "  - id: b\n    wait: {until: {}, timeout: 1s}\n"))
        .containsExactly(
            "t.yaml:4:6: error: `preconditions[1]` has 2 check kinds (path, port); exactly one is"
                + " allowed [schema.several-check kinds] hint: write one check kind per item",
            "t.yaml:8:29: error: `verify[1]` of step `a` (steps[1]) has 2 check kinds (command, expr); exactly"
                + " one is allowed [schema.several-check kinds] hint: write one check kind per"
                + " item",
            "t.yaml:10:19: error: `wait.until` of step `b` (steps[2]) has no check kind [schema.no-check kind]"
                + " hint: add one of: command, path, http, port, disk_free, docker, expr");
  }

  @Test
  void requirementWithoutKindComesBeforeItsMissingTimeout() {
    assertThat(problems("steps:\n  - id: a\n    run: x\n    requires:\n      - on_unmet: wait\n"))
        .containsExactly(
            "t.yaml:7:9: error: `requires[1]` of step `a` (steps[1]) has no check kind [schema.no-check kind]"
                + " hint: add one of: command, path, http, port, disk_free, docker, expr",
            "t.yaml:7:9: error: missing required key `timeout` in `requires[1]` of step `a` (steps[1])"
                + " [schema.missing-key] hint: give a limit, e.g. `timeout: 2m`, so a wait cannot"
                + " hang the run");
  }

  @Test
  void dockerStepWithTwoOperations() {
    assertThat(problems("steps:\n  - id: a\n    docker: {pull: app, stop: app}\n"))
        .containsExactly(
            "t.yaml:5:14: error: `docker` of step `a` (steps[1]) has 2 docker operations (pull, stop); exactly"
                + " one is allowed [schema.several-docker operations] hint: write one docker"
                + " operation per item");
  }

  @Test
  void dockerCheckWithContainerAndImage() {
    assertThat(
            problems(
                "preconditions:\n  - docker: {container: a, image: b}\nsteps: [{id: a, run: x}]\n"))
        .containsExactly(
            "t.yaml:4:14: error: `preconditions[1].docker` has 2 key of container/images"
                + " (container, image); exactly one is allowed [schema.several-key of"
                + " container/images] hint: write one key of container/image per item");
  }

  @Test
  void anUnknownKeySilencesTheRuleOfItsMap() {
    assertThat(problems("steps:\n  - id: a\n    rnu: x\n"))
        .containsExactly(
            "t.yaml:5:5: error: unknown key `rnu` in step `a` (steps[1]) [schema.unknown-key] hint: did"
                + " you mean `run`?");
  }

  // --- the same problems as everit with the published schema ---

  @Test
  void everyRunbookOfTheRepositoryGetsTheSameProblemsBothWays() {
    List<Path> files = new ArrayList<>();
    for (Path dir :
        List.of(
            MODULE.resolve("src/test/resources"),
            MODULE.resolve("../examples"),
            MODULE.resolve("../runbooks"))) {
      try (Stream<Path> walk = Files.walk(dir)) {
        walk.filter(f -> f.toString().matches(".*\\.ya?ml$"))
            .filter(f -> !f.toString().contains("node_modules"))
            .forEach(files::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    assertThat(files).hasSizeGreaterThan(50);
    int compared = 0;
    for (Path file : files) {
      String text;
      try {
        text = Files.readString(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (sameProblemsBothWays(file.toString(), text) != null) {
        compared++;
      }
    }
    assertThat(compared).isGreaterThan(50);
  }

  @Test
  void mutatedRunbooksGetTheSameProblemsBothWays() {
    Random random = new Random(20261206);
    Load load = new Load(LoadSettings.builder().build());
    List<Object> seeds = new ArrayList<>();
    for (String seed :
        List.of(
            "schema: runbook/v1\nname: a\nsteps:\n  - {id: a, run: x}\n",
            "schema: runbook/v1\nname: a\npreconditions: [{path: /x}]\nsteps:\n"
                + "  - id: a\n    docker: {stop: x}\n    requires: [{port: 1}]\n"
                + "    verify: [{docker: {container: a}}]\n    compensate: {confirm: x}\n"
                + "  - id: b\n    wait: {until: {expr: x}, timeout: 1s}\n"
                + "    compensate: [{id: c, run: x}]\nfinally: [{id: f, run: x}]\n")) {
      seeds.add(load.loadFromString(seed));
    }
    try (Stream<Path> examples = Files.list(MODULE.resolve("../examples"))) {
      examples
          .filter(f -> f.toString().endsWith(".yaml"))
          .sorted()
          .forEach(
              f -> {
                try {
                  seeds.add(load.loadFromString(Files.readString(f)));
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int withRuleProblems = 0;
    for (int i = 0; i < 600; i++) {
      Object document = copy(seeds.get(random.nextInt(seeds.size())));
      int mutations = 1 + random.nextInt(4);
      for (int m = 0; m < mutations; m++) {
        mutate(document, random);
      }
      FlowStyle style = FlowStyle.values()[random.nextInt(FlowStyle.values().length)];
      String text =
          new Dump(DumpSettings.builder().setDefaultFlowStyle(style).build())
              .dumpToString(document);
      List<String> problems = sameProblemsBothWays("mutant " + i, text);
      if (problems.stream().anyMatch(p -> p.matches(".*\\[schema\\.(no|several|shape).*"))) {
        withRuleProblems++;
      }
    }
    assertThat(withRuleProblems).as("mutants that break a rule").isGreaterThan(150);
  }

  // --- helpers ---

  /** The problems, asserted the same both ways; null when the text is no YAML map. */
  private static List<String> sameProblemsBothWays(String name, String text) {
    PositionedJson json = YamlToJson.read("t.yaml", text, new ArrayList<>()).orElse(null);
    if (json == null || !(json.root() instanceof JSONObject)) {
      return null;
    }
    List<String> reference = render(SchemaValidation.validate(json, PUBLISHED, null));
    List<String> fast = render(SchemaValidation.validate(json));
    assertThat(fast).as("%s:\n%s", name, text).isEqualTo(reference);
    return fast;
  }

  private static PositionedJson json(String text) {
    return YamlToJson.read("t.yaml", text, new ArrayList<>()).orElseThrow();
  }

  private static List<String> problems(String body) {
    return render(SchemaValidation.validate(json("schema: runbook/v1\nname: t\n" + body)));
  }

  /** In the loader's order: by location, stably. */
  private static List<String> render(List<Problem> problems) {
    List<Problem> sorted = new ArrayList<>(problems);
    sorted.sort(Problem.IN_FILE_ORDER);
    return sorted.stream()
        .map(
            p -> p.headline() + " [" + p.code() + "]" + p.hint().map(h -> " hint: " + h).orElse(""))
        .collect(Collectors.toList());
  }

  private static List<String> oneOfsOfRequiredKeys(Object node, String pointer) {
    List<String> found = new ArrayList<>();
    if (node instanceof JSONObject object) {
      if (!ExclusiveKeys.requiredKeysOfOneOf(object.optJSONArray("oneOf")).isEmpty()) {
        found.add(pointer);
      }
      for (String key : object.keySet()) {
        found.addAll(oneOfsOfRequiredKeys(object.get(key), pointer + "/" + key));
      }
    } else if (node instanceof JSONArray array) {
      for (int i = 0; i < array.length(); i++) {
        found.addAll(oneOfsOfRequiredKeys(array.get(i), pointer + "/" + i));
      }
    }
    return found;
  }

  private static void references(Object node, String pointer, Set<String> out) {
    if (node instanceof JSONObject object) {
      if (object.opt("$ref") instanceof String ref) {
        out.add(pointer + " -> " + ref);
      }
      for (String key : object.keySet()) {
        references(object.get(key), pointer + "/" + key, out);
      }
    } else if (node instanceof JSONArray array) {
      for (int i = 0; i < array.length(); i++) {
        references(array.get(i), pointer + "/" + i, out);
      }
    }
  }

  // --- mutation of a runbook as plain maps and lists ---

  private static final List<String> KEYS =
      List.of(
          "run",
          "exec",
          "http",
          "copy",
          "backup",
          "restore",
          "docker",
          "wait",
          "confirm",
          "call",
          "command",
          "path",
          "port",
          "disk_free",
          "expr",
          "pull",
          "stop",
          "start",
          "remove",
          "inspect",
          "wait_healthy",
          "tag",
          "logs",
          "container",
          "image",
          "is",
          "id",
          "title",
          "on_unmet",
          "timeout",
          "requires",
          "verify",
          "compensate",
          "until",
          "comand",
          "name",
          "grace",
          "as",
          "preconditions",
          "steps",
          "finally");

  private static Object value(Random random) {
    return switch (random.nextInt(22)) {
      case 0 -> "x";
      case 1 -> "1s";
      case 2 -> null;
      case 3 -> 3;
      case 4 -> true;
      case 5 -> new ArrayList<>(List.of("a"));
      case 6 -> new LinkedHashMap<>();
      case 7 -> map("run", "x");
      case 8 -> map("run", "x", "exec", List.of("y"));
      case 9 -> map("until", map("path", "/x"), "timeout", "1s");
      case 10 -> map("until", "x", "timeout", "1s");
      case 11 -> map("pull", "x");
      case 12 -> map("pull", "x", "stop", "y");
      case 13 -> map("container", "a", "image", "b");
      case 14 -> map("is", "running");
      case 15 -> new ArrayList<>(List.of(map("id", "c", "run", "x")));
      case 16 -> new ArrayList<>(List.of(map("path", "x", "port", 1)));
      case 17 -> new ArrayList<>(List.of(map("on_unmet", "wait")));
      case 18 -> new ArrayList<>(List.of(map("docker", map("container", "a", "image", "b"))));
      case 19 -> new ArrayList<>(List.of("x"));
      case 20 -> map("confirm", "x", "comand", "y");
      default -> new ArrayList<>(List.of(map("docker", "x"), map("docker", map("is", "running"))));
    };
  }

  private static Map<String, Object> map(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }

  @SuppressWarnings("unchecked")
  private static Object copy(Object node) {
    if (node instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      map.forEach((k, v) -> out.put(String.valueOf(k), copy(v)));
      return out;
    }
    if (node instanceof List<?> list) {
      List<Object> out = new ArrayList<>();
      for (Object item : list) {
        out.add(copy(item));
      }
      return out;
    }
    return node;
  }

  /** Adds, removes or replaces a key or item somewhere in {@code document}. */
  @SuppressWarnings("unchecked")
  private static void mutate(Object document, Random random) {
    List<Object> containers = new ArrayList<>();
    collect(document, containers);
    Object target = containers.get(random.nextInt(containers.size()));
    if (target instanceof Map<?, ?> raw) {
      Map<String, Object> map = (Map<String, Object>) raw;
      int op = random.nextInt(3);
      if (op == 0 || map.isEmpty()) {
        map.put(KEYS.get(random.nextInt(KEYS.size())), copy(value(random)));
      } else {
        Iterator<String> keys = map.keySet().iterator();
        String key = keys.next();
        for (int skip = random.nextInt(map.size()); skip > 0; skip--) {
          key = keys.next();
        }
        if (op == 1) {
          map.remove(key);
        } else {
          map.put(key, copy(value(random)));
        }
      }
    } else if (target instanceof List<?> raw) {
      List<Object> list = (List<Object>) raw;
      if (list.isEmpty() || random.nextBoolean()) {
        list.add(copy(value(random)));
      } else {
        list.set(random.nextInt(list.size()), copy(value(random)));
      }
    }
  }

  private static void collect(Object node, List<Object> out) {
    if (node instanceof Map<?, ?> map) {
      out.add(node);
      map.values().forEach(v -> collect(v, out));
    } else if (node instanceof List<?> list) {
      out.add(node);
      list.forEach(v -> collect(v, out));
    }
  }
}
