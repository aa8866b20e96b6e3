package dev.runbook.engine;

import dev.runbook.dsl.model.OnFailure;
import dev.runbook.dsl.model.Step;
import dev.runbook.engine.internal.docker.ReplacedContainer;
import dev.runbook.engine.internal.process.Leftovers;
import dev.runbook.engine.journal.JournalRecord;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
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

  /** A step that failed, with the journaled reason. */
  record Failure(String step, String reason) {}

  private final Map<String, Done> done = new LinkedHashMap<>();

  /** Ids in the order they first started; a set, as a step may start more than once. */
  private final Set<String> startedInOrder = new LinkedHashSet<>();

  private final Set<String> compensated = new HashSet<>();
  private final Map<String, ReplacedContainer> replaced = new HashMap<>();
  private Optional<String> inflight = Optional.empty();
  private Optional<String> pausedAt = Optional.empty();
  private Optional<String> compensationInFlight = Optional.empty();
  private String compensationKey;
  private final List<Leftovers.Started> processes = new ArrayList<>();
  private Optional<Failure> undecidedFailure = Optional.empty();
  private Optional<OnFailure> onFailure = Optional.empty();
  private boolean rollingBack;
  private boolean onDemand;
  private boolean finishedRollback;

  /**
   * Records that follow a failure once the engine acted on it (or went on past it: a {@code
   * continue_on_error} step, a retry); a failure followed by none of them was never acted on.
   */
  private static final Set<String> SETTLE_A_FAILURE =
      Set.of(
          "rollback_started",
          "finished",
          "paused",
          "interrupted",
          "step_started",
          "step_succeeded",
          "step_skipped");

  static PriorRun replay(List<JournalRecord> records, Map<String, Step> stepsById) {
    PriorRun prior = new PriorRun();
    Map<String, Done> group = new LinkedHashMap<>();
    Map<String, Boolean> open = new HashMap<>();
    String lastStarted = null;
    for (JournalRecord r : records) {
      String id = r.field("step");
      if (r.type().equals("step_failed")) {
        prior.undecidedFailure =
            Optional.of(new Failure(id, Optional.ofNullable(r.field("reason")).orElse("")));
      } else if (SETTLE_A_FAILURE.contains(r.type())) {
        prior.undecidedFailure = Optional.empty();
      }
      switch (r.type()) {
        case "run_started" ->
            prior.onFailure =
                Optional.ofNullable(r.field("on_failure"))
                    .map(p -> OnFailure.valueOf(p.toUpperCase(Locale.ROOT)));
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
        case "container_replaced" -> {
          JSONObject container = r.data().optJSONObject("container");
          if (container != null && !prior.replaced.containsKey(id)) {
            prior.replaced.put(id, ReplacedContainer.fromJson(container));
          }
        }
        case "paused" -> prior.pausedAt = Optional.ofNullable(id);
        case "rollback_requested" -> prior.onDemand = true;
        case "rollback_started" -> prior.rollingBack = true;
        case "rolled_back" -> prior.finishedRollback = true;
        case "compensation_started" -> {
          prior.compensationInFlight = Optional.of(id);
          prior.compensationKey = id + "|" + r.field("compensation");
        }
        case "compensation_finished" -> {
          prior.compensationInFlight = Optional.empty();
          prior.compensationKey = null;
          if (r.data().optBoolean("ok")) {
            prior.compensated.add(id + "|" + r.field("compensation"));
          }
        }
        case "process_started" -> {
          Optional<Instant> start =
              Optional.ofNullable(r.field("start")).flatMap(PriorRun::instant);
          prior.processes.add(new Leftovers.Started(r.data().optLong("pid"), start));
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

  /**
   * The step whose failure is the journal's last word: the engine stopped after journaling it and
   * before acting on it (rollback or stop). Empty otherwise.
   */
  Optional<Failure> undecidedFailure() {
    return undecidedFailure;
  }

  /** The {@code --on-failure} the run was started with, if one was given. */
  Optional<OnFailure> onFailure() {
    return onFailure;
  }

  /** The step whose compensation was running when the engine stopped, if one was. */
  Optional<String> compensationInFlight() {
    return compensationInFlight;
  }

  /** Whether this compensation of this step was running when the engine stopped. */
  boolean compensationInFlight(String stepId, String compensationId) {
    return (stepId + "|" + compensationId).equals(compensationKey);
  }

  /** The journal ids of the actions in flight: a step's, or a compensation's. */
  List<String> inflightActions() {
    List<String> ids = new ArrayList<>();
    inflight.ifPresent(ids::add);
    if (compensationKey != null) {
      ids.add(compensationKey.replace("|", "/compensate/"));
    }
    return ids;
  }

  /** Every process the journal says an action started, oldest first. */
  List<Leftovers.Started> processes() {
    return processes;
  }

  private static Optional<Instant> instant(String text) {
    try {
      return Optional.of(Instant.parse(text));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  Optional<String> pausedAt() {
    return pausedAt;
  }

  boolean rollingBack() {
    return rollingBack && !finishedRollback;
  }

  /** Whether an unfinished rollback is one that {@code rollback RUN_ID} asked for. */
  boolean rollbackOnDemand() {
    return onDemand && rollingBack();
  }

  /** The container a {@code replace: true} run of {@code stepId} recorded before removing it. */
  Optional<ReplacedContainer> replaced(String stepId) {
    return Optional.ofNullable(replaced.get(stepId));
  }

  boolean compensated(String stepId, String compensationId) {
    return compensated.contains(stepId + "|" + compensationId);
  }
}
