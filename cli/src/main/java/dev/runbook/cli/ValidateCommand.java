package dev.runbook.cli;

import dev.runbook.dsl.LoadResult;
import dev.runbook.dsl.Problem;
import dev.runbook.dsl.RunbookLoader;
import dev.runbook.engine.ErrorCode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.json.JSONArray;
import org.json.JSONObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code runbook validate FILE…}: schema and semantic checks, every problem at once. */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = "Check runbooks against the schema and the semantic rules.",
    footer = {
      "",
      "Exit codes: 0 all valid, 2 a problem was found.",
      "",
      "Example:",
      "  runbook validate runbooks/seqdesk/rollback.yaml"
    })
final class ValidateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "Runbook files.")
  List<Path> files = new ArrayList<>();

  @Option(
      names = "--format",
      defaultValue = "text",
      description = "Output: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  OutputFormat format;

  @Option(names = "--strict", description = "Treat warnings as errors.")
  boolean strict;

  enum OutputFormat {
    text,
    json
  }

  @Override
  public Integer call() {
    RunbookLoader loader = new RunbookLoader();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    boolean valid = true;
    JSONArray results = new JSONArray();
    for (Path file : files) {
      LoadResult result = loader.load(file, file.toString());
      boolean fileValid = !result.hasErrors() && !(strict && result.hasWarnings());
      valid &= fileValid;
      if (format == OutputFormat.json) {
        results.put(
            new JSONObject()
                .put("file", file.toString())
                .put("valid", fileValid)
                .put("problems", ProblemRenderer.json(result.problems())));
      } else {
        ProblemRenderer.text(result.problems(), err);
        if (fileValid) {
          String name = result.runbook().map(r -> r.name()).orElse("");
          int steps = result.runbook().map(r -> r.steps().size()).orElse(0);
          out.println(
              file
                  + ": valid (runbook `"
                  + name
                  + "`, "
                  + steps
                  + (steps == 1 ? " step" : " steps")
                  + warnings(result.problems())
                  + ")");
        }
      }
    }
    if (format == OutputFormat.json) {
      out.println(new JSONObject().put("valid", valid).put("files", results).toString(2));
    }
    out.flush();
    err.flush();
    return valid ? 0 : ErrorCode.INVALID_INPUT.exitCode();
  }

  private static String warnings(List<Problem> problems) {
    long n = problems.stream().filter(p -> !p.isError()).count();
    return n == 0 ? "" : ", " + n + (n == 1 ? " warning" : " warnings");
  }
}
