package dev.runbook.engine;

import dev.runbook.dsl.model.Runbook;
import dev.runbook.dsl.model.Step;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What changed in a runbook between a run's start and now, step by step: shown by {@code resume}
 * before it refuses a changed runbook.
 */
public final class RunbookChanges {
  private RunbookChanges() {}

  /** One line per added, removed, changed or moved step; empty when the steps are the same. */
  public static List<String> between(Runbook before, Runbook after) {
    List<String> changes = new ArrayList<>();
    compare("", before.steps(), after.steps(), changes);
    compare("finally ", before.finallySteps(), after.finallySteps(), changes);
    if (!canonical(before.params().values().toString())
        .equals(canonical(after.params().values().toString()))) {
      changes.add("params changed");
    }
    if (!canonical(before.env().toString()).equals(canonical(after.env().toString()))) {
      changes.add("env changed");
    }
    return changes;
  }

  private static void compare(String what, List<Step> before, List<Step> after, List<String> out) {
    Map<String, Step> old = byId(before);
    Map<String, Step> now = byId(after);
    for (String id : old.keySet()) {
      if (!now.containsKey(id)) {
        out.add("removed " + what + "step `" + id + "`");
      } else if (!canonical(old.get(id).toString()).equals(canonical(now.get(id).toString()))) {
        out.add("changed " + what + "step `" + id + "`");
      }
    }
    for (String id : now.keySet()) {
      if (!old.containsKey(id)) {
        out.add("added " + what + "step `" + id + "`");
      }
    }
    List<String> oldOrder = new ArrayList<>(old.keySet());
    List<String> newOrder = new ArrayList<>(now.keySet());
    oldOrder.retainAll(now.keySet());
    newOrder.retainAll(old.keySet());
    if (!oldOrder.equals(newOrder)) {
      out.add("the order of " + what + "steps changed");
    }
  }

  private static Map<String, Step> byId(List<Step> steps) {
    Map<String, Step> map = new LinkedHashMap<>();
    steps.forEach(s -> map.put(s.id(), s));
    return map;
  }

  /** A model value's text without source positions, which move when lines are added above. */
  private static String canonical(String modelText) {
    return modelText.replaceAll("SourceLocation\\[[^\\]]*\\]", "").replaceAll("file=[^,\\]]*", "");
  }
}
