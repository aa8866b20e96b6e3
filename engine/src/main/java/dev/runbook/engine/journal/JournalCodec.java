package dev.runbook.engine.journal;

import dev.runbook.engine.journal.JournalEvent.AwaitingProcesses;
import dev.runbook.engine.journal.JournalEvent.CompensationFinished;
import dev.runbook.engine.journal.JournalEvent.CompensationStarted;
import dev.runbook.engine.journal.JournalEvent.ContainerReplaced;
import dev.runbook.engine.journal.JournalEvent.Errored;
import dev.runbook.engine.journal.JournalEvent.Finished;
import dev.runbook.engine.journal.JournalEvent.Interrupted;
import dev.runbook.engine.journal.JournalEvent.Invocation;
import dev.runbook.engine.journal.JournalEvent.Irreversible;
import dev.runbook.engine.journal.JournalEvent.OperatorRetry;
import dev.runbook.engine.journal.JournalEvent.Paused;
import dev.runbook.engine.journal.JournalEvent.PreconditionsHeld;
import dev.runbook.engine.journal.JournalEvent.PreconditionsUnmet;
import dev.runbook.engine.journal.JournalEvent.ProcessStarted;
import dev.runbook.engine.journal.JournalEvent.Resumed;
import dev.runbook.engine.journal.JournalEvent.RollbackIncomplete;
import dev.runbook.engine.journal.JournalEvent.RollbackRequested;
import dev.runbook.engine.journal.JournalEvent.RollbackStarted;
import dev.runbook.engine.journal.JournalEvent.RolledBack;
import dev.runbook.engine.journal.JournalEvent.RunStarted;
import dev.runbook.engine.journal.JournalEvent.StepAttemptFailed;
import dev.runbook.engine.journal.JournalEvent.StepFailed;
import dev.runbook.engine.journal.JournalEvent.StepSkipped;
import dev.runbook.engine.journal.JournalEvent.StepStarted;
import dev.runbook.engine.journal.JournalEvent.StepSucceeded;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.json.JSONArray;
import org.json.JSONObject;

/**
 * The one translation between {@link JournalEvent}s and the fields of a journal line. Decoding is
 * lenient about what a line lacks (a field an older engine did not write reads as its default) so
 * that every journal this engine can append to, it can also read.
 */
public final class JournalCodec {
  private JournalCodec() {}

