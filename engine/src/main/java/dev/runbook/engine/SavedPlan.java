package dev.runbook.engine;

import dev.runbook.dsl.CappedFile;
import dev.runbook.dsl.Parameters;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.json.JSONException;
import org.json.JSONObject;

/**
 * A plan saved by {@code plan -o PLAN}: the runbook it was made from, the non-secret parameter
 * values, and the digests of both. {@code run --plan PLAN} rebuilds the same plan from them and
 * refuses to run when a runbook or a parameter changed since. Secrets are never saved: they are
 * supplied again at run time.
 *
 * @param runbook the main runbook, absolute
 * @param params non-secret parameter values as text, by name
 * @param digest what the plan was made from
 */
public record SavedPlan(Path runbook, Map<String, String> params, PlanDigest digest) {
  public static final String FORMAT = "runbook-plan/1";

  /** A saved plan holds digests and parameter values: far less than this. */
  static final long MAX_SIZE = 16L * 1024 * 1024;

  public SavedPlan {
    params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
  }

  public static SavedPlan of(Plan plan) {
    Map<String, String> params = new LinkedHashMap<>();
    for (Parameters.Value v : plan.params().values()) {
      if (!v.secret()) {
        params.put(v.param().name(), v.display());
      }
    }
    return new SavedPlan(plan.runbook().file(), params, plan.digest());
  }

  /** Writes the plan file atomically, readable by its owner only. */
  public void write(Path file) {
    JSONObject json =
        new JSONObject()
            .put("format", FORMAT)
            .put("runbook", runbook.toString())
            .put("params", new JSONObject(params))
            .put(
                "digest",
                new JSONObject()
                    .put("runbooks", new JSONObject(digest.runbooks()))
                    .put("params", digest.params()));
    try {
      Path absolute = file.toAbsolutePath();
      Path temp =
          Files.createTempFile(
              absolute.getParent(),
              "." + absolute.getFileName(),
              ".tmp",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(temp, json.toString(2) + "\n", StandardCharsets.UTF_8);
      Files.move(
          temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new RunbookException(
          ErrorCode.INVALID_INPUT, "cannot write the plan to " + file + ": " + e.getMessage());
    }
  }

  public static SavedPlan read(Path file) {
    try {
      JSONObject json =
          new JSONObject(
              StandardCharsets.UTF_8
                  .newDecoder()
                  .decode(ByteBuffer.wrap(CappedFile.read(file, MAX_SIZE)))
                  .toString());
      if (!FORMAT.equals(json.optString("format"))) {
        throw new RunbookException(
            ErrorCode.INVALID_INPUT,
            file + " is not a saved plan (format `" + json.optString("format") + "`)",
            "make one with `runbook plan FILE -o " + file + "`");
      }
      Map<String, String> params = new LinkedHashMap<>();
      JSONObject p = json.getJSONObject("params");
      for (String k : new TreeSet<>(p.keySet())) {
        params.put(k, p.get(k).toString());
      }
      JSONObject d = json.getJSONObject("digest");
      Map<String, String> runbooks = new LinkedHashMap<>();
      JSONObject r = d.getJSONObject("runbooks");
      for (String k : new TreeSet<>(r.keySet())) {
        runbooks.put(k, r.getString(k));
      }
      return new SavedPlan(
          Path.of(json.getString("runbook")),
          params,
          new PlanDigest(runbooks, d.getString("params")));
    } catch (CharacterCodingException e) {
      throw new RunbookException(
          ErrorCode.INVALID_INPUT,
          file + " is not a saved plan: it is not UTF-8 text",
          "make one with `runbook plan FILE -o " + file + "`");
    } catch (IOException e) {
      throw new RunbookException(
          ErrorCode.INVALID_INPUT, "cannot read the plan " + IoProblems.describe(file, e));
    } catch (JSONException | InvalidPathException e) {
      throw new RunbookException(
          ErrorCode.INVALID_INPUT, file + " is not a saved plan: " + e.getMessage());
    }
  }

  /**
   * What differs between this saved plan and {@code current} (rebuilt now from the same inputs),
   * one line each; empty when they are the same.
   */
  public List<String> changesSince(Plan current) {
    List<String> changes = new ArrayList<>();
    Map<String, String> now = current.digest().runbooks();
    for (Map.Entry<String, String> e : digest.runbooks().entrySet()) {
      String was = e.getValue();
      String is = now.get(e.getKey());
      if (is == null) {
        changes.add("runbook " + e.getKey() + " is no longer called");
      } else if (!is.equals(was)) {
        changes.add("runbook " + e.getKey() + " changed since the plan was made");
      }
    }
    for (String path : now.keySet()) {
      if (!digest.runbooks().containsKey(path)) {
        changes.add("runbook " + path + " is now called but was not planned");
      }
    }
    if (!digest.params().equals(current.digest().params())) {
      SavedPlan again = of(current);
      for (String name : new TreeSet<>(union(params.keySet(), again.params().keySet()))) {
        String was = params.get(name);
        String is = again.params().get(name);
        if (was == null || !was.equals(is)) {
          changes.add("parameter `" + name + "` was " + show(was) + ", is now " + show(is));
        }
      }
      if (changes.isEmpty()) {
        changes.add("the parameters changed since the plan was made");
      }
    }
    return changes;
  }

  private static java.util.Set<String> union(java.util.Set<String> a, java.util.Set<String> b) {
    java.util.Set<String> all = new java.util.HashSet<>(a);
    all.addAll(b);
    return all;
  }

  private static String show(String value) {
    return value == null ? "not set" : "`" + value + "`";
  }
}
