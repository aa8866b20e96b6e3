package dev.runbook.dsl;

import dev.runbook.dsl.internal.DidYouMean;
import dev.runbook.dsl.internal.ParamTypes;
import dev.runbook.dsl.model.Param;
import dev.runbook.dsl.model.Runbook;
import dev.runbook.dsl.model.SourceLocation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Resolves a runbook's parameters from their sources, in order of precedence: {@code -p
 * name=value}, {@code --params-file}, {@code RUNBOOK_PARAM_<NAME>}, then the default.
 */
public final class Parameters {
  private static final int MAX_PARAMS_FILE = 1 << 20;

  private Parameters() {}

  /** Where a value came from: shown by {@code plan}. */
  public enum Source {
    COMMAND_LINE,
    PARAMS_FILE,
    ENVIRONMENT,
    DEFAULT,
    PROMPT,
    /** A secret nobody gave yet: a plan shows it masked; a run asks for it. */
    NOT_GIVEN
  }

  /**
   * One resolved parameter.
   *
   * @param value a String, Long or Boolean, never null
   */
  public record Value(Param param, Object value, Source source) {
    public boolean secret() {
      return param.secret();
    }

    /**
     * The value as text, safe to print and to keep: {@code ***} when secret, and the password of a
     * URL in it masked ({@code postgres://app:***@host/db}).
     */
    public String display() {
      return param.secret() ? "***" : UrlCredentials.mask(String.valueOf(value));
    }

    /** True if the value is not secret but holds the password of a URL: it should be secret. */
    public boolean holdsCredential() {
      return !param.secret() && value instanceof String s && UrlCredentials.holdsPassword(s);
    }
  }

  /**
   * The outcome of resolution.
   *
   * @param values every parameter that got a value, in declaration order
   * @param missingSecrets required secrets without a value: a terminal may still prompt for them
   */
  public record Resolution(
      Map<String, Value> values, List<Param> missingSecrets, List<Problem> problems) {
    public Resolution {
      values = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
      missingSecrets = List.copyOf(missingSecrets);
      problems = List.copyOf(problems);
    }

    public boolean ok() {
      return problems.isEmpty() && missingSecrets.isEmpty();
    }

    /**
     * This resolution with every missing secret standing as an empty, masked value: for {@code
     * plan}, whose reviewers need not know the secrets.
     */
    public Resolution withSecretsNotGiven() {
      Map<String, Value> all = new LinkedHashMap<>(values);
      for (Param p : missingSecrets) {
        all.put(p.name(), new Value(p, "", Source.NOT_GIVEN));
      }
      return new Resolution(all, List.of(), problems);
    }
  }

