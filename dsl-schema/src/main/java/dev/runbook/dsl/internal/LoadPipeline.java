package dev.runbook.dsl.internal;

import dev.runbook.dsl.CappedFile;
import dev.runbook.dsl.LoadResult;
import dev.runbook.dsl.Problem;
import dev.runbook.dsl.RunbookLoader;
import dev.runbook.dsl.model.Action;
import dev.runbook.dsl.model.Param;
import dev.runbook.dsl.model.Runbook;
import dev.runbook.dsl.model.SourceLocation;
import dev.runbook.dsl.model.Step;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.json.JSONObject;

/** Runs the loader's stages over a runbook and every runbook it calls. */
public final class LoadPipeline {
  private final Map<Path, Runbook> loaded = new LinkedHashMap<>();
  private final List<Problem> problems = new ArrayList<>();
  private final Deque<Path> callStack = new ArrayDeque<>();

  /** The call, in the file being validated, that the calls now being followed started from. */
  private SourceLocation rootCall;

  /** Where each runbook's text is read from when that is not the runbook's own path. */
  private final Map<Path, Path> textOf = new LinkedHashMap<>();

  private LoadPipeline() {}

  private static final AtomicBoolean PREPARING = new AtomicBoolean();

  /**
   * Loads the JSON Schema's validator and sets up the expression engine on a daemon thread, once
   * per JVM. Both are initialized once, by whichever thread comes first (a class's static
   * initialization), so a load that starts before they are ready waits for them, and one that
   * starts after finds them done. A failure here is left to that load to meet and report.
   */
  public static void prepareInBackground() {
    if (!PREPARING.compareAndSet(false, true)) {
      return;
    }
    Thread thread =
        new Thread(
            () -> {
              try {
                SchemaValidation.prepare();
                ExpressionSupport.prepare();
              } catch (RuntimeException | LinkageError e) {
                // met again, and reported, by the load that needs them
              }
            },
            "runbook-loader-prepare");
    thread.setDaemon(true);
    thread.start();
  }

  public static LoadResult load(Path file, String displayName) {
    return load(file, file, displayName);
  }

  /**
   * Loads the text of {@code copy} as the runbook at {@code file}: relative calls resolve, and the
   * model's paths read, as for {@code file} itself.
   */
  public static LoadResult load(Path copy, Path file, String displayName) {
    LoadPipeline pipeline = new LoadPipeline();
    Path normalized = file.toAbsolutePath().normalize();
    pipeline.textOf.put(normalized, copy);
    Optional<Runbook> runbook = pipeline.loadOne(normalized, displayName);
    Map<Path, Runbook> called = new LinkedHashMap<>(pipeline.loaded);
    called.remove(normalized);
    boolean errors = pipeline.problems.stream().anyMatch(Problem::isError);
    return new LoadResult(errors ? Optional.empty() : runbook, called, pipeline.problems);
  }

  private Optional<Runbook> loadOne(Path file, String displayName) {
    Optional<String> text = read(textOf.getOrDefault(file, file), displayName);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    List<Problem> local = new ArrayList<>();
    Optional<PositionedJson> json = YamlToJson.read(displayName, text.get(), local);
    if (json.isEmpty()) {
      problems.addAll(local);
      return Optional.empty();
    }
    if (!(json.get().root() instanceof JSONObject)) {
      problems.add(
          Problem.error(
              "yaml.not-a-map",
              new SourceLocation(displayName, 1, 1),
              "a runbook is a map of keys (`schema:`, `name:`, `steps:`), not "
                  + (json.get().root() instanceof org.json.JSONArray ? "a list" : "a single value"),
              "start with `schema: runbook/v1`"));
      return Optional.empty();
    }
    // Schema validation and binding only read the JSON, and neither needs the other's problems:
    // the validation runs on another thread, beside the binding and the semantic checks (on a
    // runbook of thousands of steps each takes about as long as the other two together).
    PositionedJson document = json.get();
    CompletableFuture<List<Problem>> schema =
        CompletableFuture.supplyAsync(() -> SchemaValidation.validate(document));
    List<Problem> model = new ArrayList<>();
    ExpressionSupport expressions = new ExpressionSupport();
    Optional<Runbook> runbook = new ModelBinder(document, file, expressions, model).bind();
    runbook.ifPresent(r -> SemanticChecks.check(r, expressions::references, model));
    local.addAll(joined(schema));
    local.addAll(model);
    problems.addAll(local);
    if (runbook.isEmpty()) {
      return Optional.empty();
    }
    loaded.put(file, runbook.get());
    callStack.push(file);
    checkCalls(runbook.get(), displayName);
    callStack.pop();
    return runbook;
  }

