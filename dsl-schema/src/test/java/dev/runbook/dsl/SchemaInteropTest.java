package dev.runbook.dsl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.runbook.dsl.model.Action;
import dev.runbook.dsl.model.Check;
import dev.runbook.dsl.model.DockerOperation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.everit.json.schema.Schema;
import org.everit.json.schema.ValidationException;
import org.everit.json.schema.loader.SchemaLoader;
import org.json.JSONArray;
import org.json.JSONObject;
import org.json.JSONTokener;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Proves the DSL's JSON Schema with two independent draft-07 validators: ajv (through {@code
 * src/test/node/check-schema.mjs}) and everit, the library the loader uses.
 *
 * <p>Each file under {@code src/test/resources/schema/valid} must be accepted by both. Each file
 * under {@code .../invalid} names, in a {@code # expect: POINTER MESSAGE} comment, the ajv error it
 * must produce; everit must reject it too, with a violation at the same pointer, so a file cannot
 * pass by failing for an unrelated reason. Runbooks shipped in the repository's {@code examples/}
 * and {@code runbooks/} must be valid as well.
 */
class SchemaInteropTest {

  private static final Path MODULE = moduleDir();
  private static final Path SCHEMA =
      MODULE.resolve("src/main/resources/dev/runbook/dsl/runbook-v1.schema.json");
  private static final Path NODE_DIR = MODULE.resolve("src/test/node");
  private static final Path CHECK_SCRIPT = NODE_DIR.resolve("check-schema.mjs");
  private static final Path EDITOR_SCRIPT = NODE_DIR.resolve("check-editor.mjs");
  private static final long NODE_TIMEOUT_SECONDS = 120;
  private static final Path CASES = MODULE.resolve("src/test/resources/schema");
  private static final String INSTALL_HINT =
      "run bin/install-test-deps from the repository root (it runs `npm ci` in "
          + "dsl-schema/src/test/node)";

  /** Subtrees of a schema that are conditions on a value, not declarations of its keys. */
  private static final Set<String> CONDITION_KEYWORDS = Set.of("if");

  private static Map<Path, String> ajvLines;

  // --- the schema as a document ---

  @Test
  void everitLoadsTheSchemaAsDraft7() {
    Schema schema = everitSchema();

    assertThat(schema.getId()).isEqualTo(schemaJson().getString("$id"));
    assertThat(schemaJson().getString("$schema"))
        .isEqualTo("http://json-schema.org/draft-07/schema#");
  }

  @Test
  void everyPropertyHasADescriptionForEditorHover() {
    List<String> missing = new ArrayList<>();
    int[] seen = {0};
    walk(
        schemaJson(),
        "#",
        (pointer, node) -> {
          JSONObject properties = node.optJSONObject("properties");
          if (properties == null) {
            return;
          }
          for (String key : properties.keySet()) {
            seen[0]++;
            JSONObject property = properties.getJSONObject(key);
            if (property.optString("description").isBlank()) {
              missing.add(pointer + "/properties/" + key);
            }
          }
        });

    assertThat(seen[0]).as("properties walked").isGreaterThan(100);
    assertThat(missing).as("properties without a description").isEmpty();
  }

  /**
   * Stands in for ajv's {@code strictRequired}, which cannot see the properties of the object
   * around a {@code oneOf: [{required: [run]}, ...]} branch and so is turned off in the script.
   */
  @Test
  void everyRequiredKeyIsADeclaredProperty() {
    List<String> undeclared = new ArrayList<>();
    walk(
        schemaJson(),
        "#",
        (pointer, node) -> {
          Set<String> declared = declaredProperties(node);
          if (declared.isEmpty()) {
            return;
          }
          for (Map.Entry<String, JSONObject> constraint : keyConstraints(node).entrySet()) {
            for (String key : constraint.getValue().keySet()) {
              if (!declared.contains(key)) {
                undeclared.add(pointer + constraint.getKey() + ": " + key);
              }
            }
          }
        });

    assertThat(undeclared).as("required or dependent keys that are not properties").isEmpty();
  }

  @Test
  void requirementOffersEveryCheckKindExactlyAsACheckDoes() {
    JSONObject definitions = schemaJson().getJSONObject("definitions");
    JSONObject check = definitions.getJSONObject("check");
    JSONObject requirement = definitions.getJSONObject("requirement");
    Map<String, Object> requirementKeys = requirement.getJSONObject("properties").toMap();
    Set<String> extra = Set.of("on_unmet", "timeout", "interval");

    assertThat(requirementKeys).containsKeys(extra.toArray(String[]::new));
    extra.forEach(requirementKeys::remove);
    assertThat(requirementKeys)
        .as("requirement properties other than %s", extra)
        .isEqualTo(check.getJSONObject("properties").toMap());
    assertThat(requirement.getJSONArray("oneOf").toList())
        .isEqualTo(check.getJSONArray("oneOf").toList());
  }

  @Test
  void schemaOffersExactlyTheModelsActionKinds() {
    assertThat(exclusiveKeys("step_body")).isEqualTo(modelKinds(Action.class));
  }

  @Test
  void schemaOffersExactlyTheModelsCheckKinds() {
    assertThat(exclusiveKeys("check")).isEqualTo(modelKinds(Check.class));
  }

  @Test
  void schemaOffersExactlyTheModelsDockerOperations() {
    assertThat(exclusiveKeys("docker")).isEqualTo(modelKinds(DockerOperation.class));
  }

  // --- the schema against examples ---

  @TestFactory
  Stream<DynamicTest> ajvAcceptsEachValidExample() {
    return yamlFiles(CASES.resolve("valid"))
        .map(file -> DynamicTest.dynamicTest(name(file), () -> assertAjvAccepts(file)));
  }

  @TestFactory
  Stream<DynamicTest> ajvRejectsEachInvalidExampleForItsStatedReason() {
    return yamlFiles(CASES.resolve("invalid"))
        .map(
            file ->
                DynamicTest.dynamicTest(
                    name(file),
                    () ->
                        assertThat(ajvLine(file))
                            .startsWith("INVALID ")
                            .contains(expectation(file))));
  }

  @TestFactory
  Stream<DynamicTest> everitAcceptsEachValidExample() {
    return yamlFiles(CASES.resolve("valid"))
        .map(
            file ->
                DynamicTest.dynamicTest(
                    name(file), () -> assertThat(everitViolations(file)).isEmpty()));
  }

  @TestFactory
  Stream<DynamicTest> everitRejectsEachInvalidExampleAtTheSamePointerAsAjv() {
    return yamlFiles(CASES.resolve("invalid"))
        .map(
            file ->
                DynamicTest.dynamicTest(
                    name(file),
                    () -> {
                      String pointer = expectation(file).split(" ", 2)[0];
                      assertThat(everitViolations(file))
                          .as("everit violations")
                          .extracting(v -> v.split(" ", 2)[0])
                          .contains(pointer);
                    }));
  }

  /**
   * Runbooks that ship with the project ({@code examples/**} and {@code runbooks/**}); files under
   * {@code src}, {@code fixtures}, {@code target} and {@code node_modules} are test data or build
   * output, not runbooks, and are left out.
   */
  @TestFactory
  Stream<DynamicTest> projectRunbooksAreValidForAjvAndEverit() {
    return projectRunbooks().stream()
        .map(
            file ->
                DynamicTest.dynamicTest(
                    MODULE.getParent().relativize(file).toString(),
                    () -> {
                      assertAjvAccepts(file);
                      assertThat(everitViolations(file)).isEmpty();
                    }));
  }

  /**
   * Drives the real yaml-language-server as an editor does: completion offers the DSL's keys, hover
   * shows the schema's descriptions, and its validator agrees on the examples. One test per
   * assertion of {@code check-editor.mjs}.
   */
  @TestFactory
  Stream<DynamicTest> yamlLanguageServerCompletesDescribesAndValidatesRunbooks() {
    NodeRun run =
        runNode(
            EDITOR_SCRIPT,
            List.of(SCHEMA.toString(), CASES.toString()),
            List.of("yaml-language-server"));
    List<DynamicTest> tests = new ArrayList<>();
    for (String line : run.output().split("\n")) {
      if (line.startsWith("ok ")) {
        tests.add(DynamicTest.dynamicTest(line.substring(3), () -> {}));
      } else if (line.startsWith("not ok ")) {
        String failure = line.substring(7);
        tests.add(
            DynamicTest.dynamicTest(
                failure.split(": ", 2)[0], () -> fail("yaml-language-server: %s", failure)));
      }
    }
    String output = run.output();
    int exit = run.exit();
    tests.add(
        DynamicTest.dynamicTest(
            "session ends cleanly",
            () ->
                assertThat(exit)
                    .as("check-editor.mjs exit code; its output:%n%s", output)
                    .isZero()));
    return tests.stream();
  }

  // --- ajv through node ---

  private static void assertAjvAccepts(Path file) {
    assertThat(ajvLine(file)).isEqualTo("OK " + file);
  }

  private static String ajvLine(Path file) {
    String line = ajvResults().get(file);
    if (line == null) {
      fail("check-schema.mjs printed no line for " + file);
    }
    return line;
  }

  /** Runs node once over every file the tests need: its start-up dominates a single check. */
  private static synchronized Map<Path, String> ajvResults() {
    if (ajvLines != null) {
      return ajvLines;
    }
    List<Path> files = new ArrayList<>();
    files.addAll(yamlFiles(CASES.resolve("valid")).collect(Collectors.toList()));
    files.addAll(yamlFiles(CASES.resolve("invalid")).collect(Collectors.toList()));
    files.addAll(projectRunbooks());

    List<String> arguments = new ArrayList<>(List.of(SCHEMA.toString()));
    files.forEach(f -> arguments.add(f.toString()));
    NodeRun run = runNode(CHECK_SCRIPT, arguments, List.of("ajv", "yaml"));
    // 1 only says that some file was invalid, which the invalid examples guarantee.
    if (run.exit() != 0 && run.exit() != 1) {
      fail("check-schema.mjs exited %d:%n%s", run.exit(), run.output());
    }
    Map<Path, String> lines = new HashMap<>();
    for (String line : run.output().split("\n")) {
      for (Path file : files) {
        if (line.equals("OK " + file) || line.startsWith("INVALID " + file + ":")) {
          lines.put(file, line);
        }
      }
    }
    ajvLines = lines;
    return lines;
  }

  private record NodeRun(int exit, String output) {}

  /** Runs a node script of {@code src/test/node} whose packages must have been installed. */
  private static NodeRun runNode(Path script, List<String> arguments, List<String> packages) {
    for (String module : packages) {
      if (!Files.isDirectory(NODE_DIR.resolve("node_modules").resolve(module))) {
        fail("%s is missing from %s: %s", module, NODE_DIR.resolve("node_modules"), INSTALL_HINT);
      }
    }
    List<String> command = new ArrayList<>(List.of("node", script.toString()));
    command.addAll(arguments);
    Path output = null;
    try {
      // A file rather than a pipe, so that a hung script cannot block the read past the timeout.
      output = Files.createTempFile("node-", ".out");
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .start();
      process.getOutputStream().close();
      if (!process.waitFor(NODE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        fail(
            "%s did not finish within %d s:%n%s",
            script.getFileName(), NODE_TIMEOUT_SECONDS, Files.readString(output));
      }
      return new NodeRun(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new AssertionError("cannot run node (" + e.getMessage() + "): " + INSTALL_HINT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while running " + script.getFileName(), e);
    } finally {
      if (output != null) {
        try {
          Files.deleteIfExists(output);
        } catch (IOException e) {
          // a leftover temp file is harmless
        }
      }
    }
  }

  private static String expectation(Path file) throws IOException {
    try (Stream<String> lines = Files.lines(file)) {
      return lines
          .filter(l -> l.startsWith("# expect: "))
          .map(l -> l.substring("# expect: ".length()).strip())
          .findFirst()
          .orElseThrow(() -> new AssertionError(file + " has no `# expect: POINTER MESSAGE` line"));
    }
  }

  // --- everit ---

  private static Schema everitSchema() {
    return SchemaLoader.builder().schemaJson(schemaJson()).draftV7Support().build().load().build();
  }

  /**
   * Every violation everit reports, as {@code POINTER MESSAGE} with the pointer written as ajv
   * writes it ({@code /steps/0}, {@code /} for the root).
   */
  private static List<String> everitViolations(Path file) throws IOException {
    Object document =
        new Load(LoadSettings.builder().build())
            .loadFromString(Files.readString(file, StandardCharsets.UTF_8));
    try {
      everitSchema().validate(toJson(document));
      return List.of();
    } catch (ValidationException e) {
      List<String> violations = new ArrayList<>();
      flatten(e, violations);
      return violations;
    }
  }

  private static void flatten(ValidationException e, List<String> into) {
    String pointer = e.getPointerToViolation().substring(1);
    into.add((pointer.isEmpty() ? "/" : pointer) + " " + e.getErrorMessage());
    e.getCausingExceptions().forEach(cause -> flatten(cause, into));
  }

  /** org.json's map constructor drops null values, which the schema has to see. */
  private static Object toJson(Object yaml) {
    if (yaml == null) {
      return JSONObject.NULL;
    }
    if (yaml instanceof Map<?, ?> map) {
      JSONObject object = new JSONObject();
      map.forEach((k, v) -> object.put(String.valueOf(k), toJson(v)));
      return object;
    }
    if (yaml instanceof List<?> list) {
      JSONArray array = new JSONArray();
      list.forEach(v -> array.put(toJson(v)));
      return array;
    }
    return yaml;
  }

  // --- walking the schema ---

  private interface SchemaVisitor {
    void visit(String pointer, JSONObject schema);
  }

  private static void walk(JSONObject schema, String pointer, SchemaVisitor visitor) {
    visitor.visit(pointer, schema);
    for (String keyword : schema.keySet()) {
      if (CONDITION_KEYWORDS.contains(keyword)) {
        continue;
      }
      Object value = schema.get(keyword);
      String at = pointer + "/" + keyword;
      switch (keyword) {
        case "properties", "definitions", "dependencies" -> {
          JSONObject map = (JSONObject) value;
          for (String name : map.keySet()) {
            if (map.get(name) instanceof JSONObject sub) {
              walk(sub, at + "/" + name, visitor);
            }
          }
        }
        case "allOf", "anyOf", "oneOf" -> {
          JSONArray branches = (JSONArray) value;
          for (int i = 0; i < branches.length(); i++) {
            walk(branches.getJSONObject(i), at + "/" + i, visitor);
          }
        }
        case "items", "additionalProperties", "propertyNames", "not", "then", "else" -> {
          if (value instanceof JSONObject sub) {
            walk(sub, at, visitor);
          }
        }
        default -> {
          // annotations and assertions on the value itself: nothing nested to walk
        }
      }
    }
  }

  /** The keys an object schema declares, its own and those of a {@code $ref} in its allOf. */
  private static Set<String> declaredProperties(JSONObject schema) {
    Set<String> declared = new LinkedHashSet<>();
    JSONObject properties = schema.optJSONObject("properties");
    if (properties != null) {
      declared.addAll(properties.keySet());
    }
    JSONArray allOf = schema.optJSONArray("allOf");
    if (allOf != null) {
      for (int i = 0; i < allOf.length(); i++) {
        String ref = allOf.getJSONObject(i).optString("$ref");
        if (!ref.isEmpty()) {
          declared.addAll(declaredProperties(resolve(ref)));
        }
      }
    }
    return declared;
  }

  /**
   * Every list of keys that a schema requires of the object it describes, by where it is written:
   * its own {@code required}, those of subschemas that declare no properties of their own ({@code
   * oneOf: [{required: [run]}]}, {@code then}), and {@code dependencies}.
   */
  private static Map<String, JSONObject> keyConstraints(JSONObject schema) {
    Map<String, JSONObject> constraints = new LinkedHashMap<>();
    addRequired(constraints, "", schema);
    for (String keyword : List.of("allOf", "anyOf", "oneOf")) {
      JSONArray branches = schema.optJSONArray(keyword);
      for (int i = 0; branches != null && i < branches.length(); i++) {
        JSONObject branch = branches.getJSONObject(i);
        if (!branch.has("properties")) {
          addRequired(constraints, "/" + keyword + "/" + i, branch);
        }
      }
    }
    for (String keyword : List.of("if", "then", "else", "not")) {
      JSONObject sub = schema.optJSONObject(keyword);
      if (sub != null) {
        addRequired(constraints, "/" + keyword, sub);
        if (sub.has("properties")) {
          constraints.put(
              "/" + keyword + "/properties", keySet(sub.getJSONObject("properties").keySet()));
        }
      }
    }
    JSONObject dependencies = schema.optJSONObject("dependencies");
    if (dependencies != null) {
      Set<String> keys = new TreeSet<>(dependencies.keySet());
      for (String key : dependencies.keySet()) {
        if (dependencies.get(key) instanceof JSONArray needed) {
          needed.forEach(n -> keys.add((String) n));
        }
      }
      constraints.put("/dependencies", keySet(keys));
    }
    return constraints;
  }

  private static void addRequired(Map<String, JSONObject> into, String where, JSONObject schema) {
    JSONArray required = schema.optJSONArray("required");
    if (required != null) {
      Set<String> keys = new TreeSet<>();
      required.forEach(k -> keys.add((String) k));
      into.put(where + "/required", keySet(keys));
    }
  }

  private static JSONObject keySet(Set<String> keys) {
    JSONObject set = new JSONObject();
    keys.forEach(k -> set.put(k, true));
    return set;
  }

  private static JSONObject resolve(String ref) {
    assertThat(ref).startsWith("#/definitions/");
    return schemaJson()
        .getJSONObject("definitions")
        .getJSONObject(ref.substring("#/definitions/".length()));
  }

  /** The keys a definition makes mutually exclusive with {@code oneOf: [{required: [k]}...]}. */
  private static Set<String> exclusiveKeys(String definition) {
    JSONArray oneOf =
        schemaJson().getJSONObject("definitions").getJSONObject(definition).getJSONArray("oneOf");
    Set<String> keys = new TreeSet<>();
    for (int i = 0; i < oneOf.length(); i++) {
      JSONArray required = oneOf.getJSONObject(i).getJSONArray("required");
      assertThat(required.length()).as("%s oneOf/%d names one key", definition, i).isEqualTo(1);
      keys.add(required.getString(0));
    }
    return keys;
  }

  /** The DSL keys of a sealed model type's kinds: {@code WaitHealthy} is {@code wait_healthy}. */
  private static Set<String> modelKinds(Class<?> sealedType) {
    Function<Class<?>, String> snakeCase =
        c -> c.getSimpleName().replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    return Arrays.stream(sealedType.getPermittedSubclasses())
        .map(snakeCase)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  // --- files ---

  private static JSONObject schemaJson() {
    try {
      return new JSONObject(new JSONTokener(Files.readString(SCHEMA, StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new AssertionError("cannot read " + SCHEMA, e);
    }
  }

  private static Stream<Path> yamlFiles(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> yaml =
          files.filter(f -> f.toString().endsWith(".yaml")).sorted().collect(Collectors.toList());
      assertThat(yaml).as("examples in %s", dir).isNotEmpty();
      return yaml.stream();
    } catch (IOException e) {
      throw new AssertionError("cannot list " + dir, e);
    }
  }

  private static List<Path> projectRunbooks() {
    Set<String> notRunbooks = Set.of("src", "fixtures", "target", "node_modules");
    List<Path> runbooks = new ArrayList<>();
    for (String top : List.of("examples", "runbooks")) {
      Path dir = MODULE.getParent().resolve(top);
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> files = Files.walk(dir)) {
        files
            .filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
            .filter(
                f -> {
                  Path relative = dir.relativize(f);
                  for (Path part : relative) {
                    if (notRunbooks.contains(part.toString())) {
                      return false;
                    }
                  }
                  return true;
                })
            .sorted()
            .forEach(runbooks::add);
      } catch (IOException e) {
        throw new AssertionError("cannot list " + dir, e);
      }
    }
    return runbooks;
  }

  private static String name(Path file) {
    return file.getFileName().toString();
  }

  /** Surefire runs tests in the module directory; {@code basedir} says so when it is set. */
  private static Path moduleDir() {
    return Path.of(System.getProperty("basedir", "")).toAbsolutePath().normalize();
  }
}