  /**
   * Resolves every parameter of {@code runbook}.
   *
   * @param commandLine {@code -p} values by name, as given
   * @param paramsFile a YAML or JSON map of values; empty when none was given
   * @param environment the process environment, for {@code RUNBOOK_PARAM_<NAME>}
   */
  public static Resolution resolve(
      Runbook runbook,
      Map<String, String> commandLine,
      Optional<Path> paramsFile,
      Map<String, String> environment) {
    List<Problem> problems = new ArrayList<>();
    Map<String, String> fromFile = new LinkedHashMap<>();
    paramsFile.ifPresent(f -> readParamsFile(f, fromFile, problems));
    String runbookFile = runbook.file().toString();
    SourceLocation cli = SourceLocation.ofFile("command line");
    for (String name : commandLine.keySet()) {
      if (!runbook.params().containsKey(name)) {
        problems.add(unknownParam(name, runbook, cli, "-p " + name + "=…"));
      }
    }
    for (String name : fromFile.keySet()) {
      if (!runbook.params().containsKey(name)) {
        problems.add(
            unknownParam(
                name, runbook, SourceLocation.ofFile(paramsFile.orElseThrow().toString()), name));
      }
    }
    Map<String, Value> values = new LinkedHashMap<>();
    List<Param> missingSecrets = new ArrayList<>();
    for (Param param : runbook.params().values()) {
      String envName = "RUNBOOK_PARAM_" + param.name().toUpperCase(Locale.ROOT).replace('-', '_');
      String text;
      Source source;
      if (commandLine.containsKey(param.name())) {
        text = commandLine.get(param.name());
        source = Source.COMMAND_LINE;
      } else if (fromFile.containsKey(param.name())) {
        text = fromFile.get(param.name());
        source = Source.PARAMS_FILE;
      } else if (environment.containsKey(envName)) {
        text = environment.get(envName);
        source = Source.ENVIRONMENT;
      } else if (param.defaultValue().isPresent()) {
        text = param.defaultValue().get();
        source = Source.DEFAULT;
      } else {
        if (param.secret()) {
          missingSecrets.add(param);
        } else {
          problems.add(
              Problem.error(
                  "param.missing",
                  SourceLocation.ofFile(runbookFile),
                  "missing required parameter `"
                      + param.name()
                      + "`"
                      + param.description().map(d -> " (" + d + ")").orElse(""),
                  "give it with `-p "
                      + param.name()
                      + "=VALUE`, in a `--params-file`, or as "
                      + envName));
        }
        continue;
      }
      Optional<String> wrong = ParamTypes.check(param, text);
      if (wrong.isPresent()) {
        String message = wrong.get();
        problems.add(
            Problem.error(
                "param.type",
                SourceLocation.ofFile(runbookFile),
                "parameter `"
                    + param.name()
                    + "` ("
                    + param.type().name().toLowerCase(Locale.ROOT)
                    + ", from "
                    + describe(source)
                    + "): "
                    + message,
                null));
        continue;
      }
      values.put(param.name(), new Value(param, ParamTypes.convert(param, text), source));
    }
    return new Resolution(values, missingSecrets, problems);
  }

  /**
   * The warning for a parameter that is not secret but whose value (from {@code source}: "-p", "its
   * default", ...) holds the password of a URL: masked wherever it is shown or kept, but on the
   * engine's command line and in plain sight of whoever reads the runbook or the params.
   */
  public static Problem credentialWarning(Param param, String source) {
    return Problem.warning(
        "param.credential",
        param.location(),
        "parameter `"
            + param.name()
            + "` is not secret, but its value (from "
            + source
            + ") holds the password of a URL; the password is masked in output, journal and"
            + " plan",
        "declare it `secret: true`, or keep the password out of the URL (e.g. in PGPASSWORD or a"
            + " secret parameter read through `env:`)");
  }

  /**
   * The warnings about values given to {@code resolution}: each non-secret parameter whose value
   * holds the password of a URL. May be empty.
   */
  public static List<Problem> credentialWarnings(Resolution resolution) {
    List<Problem> warnings = new ArrayList<>();
    for (Value v : resolution.values().values()) {
      if (v.holdsCredential()) {
        warnings.add(credentialWarning(v.param(), describe(v.source())));
      }
    }
    return warnings;
  }

  /** Adds a value typed by the operator at a prompt (secrets) to a resolution. */
  public static Resolution withPrompted(Resolution resolution, Param param, String text) {
    Map<String, Value> values = new LinkedHashMap<>(resolution.values());
    List<Problem> problems = new ArrayList<>(resolution.problems());
    Optional<String> wrong = ParamTypes.check(param, text);
    if (wrong.isPresent()) {
      problems.add(
          Problem.error(
              "param.type",
              SourceLocation.ofFile("prompt"),
              "parameter `" + param.name() + "`: the value typed is not valid",
              null));
    } else {
      values.put(param.name(), new Value(param, ParamTypes.convert(param, text), Source.PROMPT));
    }
    List<Param> missing = new ArrayList<>(resolution.missingSecrets());
    missing.remove(param);
    return new Resolution(values, missing, problems);
  }

  private static String describe(Source source) {
    return switch (source) {
      case COMMAND_LINE -> "-p";
      case PARAMS_FILE -> "--params-file";
      case ENVIRONMENT -> "the environment";
      case DEFAULT -> "its default";
      case PROMPT -> "the prompt";
      case NOT_GIVEN -> "nowhere";
    };
  }