  /** The value of {@code future}, or what it threw, as it threw it. */
  private static <T> T joined(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw e;
    }
  }

  private void checkCalls(Runbook runbook, String displayName) {
    List<Step> all = new ArrayList<>();
    collect(runbook.steps(), all);
    collect(runbook.finallySteps(), all);
    for (Step step : all) {
      if (!(step.action() instanceof Action.Call call)) {
        continue;
      }
      if (callStack.size() == 1) {
        rootCall = call.location();
      }
      Path target = call.target();
      if (callStack.contains(target)) {
        List<String> cycle = new ArrayList<>();
        List<Path> stack = new ArrayList<>(callStack);
        java.util.Collections.reverse(stack);
        for (Path p : stack.subList(stack.indexOf(target), stack.size())) {
          cycle.add(p.getFileName().toString());
        }
        cycle.add(target.getFileName().toString());
        // shown at the call in the file being validated, which the operator is looking at; the
        // message names the call that closes the cycle when that is in another file
        boolean here = callStack.size() == 1;
        problems.add(
            Problem.error(
                "call.cycle",
                here ? call.location() : rootCall,
                "call cycle: "
                    + String.join(" → ", cycle)
                    + (here ? "" : " (closed by the call at " + call.location() + ")"),
                "a runbook cannot call itself, directly or through others"));
        continue;
      }
      Runbook callee = loaded.get(target);
      if (callee == null) {
        if (!Files.isRegularFile(target)) {
          problems.add(
              Problem.error(
                  "call.missing",
                  call.location(),
                  "called runbook `" + call.runbook() + "` not found",
                  "the path is relative to " + displayName));
          continue;
        }
        callee = loadOne(target, relativeName(displayName, call.runbook())).orElse(null);
        if (callee == null) {
          continue;
        }
      }
      for (String given : call.params().keySet()) {
        if (!callee.params().containsKey(given)) {
          List<String> close = DidYouMean.suggest(given, callee.params().keySet());
          problems.add(
              Problem.error(
                  "call.unknown-param",
                  call.location(),
                  "`" + call.runbook() + "` has no parameter `" + given + "`",
                  close.isEmpty() ? null : "did you mean " + DidYouMean.quoteAll(close) + "?"));
        }
      }
      for (Param param : callee.params().values()) {
        if (param.required() && !call.params().containsKey(param.name()) && !param.secret()) {
          problems.add(
              Problem.error(
                  "call.missing-param",
                  call.location(),
                  "call of `"
                      + call.runbook()
                      + "` misses its required parameter `"
                      + param.name()
                      + "`",
                  "add it under `params:`"));
        }
      }
    }
  }

  private static String relativeName(String callerDisplay, String target) {
    Path parent = Path.of(callerDisplay).getParent();
    return parent == null ? target : parent.resolve(target).normalize().toString();
  }

  private static void collect(List<Step> steps, List<Step> out) {
    for (Step step : steps) {
      out.add(step);
      collect(step.compensate(), out);
    }
  }

  private Optional<String> read(Path file, String displayName) {
    SourceLocation at = SourceLocation.ofFile(displayName);
    // what is wrong with the text itself is shown at its first line, like any other problem in it
    SourceLocation firstLine = new SourceLocation(displayName, 1, 1);
    try {
      if (Files.isDirectory(file)) {
        problems.add(Problem.error("file.directory", at, "is a directory, not a runbook file"));
        return Optional.empty();
      }
      byte[] bytes = CappedFile.read(file, RunbookLoader.MAX_FILE_SIZE);
      for (int i = 0; i < bytes.length; i++) {
        if (bytes[i] == 0) {
          problems.add(binary(firstLine));
          return Optional.empty();
        }
      }
      String text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
      if (text.startsWith("\uFEFF")) {
        text = text.substring(1);
      }
      if (text.isBlank()) {
        problems.add(
            Problem.error(
                "yaml.empty",
                firstLine,
                "the file is empty",
                "a runbook starts with `schema: runbook/v1`, `name:` and `steps:`"));
        return Optional.empty();
      }
      return Optional.of(text);
    } catch (NoSuchFileException e) {
      problems.add(Problem.error("file.missing", at, "no such file"));
    } catch (AccessDeniedException e) {
      problems.add(Problem.error("file.access", at, "permission denied"));
    } catch (CappedFile.NotRegularFile e) {
      problems.add(
          Problem.error(
              "file.special",
              at,
              e.getReason(),
              "a runbook is a YAML file; a device or a pipe cannot be read as one"));
    } catch (CappedFile.TooLarge e) {
      problems.add(
          Problem.error(
              "file.too-large",
              at,
              "the file " + e.getReason() + " for a runbook",
              "is this the right file? split a very large runbook with `call`"));
    } catch (CharacterCodingException e) {
      problems.add(binary(firstLine));
    } catch (IOException e) {
      problems.add(Problem.error("file.read", at, "cannot read the file: " + e.getMessage()));
    }
    return Optional.empty();
  }

  private static Problem binary(SourceLocation at) {
    return Problem.error(
        "file.binary",
        at,
        "not a text file (it holds bytes that are not UTF-8 text)",
        "runbooks are YAML files in UTF-8");
  }
}
