package dev.runbook.engine.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.engine.journal.JournalEvent.Invocation;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalCodecTest {
  @TempDir Path dir;

  private static final Invocation BY = new Invocation("op", "host-1", 4242, "1.2.3");

  /** One event of every kind, with every optional field present. */
  private static List<JournalEvent> everyKind() {
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("dir", "/opt/app");
    params.put("port", 8080);
    params.put("dry", true);
    return List.of(
        new JournalEvent.RunStarted(
            "r1",
            "app",
            "app:/opt/app",
            "/x/app.yaml",
            Map.of("/x/app.yaml", "abc"),
            "def",
            params,
            BY,
            Optional.of("stop")),
        new JournalEvent.Resumed(params, Map.of("/x/app.yaml", "abc"), BY),
        new JournalEvent.RollbackRequested(params, Map.of("/x/app.yaml", "abc"), BY),
        new JournalEvent.PreconditionsHeld(),
        new JournalEvent.PreconditionsUnmet(List.of("a (missing)", "b (closed)")),
        new JournalEvent.StepStarted("s", 2, false),
        new JournalEvent.StepSucceeded("s", 2, Map.of("v", "1.2", "n", 3), Optional.of("how")),
        new JournalEvent.StepSkipped("s", "when false"),
        new JournalEvent.StepFailed("s", "exit 1", false),
        new JournalEvent.StepAttemptFailed("s", 1, "exit 2", false),
        new JournalEvent.OperatorRetry("s"),
        new JournalEvent.Paused("s", "confirm"),
        new JournalEvent.Interrupted(Optional.of("s")),
        new JournalEvent.Errored(Optional.of("s"), "IllegalStateException: x"),
        new JournalEvent.Finished("rolled_back", "step `s` failed: exit 1", Optional.of("s")),
        new JournalEvent.RollbackStarted(),
        new JournalEvent.RolledBack(),
        new JournalEvent.RollbackIncomplete("s", "exit 9"),
        new JournalEvent.CompensationStarted("s", "undo"),
        new JournalEvent.CompensationFinished("s", "undo", true, true, "skipped: x", true),
        new JournalEvent.Irreversible("s", "forward only"),
        new JournalEvent.ContainerReplaced("s", new JSONObject().put("name", "app")),
        new JournalEvent.ProcessStarted(
            "s",
            Optional.of("undo"),
            77,
            Optional.of(Instant.parse("2026-01-02T03:04:05Z")),
            Optional.of("/run/user/0/runbook/p123")),
        new JournalEvent.ProcessStarted(
            "s", Optional.empty(), 78, Optional.empty(), Optional.empty()),
        new JournalEvent.AwaitingProcesses(Optional.of("s"), List.of(77L, 78L)),
        new JournalEvent.Unknown("from_a_newer_engine", new JSONObject().put("x", 1)));
  }

  @Test
  void everyKindOfEventIsCovered() {
    Set<Class<?>> covered = everyKind().stream().map(Object::getClass).collect(Collectors.toSet());
    assertThat(covered).containsExactlyInAnyOrder(JournalEvent.class.getPermittedSubclasses());
  }

  @Test
  void everyEventComesBackFromTheFileAsItWasWritten() {
    List<JournalEvent> written = everyKind();
    try (Journal journal = Journal.create(dir, Clock.systemUTC())) {
      written.forEach(journal::append);
    }
    List<JournalEvent> read =
        Journal.read(dir.resolve(Journal.FILE_NAME)).records().stream()
            .map(JournalRecord::event)
            .toList();

    assertThat(read).hasSameSizeAs(written);
    for (int i = 0; i < written.size(); i++) {
      JournalEvent w = written.get(i);
      JournalEvent r = read.get(i);
      assertThat(r.type()).isEqualTo(w.type());
      // JSONObject fields compare by content, the rest by record equality
      assertThat(JournalCodec.encode(r).similar(JournalCodec.encode(w)))
          .as("%s", Arrays.asList(w, r))
          .isTrue();
      if (!(w instanceof JournalEvent.ContainerReplaced) && !(w instanceof JournalEvent.Unknown)) {
        assertThat(r).isEqualTo(w);
      }
    }
  }

  @Test
  void aLineFromAnOlderEngineWithoutTheNewFieldsReadsAsTheirDefaults() {
    JournalRecord old =
        new JournalRecord(
            1, Instant.EPOCH, "step_failed", new JSONObject().put("step", "s").put("reason", "x"));
    assertThat(old.event()).isEqualTo(new JournalEvent.StepFailed("s", "x", true));
    JournalRecord started =
        new JournalRecord(2, Instant.EPOCH, "step_started", new JSONObject().put("step", "s"));
    assertThat(started.event()).isEqualTo(new JournalEvent.StepStarted("s", 1, true));
  }

  @Test
  void aRunStartedWithoutALockReadsAsLockingTheRunbooksNameAsThatEngineDid() {
    JournalRecord old =
        new JournalRecord(
            1,
            Instant.EPOCH,
            "run_started",
            new JSONObject().put("run_id", "r1").put("runbook", "app").put("file", "/x/app.yaml"));
    assertThat(((JournalEvent.RunStarted) old.event()).lock()).isEqualTo("app");
  }
}
