package dev.runbook.dsl.internal;

import dev.runbook.dsl.Problem;
import dev.runbook.dsl.RunbookSchema;
import dev.runbook.dsl.model.SourceLocation;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.everit.json.schema.CombinedSchema;
import org.everit.json.schema.EnumSchema;
import org.everit.json.schema.ObjectSchema;
import org.everit.json.schema.Schema;
import org.everit.json.schema.StringSchema;
import org.everit.json.schema.ValidationException;
import org.everit.json.schema.Validator;
import org.everit.json.schema.loader.SchemaLoader;
import org.json.JSONArray;
import org.json.JSONObject;
import org.json.JSONPointer;
import org.json.JSONPointerException;

/**
 * Stage two: JSON Schema validation, with every violation turned into a positioned {@link Problem}
 * an operator can act on.
 *
 * <p>everit reports a failing {@code oneOf}/{@code anyOf} with the violations of every branch.
 * Reporting them all would bury the one that matters, so we pick the branch the value was meant for
 * (the one whose type matches), the way ajv's and python-jsonschema's "best match" do. A {@code
 * oneOf} whose branches only require one key each is the "exactly one of these keys" rule (one
 * action per step, one kind per check), and is reported as such.
 *
 * <p>everit validates against a schema derived from the published one: the five "exactly one of
 * these keys" rules are taken out of it and checked by {@link ExclusiveKeys}, which reports them
 * with the same messages at the same places (everit tried all ten branches of a step's action rule
 * and built an exception for each that failed: most of its time on a large runbook). The published
 * schema, the one {@code runbook schema} prints for editors, is unchanged.
 */
final class SchemaValidation {
  private static final JSONObject DERIVED_JSON = new JSONObject(RunbookSchema.text());
  private static final ExclusiveKeys RULES = ExclusiveKeys.removeFrom(DERIVED_JSON);
  private static final Schema SCHEMA = load(DERIVED_JSON);
  private static final Validator VALIDATOR = Validator.builder().build();

  private static final Pattern EXTRANEOUS =
      Pattern.compile("extraneous key \\[(.*)\\] is not permitted");
  private static final Pattern REQUIRED = Pattern.compile("required key \\[(.*)\\] not found");
  private static final Pattern EXPECTED_TYPE =
      Pattern.compile("expected type: (\\w+), found: (\\w+)");

  private final PositionedJson json;
  private final List<Problem> problems = new ArrayList<>();

  private SchemaValidation(PositionedJson json) {
    this.json = json;
  }

  /** Loads the schema into its validator (this class's initialization), if not done yet. */
  static void prepare() {
    // nothing more: calling a static method initializes the class
  }

  /** everit's draft-07 validator of a schema document. */
  static Schema load(JSONObject schemaJson) {
    return SchemaLoader.builder().schemaJson(schemaJson).draftV7Support().build().load().build();
  }

  static List<Problem> validate(PositionedJson json) {
    return validate(json, SCHEMA, RULES);
  }

  /**
   * The problems of {@code json} against {@code schema}, with {@code rules} checked beside it;
   * {@code rules} is null when {@code schema} holds them itself (the published schema, which tests
   * use to prove that both ways report the same problems).
   *
   * @return everit's problems in its order, those of {@code rules} before or after them: only their
   *     order at one location is kept (the loader sorts problems by location, stably)
   */
  static List<Problem> validate(PositionedJson json, Schema schema, ExclusiveKeys rules) {
    SchemaValidation validation = new SchemaValidation(json);
    List<ValidationException> leaves = List.of();
    try {
      VALIDATOR.performValidation(schema, json.root());
    } catch (ValidationException e) {
      leaves = leaves(e);
    }
    // An object with a mistyped key usually lacks the key it meant: "unknown key `comand`"
    // says it all, "has no check kind" beside it would only add noise.
    Set<String> withUnknownKeys = new java.util.HashSet<>();
    for (ValidationException leaf : leaves) {
      if ("additionalProperties".equals(leaf.getKeyword())) {
        withUnknownKeys.add(leaf.getPointerToViolation());
      }
    }
    for (ValidationException leaf : leaves) {
      boolean noise =
          ("oneOf".equals(leaf.getKeyword())
                  && withUnknownKeys.contains(leaf.getPointerToViolation()))
              // option pairing (`grace` needs `stop`) is reported by the binder, which can
              // name both keys; everit's "property [stop] is required" cannot.
              || "dependencies".equals(leaf.getKeyword());
      if (!noise) {
        validation.report(leaf);
      }
    }
    if (rules == null || !(json.root() instanceof JSONObject root)) {
      return validation.problems;
    }
    List<Problem> ahead = new ArrayList<>();
    List<Problem> behind = new ArrayList<>();
    for (ExclusiveKeys.Violation v : rules.check(root)) {
      if (withUnknownKeys.contains(v.pointer())) {
        continue;
      }
      Problem problem = validation.exclusiveKeysProblem(v.pointer(), v.value(), v.keys());
      // Where everit reported the oneOf beside another violation at the same location: after a
      // step's missing `id` (its allOf), before a requirement's missing `timeout` (its if/then)
      // and before a value's wrong type.
      boolean afterEverit =
          v.rule() == ExclusiveKeys.Rule.STEP_BODY && v.value() instanceof JSONObject;
      (afterEverit ? behind : ahead).add(problem);
    }
    ahead.addAll(validation.problems);
    ahead.addAll(behind);
    return ahead;
  }

