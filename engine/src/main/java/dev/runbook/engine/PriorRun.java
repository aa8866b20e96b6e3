package dev.runbook.engine;

import dev.runbook.dsl.model.Step;
import dev.runbook.engine.journal.JournalRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.json.JSONObject;

/**
 * What a journal says a run already did, replayed for {@code resume} and {@code rollback}.
 *
 * <p>A step counts as done only once a checkpoint covers it: a {@code checkpoint: false} step that
 * succeeded is done when a later checkpoint step is, and otherwise is redone with its group. The
 * step that was started and never finished is the in-flight step.
 */
final class PriorRun {
  /** A step done before, with the status and outputs it recorded. */
  record Done(String status, JSONObject outputs) {}

  private final Map<String, Done> done = new LinkedHashMap<>();

  /** Ids in the order they first started; a set, as a step may start more than once. */
  private final Set<String> startedInOrder = new LinkedHashSet<>();

  private final Set<String> compensated = new HashSet<>();
  private Optional<String> inflight = Optional.empty();
  private Optional<String> pausedAt = Optional.empty();
  private boolean rollingBack;
  private boolean finishedRollback;

  static PriorRun replay(List<JournalRecord> records, Map<String, Step> stepsById) {
    PriorRun prior = new PriorRun();
    Map<String, Done> group = new LinkedHashMap<>();
    Map<String, Boolean> open = new HashMap<>();
    String lastStarted = null;
    for (JournalRecord r : records) {
      String id = r.field("step");
      switch (r.type()) {
        case "step_started" -> {
          open.put(id, true);
          lastStarted = id;
          prior.startedInOrder.add(id);
        }
        case "step_succeeded", "step_skipped" -> {
          open.remove(id);
          Done d =
              new Done(
                  r.type().equals("step_succeeded") ? "succeeded" : "skipped",
                  Optional.ofNullable(r.data().optJSONObject("outputs")).orElse(new JSONObject()));
          Step step = stepsById.get(id);
          if (step != null && !step.checkpoint()) {
            group.put(id, d);
          } else {
            prior.done.putAll(group);
            group.clear();
            prior.done.put(id, d);
          }
        }
        case "step_failed" -> open.remove(id);
        case "paused" -> prior.pausedAt = Optional.ofNullable(id);
        case "rollback_started" -> prior.rollingBack = true;
        case "rolled_back" -> prior.finishedRollback = true;
        case "compensation_finished" -> {
          if (r.data().optBoolean("ok")) {
            prior.compensated.add(id + "|" + r.field("compensation"));
          }
        }
        default -> {}
      }
    }
    if (lastStarted != null
        && open.containsKey(lastStarted)
        && !prior.done.containsKey(lastStarted)) {
      prior.inflight = Optional.of(lastStarted);
    }
    // Steps of an unfinished group are redone; they no longer count as started.
    return prior;
  }

  Optional<Done> done(String id) {
    return Optional.ofNullable(done.get(id));
  }

  Map<String, Done> doneSteps() {
    return done;
  }

  /** Steps that started and are done, in the order they started: what a rollback undoes. */
  List<String> startedAndDone() {
    List<String> ids = new ArrayList<>();
    for (String id : startedInOrder) {
      Done d = done.get(id);
      if (d != null && d.status().equals("succeeded")) {
        ids.add(id);
      }
    }
    return ids;
  }

  /** Steps that started but are not done (failed, in flight, or in an unfinished group). */
  List<String> startedNotDone() {
    List<String> ids = new ArrayList<>();
    for (String id : startedInOrder) {
      if (!done.containsKey(id)) {
        ids.add(id);
      }
    }
    return ids;
  }

  Optional<String> inflight() {
    return inflight;
  }

  Optional<String> pausedAt() {
    return pausedAt;
  }

  boolean rollingBack() {
    return rollingBack && !finishedRollback;
  }

  boolean compensated(String stepId, String compensationId) {
    return compensated.contains(stepId + "|" + compensationId);
  }
}
