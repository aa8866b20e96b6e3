package dev.runbook.engine;

import dev.runbook.dsl.model.Action;
import dev.runbook.dsl.model.Check;
import dev.runbook.dsl.model.Param;
import dev.runbook.dsl.model.Runbook;
import dev.runbook.dsl.model.SourceLocation;
import dev.runbook.dsl.model.Step;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * What changed in a runbook between a run's start and now: one line per step, parameter,
 * precondition or setting that differs, shown by {@code resume} and {@code rollback} before they
 * refuse a changed runbook.
 *
 * <p>Values are compared as the model holds them, without their source locations: a line added
 * above a step moves the step's lines but does not change it, and comments or layout change
 * nothing.
 */
public final class RunbookChanges {
  private RunbookChanges() {}

  /** One line per difference, in the runbook's order; empty when both do the same. */
  public static List<String> between(Runbook before, Runbook after) {
    List<String> changes = new ArrayList<>();
    if (!before.name().equals(after.name())) {
      changes.add("changed the runbook's `name`");
    }
    if (!same(before.title(), after.title())) {
      changes.add("changed the runbook's `title`");
    }
    if (!same(before.description(), after.description())) {
      changes.add("changed the runbook's `description`");
    }
    if (before.onFailure() != after.onFailure()) {
      changes.add("changed `on_failure`");
    }
    changes.addAll(byName("param", before.params(), after.params(), RunbookChanges::paramFields));
    changes.addAll(byName("env", before.env(), after.env(), (a, b) -> List.of()));
    changes.addAll(preconditions(before.preconditions(), after.preconditions()));
    changes.addAll(steps("step", before.steps(), after.steps()));
    changes.addAll(steps("finally step", before.finallySteps(), after.finallySteps()));
    return changes;
  }

