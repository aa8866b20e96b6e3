package dev.runbook.engine;

import dev.runbook.dsl.Parameters;
import dev.runbook.engine.journal.RunSummary;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Whether a run may be continued with this plan: the same parameters it started with, and the same
 * runbook unless the operator accepts the changes. Checked by {@code resume} and {@code rollback}
 * alike before either takes the run's lock.
 */
final class RunContinuation {
  private RunContinuation() {}

  static void check(Plan plan, Engine.Continuation continuation, String command) {
    refuseOtherParams(continuation.run(), plan);
    refuseUnknownSkips(continuation, plan);
    refuseChanges(continuation, plan, command);
  }

  /**
   * A run's parameters are pinned: continuing it with another value for a non-secret parameter
   * would act on another installation than the one it changed (a rollback given another directory
   * would restore one directory's backup into another).
   */
  static void refuseOtherParams(RunSummary run, Plan plan) {
    Map<String, Object> started = run.params();
    List<String> differ = new ArrayList<>();
    for (Map.Entry<String, Parameters.Value> e : plan.params().entrySet()) {
      if (e.getValue().secret() || !started.containsKey(e.getKey())) {
        continue;
      }
      String then = String.valueOf(started.get(e.getKey()));
      // A value that holds the password of a URL was journaled with it masked: compare it so.
      String now =
          e.getValue().holdsCredential()
              ? e.getValue().display()
              : String.valueOf(e.getValue().value());
      if (!Objects.equals(then, now)) {
        differ.add(
            "parameter `"
                + e.getKey()
                + "` is `"
                + now
                + "`, but the run started with `"
                + then
                + "`");
      }
    }
    if (!differ.isEmpty()) {
      throw new RunbookException(
          ErrorCode.INVALID_INPUT,
          differ.stream().map(d -> "runbook: error: " + d).toList(),
          "run " + run.runId() + " must go on with the values it started with; nothing was run",
          "drop the -p for "
              + (differ.size() == 1 ? "it" : "them")
              + " (the run's own values are used), or start a new run",
          null);
    }
  }

  private static void refuseUnknownSkips(Engine.Continuation continuation, Plan plan) {
    ActiveRunIds ids = new ActiveRunIds(plan);
    for (String step : continuation.skipCompensation()) {
      if (!ids.contains(step)) {
        throw new RunbookException(
            ErrorCode.INVALID_INPUT,
            "--skip-compensation " + step + ": the runbook has no step `" + step + "`",
            "name a step as `runbook status " + continuation.run().runId() + "` lists it");
      }
    }
  }

  /**
   * Refuses a runbook that changed since the run started (listing exactly what changed), unless the
   * operator accepts the changes; then, or for a change of comments or layout only, they are shown
   * as notices.
   */
  static void refuseChanges(Engine.Continuation continuation, Plan plan, String command) {
    ChangedRunbook changed = ChangedRunbook.since(continuation.run(), plan);
    changed.refuseUnless(continuation.acceptChanges(), command);
    changed.report(true).forEach(continuation.notices());
  }

  /** The journal ids of a plan's steps. */
  private record ActiveRunIds(Plan plan) {
    boolean contains(String id) {
      return contains(plan.steps(), id) || contains(plan.finallySteps(), id);
    }

    private static boolean contains(List<PlannedStep> steps, String id) {
      for (PlannedStep p : steps) {
        if (p.id().equals(id) || contains(p.children(), id)) {
          return true;
        }
      }
      return false;
    }
  }
}