  /** The violations worth reporting, with combined schemas narrowed to their best branch. */
  private static List<ValidationException> leaves(ValidationException e) {
    List<ValidationException> causes = e.getCausingExceptions();
    if (causes.isEmpty()) {
      return List.of(e);
    }
    String keyword = e.getKeyword();
    if ("oneOf".equals(keyword) || "anyOf".equals(keyword)) {
      if (requiredKeysOfOneOf(e).isPresent()) {
        return List.of(e);
      }
      List<List<ValidationException>> branches = new ArrayList<>();
      for (ValidationException cause : causes) {
        List<ValidationException> branch = leaves(cause);
        boolean wrongType =
            branch.stream()
                .anyMatch(
                    l ->
                        "type".equals(l.getKeyword())
                            && l.getPointerToViolation().equals(e.getPointerToViolation()));
        if (!wrongType) {
          branches.add(branch);
        }
      }
      if (branches.size() == 1) {
        return branches.get(0);
      }
      return List.of(e);
    }
    List<ValidationException> result = new ArrayList<>();
    for (ValidationException cause : causes) {
      result.addAll(leaves(cause));
    }
    return result;
  }

  /** The keys of an "exactly one of these keys" oneOf, if {@code e} is one. */
  private static java.util.Optional<List<String>> requiredKeysOfOneOf(ValidationException e) {
    if (!(e.getViolatedSchema() instanceof CombinedSchema combined)
        || combined.getCriterion() != CombinedSchema.ONE_CRITERION) {
      return java.util.Optional.empty();
    }
    List<String> keys = new ArrayList<>();
    for (Schema sub : combined.getSubschemas()) {
      if (!(sub instanceof ObjectSchema object)
          || object.getRequiredProperties().size() != 1
          || !object.getPropertySchemas().isEmpty()) {
        return java.util.Optional.empty();
      }
      keys.add(object.getRequiredProperties().get(0));
    }
    return java.util.Optional.of(keys);
  }

  private void report(ValidationException e) {
    String pointer = e.getPointerToViolation();
    String keyword = e.getKeyword() == null ? "" : e.getKeyword();
    String message = e.getErrorMessage();
    Object value = valueAt(pointer);
    String where = describe(pointer, json.root());
    switch (keyword) {
      case "additionalProperties" -> {
        Matcher m = EXTRANEOUS.matcher(message);
        String key = m.find() ? m.group(1) : "?";
        Collection<String> known =
            e.getViolatedSchema() instanceof ObjectSchema object
                ? object.getPropertySchemas().keySet()
                : List.of();
        SourceLocation at = json.keyAt(PositionedJson.child(pointer, key));
        List<String> close = DidYouMean.suggest(key, known);
        String hint =
            close.isEmpty()
                ? "known keys here: " + String.join(", ", new java.util.TreeSet<>(known))
                : "did you mean " + DidYouMean.quoteAll(close) + "?";
        add("schema.unknown-key", at, "unknown key `" + key + "`" + in(where), hint);
      }
      case "required" -> {
        Matcher m = REQUIRED.matcher(message);
        String key = m.find() ? m.group(1) : "?";
        add(
            "schema.missing-key",
            json.valueAt(pointer),
            "missing required key `" + key + "`" + in(where),
            requiredHint(key));
      }
      case "oneOf", "anyOf" -> reportCombined(e, pointer, value);
      case "type" -> {
        Matcher m = EXPECTED_TYPE.matcher(message);
        String expected = m.find() ? typeName(m.group(1)) : "another type";
        add(
            "schema.type",
            json.valueAt(pointer),
            subject(where) + " must be " + expected + ", not " + typeOf(value),
            null);
      }
      case "pattern" -> reportPattern(e, pointer, value, where);
      case "enum" -> {
        if (pointer.equals("#/schema")) {
          add(
              "schema.version",
              json.valueAt(pointer),
              "unknown DSL version `"
                  + value
                  + "`; this runbook engine reads `"
                  + RunbookSchema.VERSION
                  + "`",
              "write `schema: " + RunbookSchema.VERSION + "`");
          return;
        }
        List<String> allowed = enumValues(e.getViolatedSchema());
        List<String> close = DidYouMean.suggest(String.valueOf(value), allowed);
        add(
            "schema.enum",
            json.valueAt(pointer),
            "`"
                + value
                + "` is not allowed for "
                + where
                + "; expected one of "
                + String.join(", ", allowed),
            close.isEmpty() ? null : "did you mean " + DidYouMean.quoteAll(close) + "?");
      }
      case "const" -> {
        if (pointer.equals("#/schema")) {
          add(
              "schema.version",
              json.valueAt(pointer),
              "unknown DSL version `"
                  + value
                  + "`; this runbook engine reads `"
                  + RunbookSchema.VERSION
                  + "`",
              "write `schema: " + RunbookSchema.VERSION + "`");
        } else {
          add("schema.const", json.valueAt(pointer), where + ": " + message, null);
        }
      }
      case "minItems" ->
          add("schema.empty", json.valueAt(pointer), subject(where) + " must not be empty", null);
      default ->
          add(
              "schema." + (keyword.isEmpty() ? "invalid" : keyword.toLowerCase(Locale.ROOT)),
              json.valueAt(pointer),
              where + ": " + message,
              null);
    }
  }