  /**
   * Entries compared by name: added, removed, or changed (with what changed, when {@code fields}
   * can say).
   */
  private static <T> List<String> byName(
      String what,
      Map<String, T> before,
      Map<String, T> after,
      java.util.function.BiFunction<T, T, List<String>> fields) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, T> old : before.entrySet()) {
      T now = after.get(old.getKey());
      if (now == null) {
        out.add("removed " + what + " `" + old.getKey() + "`");
      } else if (!same(old.getValue(), now)) {
        out.add(changed(what + " `" + old.getKey() + "`", fields.apply(old.getValue(), now)));
      }
    }
    for (String name : after.keySet()) {
      if (!before.containsKey(name)) {
        out.add("added " + what + " `" + name + "`");
      }
    }
    // An env entry may read the ones declared before it, so their order is part of the runbook.
    List<String> kept = before.keySet().stream().filter(after::containsKey).toList();
    if (!kept.equals(after.keySet().stream().filter(before::containsKey).toList())) {
      out.add("changed the order of " + what + " entries");
    }
    return out;
  }

  private static List<String> paramFields(Param before, Param after) {
    return differingComponents(
        before,
        after,
        name ->
            switch (name) {
              case "defaultValue" -> "default";
              case "allowed" -> "enum";
              default -> snakeCase(name);
            });
  }

  private static List<String> steps(String what, List<Step> before, List<Step> after) {
    Map<String, Step> old = byId(before);
    Map<String, Step> now = byId(after);
    List<String> out = new ArrayList<>();
    for (Step step : before) {
      Step current = now.get(step.id());
      if (current == null) {
        out.add("removed " + what + " `" + step.id() + "`");
      } else if (!same(step, current)) {
        out.add(changed(what + " `" + step.id() + "`", stepFields(step, current)));
      }
    }
    String previous = null;
    for (Step step : after) {
      if (!old.containsKey(step.id())) {
        out.add(
            "added "
                + what
                + " `"
                + step.id()
                + "`"
                + (previous == null ? " (first)" : " (after `" + previous + "`)"));
      }
      previous = step.id();
    }
    out.addAll(moved(what, before, after, old, now));
    return out;
  }

  /**
   * The steps kept in both whose order changed: all but the longest run of them that kept its
   * order, so swapping two steps names one of them, not every step between.
   */
  private static List<String> moved(
      String what,
      List<Step> before,
      List<Step> after,
      Map<String, Step> old,
      Map<String, Step> now) {
    Map<String, Integer> oldIndex = new LinkedHashMap<>();
    for (Step step : before) {
      if (now.containsKey(step.id())) {
        oldIndex.put(step.id(), oldIndex.size());
      }
    }
    List<String> kept = after.stream().map(Step::id).filter(old::containsKey).toList();
    Set<String> inOrder = longestInOrder(kept, oldIndex);
    List<String> out = new ArrayList<>();
    String previous = null;
    for (Step step : after) {
      if (old.containsKey(step.id()) && !inOrder.contains(step.id())) {
        out.add(
            "moved "
                + what
                + " `"
                + step.id()
                + "`"
                + (previous == null ? " (now first)" : " (now after `" + previous + "`)"));
      }
      previous = step.id();
    }
    return out;
  }

  /**
   * The longest subsequence of {@code ids} whose earlier positions increase (patience sorting, so
   * linear-logarithmic for runbooks of thousands of steps).
   */
  private static Set<String> longestInOrder(List<String> ids, Map<String, Integer> earlier) {
    int n = ids.size();
    int[] tailIndex = new int[n];
    int[] parent = new int[n];
    int length = 0;
    for (int i = 0; i < n; i++) {
      int value = earlier.get(ids.get(i));
      int lo = 0;
      int hi = length;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (earlier.get(ids.get(tailIndex[mid])) < value) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      parent[i] = lo > 0 ? tailIndex[lo - 1] : -1;
      tailIndex[lo] = i;
      length = Math.max(length, lo + 1);
    }
    Set<String> result = new LinkedHashSet<>();
    for (int i = length > 0 ? tailIndex[length - 1] : -1; i >= 0; i = parent[i]) {
      result.add(ids.get(i));
    }
    return result;
  }

  private static List<String> stepFields(Step before, Step after) {
    return differingComponents(
        before,
        after,
        name ->
            name.equals("action") ? actionName(before.action(), after.action()) : snakeCase(name));
  }

  /** The action's DSL key when it kept its kind, e.g. {@code run}; otherwise what it became. */
  private static String actionName(Action before, Action after) {
    return before.kind().equals(after.kind())
        ? before.kind()
        : before.kind() + " → " + after.kind();
  }

  /**
   * Preconditions have no ids: they are matched by the longest sequence both keep, and in each gap
   * between matches the ones at the same place are "changed", the rest added or removed.
   */
  private static List<String> preconditions(List<Check> before, List<Check> after) {
    int n = before.size();
    int m = after.size();
    int[][] common = new int[n + 1][m + 1];
    for (int i = n - 1; i >= 0; i--) {
      for (int j = m - 1; j >= 0; j--) {
        common[i][j] =
            same(before.get(i), after.get(j))
                ? common[i + 1][j + 1] + 1
                : Math.max(common[i + 1][j], common[i][j + 1]);
      }
    }
    List<String> out = new ArrayList<>();
    int i = 0;
    int j = 0;
    List<Integer> removed = new ArrayList<>();
    List<Integer> added = new ArrayList<>();
    while (i < n || j < m) {
      if (i < n && j < m && same(before.get(i), after.get(j))) {
        gap(before, after, removed, added, out);
        i++;
        j++;
      } else if (j < m && (i == n || common[i][j + 1] >= common[i + 1][j])) {
        added.add(j++);
      } else {
        removed.add(i++);
      }
    }
    gap(before, after, removed, added, out);
    return out;
  }

  /**
   * Reports one gap between the preconditions both keep: a removed and an added one are the same
   * precondition changed when they have the same name, or when neither has a name and they are of
   * the same kind (then in order).
   */
  private static void gap(
      List<Check> before,
      List<Check> after,
      List<Integer> removed,
      List<Integer> added,
      List<String> out) {
    Set<Integer> changed = new LinkedHashSet<>();
    List<Integer> unmatched = new ArrayList<>(removed);
    for (int now : added) {
      Check check = after.get(now);
      for (Iterator<Integer> r = unmatched.iterator(); r.hasNext(); ) {
        Check old = before.get(r.next());
        boolean sameName = check.name().isPresent() && check.name().equals(old.name());
        boolean sameUnnamedKind =
            check.name().isEmpty() && old.name().isEmpty() && check.kind().equals(old.kind());
        if (sameName || sameUnnamedKind) {
          changed.add(now);
          r.remove();
          break;
        }
      }
    }
    unmatched.forEach(i -> out.add("removed " + precondition(before.get(i), i)));
    for (int now : added) {
      out.add((changed.contains(now) ? "changed " : "added ") + precondition(after.get(now), now));
    }
    removed.clear();
    added.clear();
  }

  private static String precondition(Check check, int index) {
    return "precondition "
        + (index + 1)
        + check.name().map(n -> " `" + n + "`").orElse(" (" + check.kind() + ")");
  }

  private static String changed(String what, List<String> fields) {
    return "changed " + what + (fields.isEmpty() ? "" : ": " + String.join(", ", fields));
  }

  private static Map<String, Step> byId(List<Step> steps) {
    Map<String, Step> map = new LinkedHashMap<>();
    steps.forEach(s -> map.put(s.id(), s));
    return map;
  }

  /** The names (as {@code name} renders them) of the record components that differ. */
  private static List<String> differingComponents(
      Record before, Record after, Function<String, String> name) {
    List<String> out = new ArrayList<>();
    for (RecordComponent component : before.getClass().getRecordComponents()) {
      if (component.getType() != SourceLocation.class
          && !same(value(component, before), value(component, after))) {
        out.add(name.apply(component.getName()));
      }
    }
    return out;
  }

  private static String snakeCase(String camel) {
    return camel.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * Whether two model values are equal, ignoring every source location (records are compared
   * component by component, maps in their declaration order).
   */
  static boolean same(Object a, Object b) {
    if (a == b) {
      return true;
    }
    if (a == null || b == null) {
      return false;
    }
    if (a instanceof SourceLocation && b instanceof SourceLocation) {
      return true;
    }
    if (a instanceof Optional<?> x && b instanceof Optional<?> y) {
      return x.isPresent() == y.isPresent() && (x.isEmpty() || same(x.get(), y.get()));
    }
    if (a instanceof List<?> x && b instanceof List<?> y) {
      if (x.size() != y.size()) {
        return false;
      }
      for (int i = 0; i < x.size(); i++) {
        if (!same(x.get(i), y.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
      // Declaration order matters: an env entry may read the ones before it.
      return same(List.copyOf(x.keySet()), List.copyOf(y.keySet()))
          && same(List.copyOf(x.values()), List.copyOf(y.values()));
    }
    if (a instanceof Record x && b instanceof Record y) {
      if (x.getClass() != y.getClass()) {
        return false;
      }
      return Arrays.stream(x.getClass().getRecordComponents())
          .allMatch(c -> same(value(c, x), value(c, y)));
    }
    return a.equals(b);
  }

  private static Object value(RecordComponent component, Record of) {
    try {
      return component.getAccessor().invoke(of);
    } catch (IllegalAccessException e) {
      // Every model record is public: this is a bug, not a user's mistake.
      throw new IllegalStateException("cannot read " + component, e);
    } catch (InvocationTargetException e) {
      throw new IllegalStateException("cannot read " + component, e.getCause());
    }
  }
}
