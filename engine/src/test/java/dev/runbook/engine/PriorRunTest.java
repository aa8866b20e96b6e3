package dev.runbook.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.dsl.model.OnFailure;
import dev.runbook.engine.journal.JournalRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;

/** What resume reads back from a journal, record by record. */
class PriorRunTest {
  private final List<JournalRecord> records = new ArrayList<>();

  private PriorRunTest add(String type, String... fields) {
    JSONObject data = new JSONObject();
    for (int i = 0; i < fields.length; i += 2) {
      data.put(fields[i], fields[i + 1]);
    }
    records.add(new JournalRecord(records.size() + 1, Instant.EPOCH, type, data));
    return this;
  }

  private PriorRun replay() {
    return PriorRun.replay(records, Map.of());
  }

  @Test
  void aFailureFollowedByNothingIsUndecided() {
    add("run_started", "on_failure", "rollback").add("step_started", "step", "a");
    add("step_succeeded", "step", "a").add("step_started", "step", "b");
    add("step_failed", "step", "b", "reason", "exit 1");

    PriorRun prior = replay();

    assertThat(prior.undecidedFailure()).contains(new PriorRun.Failure("b", "exit 1"));
    assertThat(prior.inflight()).isEmpty();
    assertThat(prior.onFailure()).contains(OnFailure.ROLLBACK);
    assertThat(prior.startedNotDone()).containsExactly("b");
  }

  @Test
  void aFailureTheEngineActedOnOrWentPastIsDecided() {
    for (String after : List.of("rollback_started", "finished", "paused", "step_started")) {
      records.clear();
      add("run_started").add("step_started", "step", "b").add("step_failed", "step", "b");
      add(after, "step", "c");
      assertThat(replay().undecidedFailure()).as(after).isEmpty();
    }
  }

  @Test
  void aResumeThatDiedBeforeActingLeavesTheFailureUndecided() {
    add("run_started").add("step_started", "step", "b").add("step_failed", "step", "b");
    add("resumed").add("process_started", "step", "b", "pid", "1");

    assertThat(replay().undecidedFailure()).isPresent();
    assertThat(replay().onFailure()).isEmpty();
  }

  @Test
  void aCompensationStartedAndNotFinishedIsInFlight() {
    add("run_started").add("rollback_requested").add("rollback_started");
    add("compensation_started", "step", "b", "compensation", "b.compensate");
    add("compensation_finished", "step", "b", "compensation", "b.compensate");
    records.get(records.size() - 1).data().put("ok", true);
    add("compensation_started", "step", "a", "compensation", "a.compensate");

    PriorRun prior = replay();

    assertThat(prior.compensationInFlight()).contains("a");
    assertThat(prior.compensationInFlight("a", "a.compensate")).isTrue();
    assertThat(prior.compensationInFlight("b", "b.compensate")).isFalse();
    assertThat(prior.compensated("b", "b.compensate")).isTrue();
    assertThat(prior.rollingBack()).isTrue();
    assertThat(prior.rollbackOnDemand()).isTrue();
  }

  @Test
  void aFinishedRollbackIsNeitherRollingBackNorOnDemand() {
    add("run_started").add("rollback_requested").add("rollback_started").add("rolled_back");

    assertThat(replay().rollingBack()).isFalse();
    assertThat(replay().rollbackOnDemand()).isFalse();
  }

  @Test
  void journaledProcessesComeBackWithTheirStartTimes() {
    add("run_started").add("step_started", "step", "a");
    add("process_started", "step", "a", "pid", "4242", "start", "2026-11-23T07:00:00Z");
    add("process_started", "step", "a", "pid", "4243");

    assertThat(replay().processes())
        .extracting(p -> p.pid() + " " + p.start().map(Instant::toString).orElse("-"))
        .containsExactly("4242 2026-11-23T07:00:00Z", "4243 -");
    assertThat(replay().inflight()).contains("a");
  }
}