  private void reportCombined(ValidationException e, String pointer, Object value) {
    java.util.Optional<List<String>> keys = requiredKeysOfOneOf(e);
    problems.add(
        keys.isPresent()
            ? exclusiveKeysProblem(pointer, value, keys.get())
            : shapeProblem(pointer, value));
  }

  /** A value without exactly one of {@code keys}: none, several, or not a map at all. */
  private Problem exclusiveKeysProblem(String pointer, Object value, List<String> keys) {
    if (!(value instanceof JSONObject object)) {
      return shapeProblem(pointer, value);
    }
    String where = describe(pointer, json.root());
    Set<String> present = new LinkedHashSet<>();
    for (String key : keys) {
      if (object.has(key)) {
        present.add(key);
      }
    }
    String what = kindOfExclusiveKeys(keys);
    if (present.isEmpty()) {
      return Problem.error(
          "schema.no-" + what,
          json.valueAt(pointer),
          subject(where) + " has no " + what,
          "add one of: " + String.join(", ", keys));
    }
    return Problem.error(
        "schema.several-" + what + "s",
        json.keyAt(PositionedJson.child(pointer, present.iterator().next())),
        subject(where)
            + " has "
            + present.size()
            + " "
            + what
            + "s ("
            + String.join(", ", present)
            + "); exactly one is allowed",
        what.equals("action")
            ? "split it into one step per action"
            : "write one " + what + " per item");
  }

  private Problem shapeProblem(String pointer, Object value) {
    return Problem.error(
        "schema.shape",
        json.valueAt(pointer),
        subject(describe(pointer, json.root())) + " has the wrong shape (" + typeOf(value) + ")",
        "see `runbook schema` for the forms this key takes");
  }

  private void reportPattern(ValidationException e, String pointer, Object value, String where) {
    String pattern =
        e.getViolatedSchema() instanceof StringSchema s && s.getPattern() != null
            ? s.getPattern().toString()
            : "";
    String text = String.valueOf(value);
    if (pattern.contains("ms|s|m|h")) {
      add(
          "schema.duration",
          json.valueAt(pointer),
          "`" + text + "` is not a duration" + in(where),
          "write a number and a unit, e.g. 250ms, 30s, 5m, 1h30m, 2d");
    } else if (pattern.contains("KiB") || pattern.contains("GiB")) {
      add(
          "schema.size",
          json.valueAt(pointer),
          "`" + text + "` is not a size" + in(where),
          "write a number and a unit, e.g. 512MiB, 2GiB, 10GB");
    } else if (pattern.contains("[a-z][a-z0-9_-]*")) {
      boolean isKey = !json.keyAt(pointer).equals(json.valueAt(pointer));
      add(
          "schema.identifier",
          isKey ? json.keyAt(pointer) : json.valueAt(pointer),
          "`" + text + "` is not a valid identifier" + in(where),
          "use lowercase letters, digits, `_` and `-`, starting with a letter, e.g. `"
              + suggestIdentifier(text)
              + "`");
    } else {
      add(
          "schema.pattern",
          json.valueAt(pointer),
          "`" + text + "` does not match the expected form" + in(where) + " (" + pattern + ")",
          null);
    }
  }