  /** The fields of {@code event}'s line besides seq, ts, type and crc. */
  public static JSONObject encode(JournalEvent event) {
    JSONObject o = new JSONObject();
    if (event instanceof RunStarted e) {
      e.onFailure().ifPresent(p -> o.put("on_failure", p));
      o.put("run_id", e.runId())
          .put("runbook", e.runbook())
          .put("lock", e.lock())
          .put("file", e.file())
          .put("digest", new JSONObject(e.digests()))
          .put("params_digest", e.paramsDigest())
          .put("params", new JSONObject(e.params()));
      invocation(o, e.by());
    } else if (event instanceof Resumed e) {
      continuation(o, e.params(), e.digests(), e.by());
    } else if (event instanceof RollbackRequested e) {
      continuation(o, e.params(), e.digests(), e.by());
    } else if (event instanceof PreconditionsUnmet e) {
      o.put("unmet", new JSONArray(e.unmet()));
    } else if (event instanceof StepStarted e) {
      o.put("step", e.step()).put("attempt", e.attempt());
      if (!e.checkpoint()) {
        o.put("checkpoint", false);
      }
    } else if (event instanceof StepSucceeded e) {
      o.put("step", e.step());
      if (e.attempt() > 0) {
        o.put("attempt", e.attempt());
      }
      e.recovered().ifPresent(r -> o.put("recovered", r));
      o.put("outputs", new JSONObject(e.outputs()));
    } else if (event instanceof StepSkipped e) {
      o.put("step", e.step()).put("reason", e.reason());
    } else if (event instanceof StepFailed e) {
      o.put("step", e.step()).put("reason", e.reason());
      if (!e.actionStarted()) {
        o.put("action_started", false);
      }
    } else if (event instanceof StepAttemptFailed e) {
      o.put("step", e.step()).put("attempt", e.attempt()).put("reason", e.reason());
      if (!e.actionStarted()) {
        o.put("action_started", false);
      }
    } else if (event instanceof OperatorRetry e) {
      o.put("step", e.step());
    } else if (event instanceof Paused e) {
      o.put("step", e.step()).put("reason", e.reason());
    } else if (event instanceof Interrupted e) {
      o.put("step", e.step().map(Object.class::cast).orElse(JSONObject.NULL));
    } else if (event instanceof Errored e) {
      e.step().ifPresent(s -> o.put("step", s));
      o.put("cause", e.cause());
    } else if (event instanceof JournalEvent.Finished e) {
      o.put("status", e.status()).put("reason", e.reason());
      e.failedStep().ifPresent(s -> o.put("failed_step", s));
    } else if (event instanceof RollbackIncomplete e) {
      o.put("step", e.step()).put("reason", e.reason());
    } else if (event instanceof CompensationStarted e) {
      o.put("step", e.step()).put("compensation", e.compensation());
    } else if (event instanceof CompensationFinished e) {
      o.put("step", e.step())
          .put("compensation", e.compensation())
          .put("ok", e.ok())
          .put("skipped", e.skipped())
          .put("reason", e.reason());
      if (e.recovered()) {
        o.put("recovered", true);
      }
    } else if (event instanceof Irreversible e) {
      o.put("step", e.step()).put("reason", e.reason());
    } else if (event instanceof ContainerReplaced e) {
      o.put("step", e.step()).put("container", e.container());
    } else if (event instanceof ProcessStarted e) {
      o.put("step", e.step()).put("pid", e.pid());
      e.compensation().ifPresent(c -> o.put("compensation", c));
      e.start().ifPresent(t -> o.put("start", t.toString()));
      e.output().ifPresent(d -> o.put("output", d));
    } else if (event instanceof AwaitingProcesses e) {
      e.step().ifPresent(s -> o.put("step", s));
      o.put("pids", new JSONArray(e.pids()));
    } else if (event instanceof JournalEvent.Unknown e) {
      return new JSONObject(e.data().toMap());
    }
    // PreconditionsHeld, RollbackStarted, RolledBack: no fields
    return o;
  }

