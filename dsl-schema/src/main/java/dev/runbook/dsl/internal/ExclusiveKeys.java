package dev.runbook.dsl.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.json.JSONArray;
import org.json.JSONObject;

/**
 * The schema's "exactly one of these keys" rules, checked in Java rather than by everit.
 *
 * <p>Five definitions of the published schema hold a {@code oneOf} whose branches each require one
 * key: a step's action, a check's kind, a requirement's kind, a docker step's operation, a docker
 * check's target. everit tries every branch and builds a formatted exception for each one that
 * fails, so a valid step costs nine exceptions; on a runbook of thousands of steps that was three
 * quarters of the schema stage. {@link #removeFrom} takes these {@code oneOf}s out of a copy of the
 * schema (the one everit validates against; editors keep the published one) and keeps their keys;
 * {@link #check} then applies them to every value everit would have applied them to, which is where
 * the schema's {@code $ref}s to those definitions lead.
 *
 * <p>A value breaks the rule when it is a map with none or several of the keys, or not a map at all
 * (everit's {@code required} ignores a value that is not an object, so every branch matched).
 */
final class ExclusiveKeys {

  /** The definitions whose {@code oneOf} is checked here. */
  enum Rule {
    STEP_BODY("step_body"),
    CHECK("check"),
    REQUIREMENT("requirement"),
    DOCKER("docker"),
    CHECK_DOCKER("check_docker");

    final String definition;

    Rule(String definition) {
      this.definition = definition;
    }
  }

  /**
   * A value that does not have exactly one of its rule's keys.
   *
   * @param pointer where, in everit's form ({@code #/steps/0})
   * @param value the value itself, never null ({@link JSONObject#NULL} for an empty one)
   * @param keys the rule's keys, in the schema's order
   */
  record Violation(Rule rule, String pointer, Object value, List<String> keys) {}

  private final Map<Rule, List<String>> keys;

  private ExclusiveKeys(Map<Rule, List<String>> keys) {
    this.keys = keys;
  }

  /**
   * Removes each rule's {@code oneOf} from {@code schema} (a draft-07 schema document, changed in
   * place) and returns the rules with their keys.
   *
   * @throws IllegalStateException if a definition is missing or its {@code oneOf} does not have the
   *     shape this class checks (a bug: the schema and this class disagree)
   */
  static ExclusiveKeys removeFrom(JSONObject schema) {
    JSONObject definitions = schema.getJSONObject("definitions");
    Map<Rule, List<String>> keys = new EnumMap<>(Rule.class);
    for (Rule rule : Rule.values()) {
      JSONObject definition = definitions.optJSONObject(rule.definition);
      List<String> ruleKeys =
          definition == null ? List.of() : requiredKeysOfOneOf(definition.optJSONArray("oneOf"));
      if (ruleKeys.size() < 2) {
        throw new IllegalStateException(
            "the schema's definition `"
                + rule.definition
                + "` has no oneOf of single required keys; "
                + ExclusiveKeys.class.getSimpleName()
                + " and the schema disagree");
      }
      definition.remove("oneOf");
      keys.put(rule, ruleKeys);
    }
    return new ExclusiveKeys(keys);
  }

  /** The keys of a {@code oneOf} whose branches are each {@code {"required": [key]}}; else none. */
  static List<String> requiredKeysOfOneOf(JSONArray oneOf) {
    if (oneOf == null) {
      return List.of();
    }
    List<String> result = new ArrayList<>();
    for (Object branch : oneOf) {
      if (!(branch instanceof JSONObject object)
          || object.length() != 1
          || !(object.opt("required") instanceof JSONArray required)
          || required.length() != 1
          || !(required.opt(0) instanceof String key)) {
        return List.of();
      }
      result.add(key);
    }
    return Collections.unmodifiableList(result);
  }

  /**
   * Every violation in a runbook, by walking it the way the schema's {@code $ref}s lead: the
   * top-level {@code preconditions}, {@code steps} and {@code finally}, and in a step its {@code
   * requires}, {@code verify}, {@code wait.until}, {@code docker} and {@code compensate} (a map is
   * one step body, a list holds steps; anything else is the schema's to report). Only where the
   * schema applies a definition: a list key that holds no list is not walked.
   *
   * @param root the runbook as JSON
   * @return in document order; may be empty
   */
  List<Violation> check(JSONObject root) {
    List<Violation> out = new ArrayList<>();
    Walk walk = new Walk(out);
    walk.items(root.opt("preconditions"), "#/preconditions", Rule.CHECK);
    walk.steps(root.opt("steps"), "#/steps");
    walk.steps(root.opt("finally"), "#/finally");
    return out;
  }

  private final class Walk {
    private final List<Violation> out;

    Walk(List<Violation> out) {
      this.out = out;
    }

    void steps(Object value, String pointer) {
      if (value instanceof JSONArray array) {
        for (int i = 0; i < array.length(); i++) {
          stepBody(array.get(i), PositionedJson.child(pointer, i));
        }
      }
    }

    /** Checks (or requirements) in a list, each with its docker target. */
    void items(Object value, String pointer, Rule rule) {
      if (value instanceof JSONArray array) {
        for (int i = 0; i < array.length(); i++) {
          check(array.get(i), PositionedJson.child(pointer, i), rule);
        }
      }
    }

    void check(Object value, String pointer, Rule rule) {
      exactlyOne(rule, value, pointer);
      if (value instanceof JSONObject object && object.has("docker")) {
        exactlyOne(
            Rule.CHECK_DOCKER, object.get("docker"), PositionedJson.child(pointer, "docker"));
      }
    }

    void stepBody(Object value, String pointer) {
      exactlyOne(Rule.STEP_BODY, value, pointer);
      if (!(value instanceof JSONObject step)) {
        return;
      }
      items(step.opt("requires"), PositionedJson.child(pointer, "requires"), Rule.REQUIREMENT);
      items(step.opt("verify"), PositionedJson.child(pointer, "verify"), Rule.CHECK);
      if (step.opt("wait") instanceof JSONObject wait && wait.has("until")) {
        check(
            wait.get("until"),
            PositionedJson.child(PositionedJson.child(pointer, "wait"), "until"),
            Rule.CHECK);
      }
      if (step.has("docker")) {
        exactlyOne(Rule.DOCKER, step.get("docker"), PositionedJson.child(pointer, "docker"));
      }
      Object compensate = step.opt("compensate");
      String compensatePointer = PositionedJson.child(pointer, "compensate");
      if (compensate instanceof JSONObject) {
        stepBody(compensate, compensatePointer);
      } else {
        steps(compensate, compensatePointer);
      }
    }

    private void exactlyOne(Rule rule, Object value, String pointer) {
      List<String> ruleKeys = keys.get(rule);
      if (value instanceof JSONObject object) {
        int present = 0;
        for (String key : ruleKeys) {
          if (object.has(key)) {
            present++;
          }
        }
        if (present == 1) {
          return;
        }
      }
      out.add(new Violation(rule, pointer, value, ruleKeys));
    }
  }
}