  private static String suggestIdentifier(String text) {
    String s = text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]+", "_");
    s = s.replaceAll("^[^a-z]+", "");
    return s.isEmpty() ? "step_1" : s;
  }

  private static String kindOfExclusiveKeys(List<String> keys) {
    if (keys.contains("run") && keys.contains("exec") && keys.contains("confirm")) {
      return "action";
    }
    if (keys.contains("path") && keys.contains("expr")) {
      return "check kind";
    }
    if (keys.contains("pull") && keys.contains("wait_healthy")) {
      return "docker operation";
    }
    return "key of " + String.join("/", keys);
  }

  private static String requiredHint(String key) {
    return switch (key) {
      case "schema" -> "start the runbook with `schema: " + RunbookSchema.VERSION + "`";
      case "name" -> "name the runbook, e.g. `name: app-upgrade` (it names the run lock)";
      case "steps" -> "add `steps:` with at least one step";
      case "timeout" -> "give a limit, e.g. `timeout: 2m`, so a wait cannot hang the run";
      case "id" -> "give the step a stable `id:` (the journal's key), e.g. `id: stop_server`";
      default -> null;
    };
  }

  private static List<String> enumValues(Schema schema) {
    if (schema instanceof EnumSchema e) {
      return e.getPossibleValuesAsList().stream().map(String::valueOf).toList();
    }
    return List.of();
  }

  private Object valueAt(String pointer) {
    if (pointer.equals("#")) {
      return json.root();
    }
    try {
      return new JSONPointer(pointer).queryFrom(json.root());
    } catch (JSONPointerException | IllegalArgumentException e) {
      return null;
    }
  }

  /** A human name for the value at a pointer, without step names: "`steps[2].timeout`". */
  static String describe(String pointer) {
    return describe(pointer, null);
  }

  /**
   * A human name for the value at a pointer in {@code root}: "the runbook", "step `dump`
   * (steps[4])", "`retry.delay` of step `dump` (steps[4])". A step is named by its id where it has
   * one, the innermost step of the path (a compensation's own id).
   */
  static String describe(String pointer, Object root) {
    if (pointer.equals("#") || pointer.isEmpty()) {
      return "the runbook";
    }
    String[] parts = pointer.substring(2).split("/");
    StringBuilder out = new StringBuilder();
    String stepId = null;
    int stepPathLength = -1;
    Object node = root;
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i].replace("~1", "/").replace("~0", "~");
      boolean index = p.chars().allMatch(Character::isDigit) && !p.isEmpty();
      node = child(node, p, index);
      if (index) {
        out.append('[').append(Long.parseLong(p) + 1).append(']');
        String list = i > 0 ? parts[i - 1] : "";
        if ((list.equals("steps") || list.equals("finally") || list.equals("compensate"))
            && node instanceof JSONObject step
            && step.opt("id") instanceof String id) {
          stepId = id;
          stepPathLength = out.length();
        }
      } else {
        if (out.length() > 0) {
          out.append('.');
        }
        out.append(p);
      }
    }
    if (stepId == null) {
      return "`" + out + "`";
    }
    String step = "step `" + stepId + "` (" + out.substring(0, stepPathLength) + ")";
    return stepPathLength == out.length()
        ? step
        : "`" + out.substring(stepPathLength + 1) + "` of " + step;
  }

  private static Object child(Object node, String key, boolean index) {
    if (index && node instanceof JSONArray array) {
      try {
        return array.opt(Integer.parseInt(key));
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return node instanceof JSONObject object ? object.opt(key) : null;
  }

  private static String in(String where) {
    return where.equals("the runbook") ? " at the top level" : " in " + where;
  }

  private static String subject(String where) {
    return where.equals("the runbook") ? "the runbook" : where;
  }

  private static String typeName(String everitType) {
    return switch (everitType) {
      case "String" -> "a string";
      case "JSONObject" -> "a map";
      case "JSONArray" -> "a list";
      case "Boolean" -> "true or false";
      case "Integer", "Long", "BigInteger" -> "a whole number";
      case "Number", "Double" -> "a number";
      default -> everitType;
    };
  }

  private static String typeOf(Object value) {
    if (value instanceof JSONObject) {
      return "a map";
    }
    if (value instanceof JSONArray) {
      return "a list";
    }
    if (value instanceof String) {
      return "a string";
    }
    if (value instanceof Boolean) {
      return "a boolean";
    }
    if (value instanceof Number) {
      return "a number";
    }
    if (value == null || value == JSONObject.NULL) {
      return "empty";
    }
    return value.getClass().getSimpleName();
  }

  private void add(String code, SourceLocation location, String message, String hint) {
    problems.add(Problem.error(code, location, message, hint));
  }
}