  /** The event a journal line records; {@link JournalEvent.Unknown} for a type it does not know. */
  public static JournalEvent decode(JournalRecord record) {
    JSONObject d = record.data();
    return switch (record.type()) {
      case "run_started" ->
          new RunStarted(
              d.optString("run_id"),
              d.optString("runbook"),
              d.optString("lock", d.optString("runbook")),
              d.optString("file"),
              strings(d.optJSONObject("digest")),
              d.optString("params_digest"),
              objects(d.optJSONObject("params")),
              invocation(d),
              text(d, "on_failure"));
      case "resumed" ->
          new Resumed(
              objects(d.optJSONObject("params")),
              strings(d.optJSONObject("digest")),
              invocation(d));
      case "rollback_requested" ->
          new RollbackRequested(
              objects(d.optJSONObject("params")),
              strings(d.optJSONObject("digest")),
              invocation(d));
      case "preconditions_held" -> new PreconditionsHeld();
      case "preconditions_unmet" -> new PreconditionsUnmet(stringList(d.optJSONArray("unmet")));
      case "step_started" ->
          new StepStarted(
              d.optString("step"), d.optInt("attempt", 1), d.optBoolean("checkpoint", true));
      case "step_succeeded" ->
          new StepSucceeded(
              d.optString("step"),
              d.optInt("attempt", 0),
              objects(d.optJSONObject("outputs")),
              text(d, "recovered"));
      case "step_skipped" -> new StepSkipped(d.optString("step"), d.optString("reason"));
      case "step_failed" ->
          new StepFailed(
              d.optString("step"), d.optString("reason"), d.optBoolean("action_started", true));
      case "step_attempt_failed" ->
          new StepAttemptFailed(
              d.optString("step"),
              d.optInt("attempt", 1),
              d.optString("reason"),
              d.optBoolean("action_started", true));
      case "operator_retry" -> new OperatorRetry(d.optString("step"));
      case "paused" -> new Paused(d.optString("step"), d.optString("reason"));
      case "interrupted" -> new Interrupted(text(d, "step"));
      case "errored" -> new Errored(text(d, "step"), d.optString("cause"));
      case "finished" ->
          new Finished(
              d.optString("status", "finished"), d.optString("reason"), text(d, "failed_step"));
      case "rollback_started" -> new RollbackStarted();
      case "rolled_back" -> new RolledBack();
      case "rollback_incomplete" ->
          new RollbackIncomplete(d.optString("step"), d.optString("reason"));
      case "compensation_started" ->
          new CompensationStarted(d.optString("step"), d.optString("compensation"));
      case "compensation_finished" ->
          new CompensationFinished(
              d.optString("step"),
              d.optString("compensation"),
              d.optBoolean("ok"),
              d.optBoolean("skipped"),
              d.optString("reason"),
              d.has("recovered"));
      case "irreversible" -> new Irreversible(d.optString("step"), d.optString("reason"));
      case "container_replaced" ->
          new ContainerReplaced(
              d.optString("step"),
              Optional.ofNullable(d.optJSONObject("container")).orElse(new JSONObject()));
      case "process_started" ->
          new ProcessStarted(
              d.optString("step"),
              text(d, "compensation"),
              d.optLong("pid"),
              text(d, "start").flatMap(JournalCodec::instant),
              text(d, "output"));
      case "awaiting_processes" -> new AwaitingProcesses(text(d, "step"), longs(d));
      default -> new JournalEvent.Unknown(record.type(), d);
    };
  }

  private static void continuation(
      JSONObject o, Map<String, Object> params, Map<String, String> digests, Invocation by) {
    o.put("params", new JSONObject(params)).put("digest", new JSONObject(digests));
    invocation(o, by);
  }

  private static void invocation(JSONObject o, Invocation by) {
    o.put("user", by.user())
        .put("host", by.host())
        .put("pid", by.pid())
        .put("engine_version", by.engineVersion());
  }

  private static Invocation invocation(JSONObject d) {
    return new Invocation(
        d.optString("user"), d.optString("host"), d.optLong("pid"), d.optString("engine_version"));
  }

  private static Optional<String> text(JSONObject d, String name) {
    Object v = d.opt(name);
    return v == null || v == JSONObject.NULL ? Optional.empty() : Optional.of(String.valueOf(v));
  }

  private static Map<String, String> strings(JSONObject o) {
    Map<String, String> map = new LinkedHashMap<>();
    if (o != null) {
      o.keySet().forEach(k -> map.put(k, String.valueOf(o.get(k))));
    }
    return map;
  }

  private static Map<String, Object> objects(JSONObject o) {
    Map<String, Object> map = new LinkedHashMap<>();
    if (o != null) {
      for (String k : o.keySet()) {
        Object v = o.get(k);
        map.put(k, v == JSONObject.NULL ? "" : v);
      }
    }
    return map;
  }

  private static List<String> stringList(JSONArray a) {
    List<String> list = new ArrayList<>();
    if (a != null) {
      a.forEach(v -> list.add(String.valueOf(v)));
    }
    return list;
  }

  private static List<Long> longs(JSONObject d) {
    List<Long> list = new ArrayList<>();
    JSONArray a = d.optJSONArray("pids");
    if (a != null) {
      for (int i = 0; i < a.length(); i++) {
        list.add(a.optLong(i));
      }
    }
    return list;
  }

  private static Optional<Instant> instant(String text) {
    try {
      return Optional.of(Instant.parse(text));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