  private static Problem unknownParam(
      String name, Runbook runbook, SourceLocation at, String written) {
    List<String> close = DidYouMean.suggest(name, runbook.params().keySet());
    String hint =
        close.isEmpty()
            ? (runbook.params().isEmpty()
                ? "this runbook takes no parameters"
                : "its parameters: " + String.join(", ", runbook.params().keySet()))
            : "did you mean " + DidYouMean.quoteAll(close) + "?";
    return Problem.error(
        "param.unknown",
        at,
        "unknown parameter `" + name + "` (" + written + ") for runbook `" + runbook.name() + "`",
        hint);
  }

  private static void readParamsFile(Path file, Map<String, String> out, List<Problem> problems) {
    SourceLocation at = SourceLocation.ofFile(file.toString());
    try {
      String text =
          StandardCharsets.UTF_8
              .newDecoder()
              .decode(java.nio.ByteBuffer.wrap(CappedFile.read(file, MAX_PARAMS_FILE)))
              .toString();
      LoadSettings settings =
          LoadSettings.builder()
              .setLabel(file.toString())
              .setSchema(new CoreSchema())
              .setAllowDuplicateKeys(false)
              .setMaxAliasesForCollections(10)
              .build();
      Object loaded = new Load(settings).loadFromString(text);
      if (loaded == null) {
        return;
      }
      if (!(loaded instanceof Map<?, ?> map)) {
        problems.add(
            Problem.error(
                "params-file.shape",
                at,
                "the params file must be a map of parameter names to values",
                "e.g. `install_dir: /opt/app`"));
        return;
      }
      for (Map.Entry<?, ?> e : map.entrySet()) {
        Object v = e.getValue();
        if (v instanceof Map || v instanceof List) {
          problems.add(
              Problem.error(
                  "params-file.value",
                  at,
                  "parameter `" + e.getKey() + "` in the params file must be a single value"));
          continue;
        }
        out.put(String.valueOf(e.getKey()), v == null ? "" : String.valueOf(v));
      }
    } catch (java.nio.file.NoSuchFileException e) {
      problems.add(Problem.error("params-file.missing", at, "no such params file"));
    } catch (CappedFile.NotRegularFile e) {
      problems.add(
          Problem.error(
              "params-file.special",
              at,
              "the params file " + e.getReason(),
              "give a YAML or JSON file; values from a pipe can go through RUNBOOK_PARAM_*"));
    } catch (CappedFile.TooLarge e) {
      problems.add(Problem.error("params-file.size", at, "the params file " + e.getReason()));
    } catch (java.nio.charset.CharacterCodingException e) {
      problems.add(
          Problem.error(
              "params-file.binary",
              at,
              "the params file is not UTF-8 text",
              "a params file is a YAML or JSON map in UTF-8"));
    } catch (java.nio.file.AccessDeniedException e) {
      problems.add(
          Problem.error("params-file.read", at, "cannot read the params file: permission denied"));
    } catch (IOException e) {
      problems.add(
          Problem.error("params-file.read", at, "cannot read the params file: " + e.getMessage()));
    } catch (MarkedYamlEngineException e) {
      // Only the problem and where it is: the parser's own message quotes the file's lines,
      // and those hold the values, secrets among them.
      SourceLocation where =
          e.getProblemMark()
              .map(m -> new SourceLocation(file.toString(), m.getLine() + 1, m.getColumn() + 1))
              .orElse(at);
      problems.add(
          Problem.error(
              "params-file.syntax",
              where,
              "the params file is not valid YAML or JSON: " + e.getProblem(),
              "its lines are not quoted here, as they may hold secrets"));
    } catch (YamlEngineException e) {
      problems.add(
          Problem.error(
              "params-file.syntax",
              at,
              "the params file is not valid YAML or JSON",
              "its lines are not quoted here, as they may hold secrets"));
    }
  }
}
