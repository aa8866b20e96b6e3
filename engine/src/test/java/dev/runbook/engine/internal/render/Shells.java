package dev.runbook.engine.internal.render;

import dev.runbook.dsl.expr.ExpressionLanguage;
import dev.runbook.dsl.model.SourceLocation;
import dev.runbook.dsl.model.Template;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs real shells and programs for the render tests, with a controlled environment. */
final class Shells {
  static final SourceLocation AT = new SourceLocation("rb.yaml", 7, 10);

  private Shells() {}

  static Template template(String text) {
    return ExpressionLanguage.standard().parseTemplate(text, AT);
  }

  /** The POSIX shells to test with: /bin/sh, and bash where it is installed. */
  static List<List<String>> posixShells() {
    List<List<String>> shells = new ArrayList<>();
    shells.add(List.of("/bin/sh", "-e", "-c"));
    for (String bash : List.of("/bin/bash", "/usr/bin/bash")) {
      if (Files.isExecutable(Path.of(bash))) {
        shells.add(List.of(bash, "--noprofile", "--norc", "-e", "-o", "pipefail", "-c"));
        break;
      }
    }
    return shells;
  }

  /** Runs {@code script} with {@code shell} as ShellScript would, in {@code dir}. */
  static int runScript(List<String> shell, RenderedScript script, Path dir, Map<String, String> env)
      throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>(shell);
    argv.add(script.script());
    Map<String, String> environment = new HashMap<>(env);
    environment.putAll(script.environment());
    return run(argv, dir, environment);
  }

  /**
   * Runs {@code argv} in {@code dir} with only {@code PATH}, a fixed {@code HOME} and {@code env}
   * in its environment; stdout and stderr go to files beside {@code dir}.
   */
  static int run(List<String> argv, Path dir, Map<String, String> env)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(argv).directory(dir.toFile());
    builder.environment().clear();
    builder.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    builder.environment().put("HOME", "/nonexistent-home");
    builder.environment().putAll(env);
    builder.redirectOutput(dir.resolveSibling(dir.getFileName() + ".stdout").toFile());
    builder.redirectError(dir.resolveSibling(dir.getFileName() + ".stderr").toFile());
    Process process = builder.start();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("timed out: " + argv);
    }
    return process.exitValue();
  }

  static String stderr(Path dir) throws IOException {
    return Files.readString(dir.resolveSibling(dir.getFileName() + ".stderr"));
  }

  static String stdout(Path dir) throws IOException {
    return Files.readString(dir.resolveSibling(dir.getFileName() + ".stdout"));
  }
}
