package dev.runbook.cli;

import dev.runbook.engine.journal.Journal;
import dev.runbook.engine.journal.RunFold;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A test's temporary directory: the runbooks it writes, the files its steps touch, and the state
 * directory every {@code run} and {@code plan} is pointed at. Nothing outside it is touched.
 */
final class Workspace {
  private static final Pattern RUN_DIR = Pattern.compile("\\(logs in (.+)\\)$", Pattern.MULTILINE);

  final Path dir;
  final Path stateDir;

  Workspace(Path dir) {
    this.dir = dir;
    this.stateDir = dir.resolve("state");
  }

  /** Writes {@code text} to {@code name} (relative to the workspace), creating its parents. */
  Path write(String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    return Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  String read(String name) throws IOException {
    return Files.readString(dir.resolve(name), StandardCharsets.UTF_8);
  }

  boolean exists(String name) {
    return Files.exists(dir.resolve(name));
  }

  Path path(String name) {
    return dir.resolve(name);
  }

  /**
   * Starts a background process that creates {@code target} a moment after {@code trigger} appears
   * (a step creates the trigger just before the step that waits): so the target appears only once
   * the run is waiting for it.
   */
  Process touchLater(String trigger, String target) throws IOException {
    return new ProcessBuilder(
            "sh",
            "-c",
            "until [ -e \"$1\" ]; do sleep 0.05; done; sleep 0.3; touch \"$2\"",
            "touch-later",
            trigger,
            target)
        .directory(dir.toFile())
        .start();
  }

  /** {@code runbook run FILE --state-dir STATE ARGS…}, in the workspace. */
  CliProcess.Result run(String runbook, String... args) throws IOException, InterruptedException {
    return command(Map.of(), "run", runbook, args);
  }

  /** {@code runbook plan FILE --state-dir STATE ARGS…}, in the workspace. */
  CliProcess.Result plan(String runbook, String... args) throws IOException, InterruptedException {
    return command(Map.of(), "plan", runbook, args);
  }

  CliProcess.Result command(Map<String, String> env, String command, String runbook, String... args)
      throws IOException, InterruptedException {
    List<String> argv =
        new ArrayList<>(List.of(command, runbook, "--state-dir", stateDir.toString()));
    argv.addAll(List.of(args));
    return CliProcess.run(dir, env, argv.toArray(String[]::new));
  }

  /** The run directory that a plain-format {@code run} announced on its first line. */
  static Path runDir(CliProcess.Result result) {
    Matcher m = RUN_DIR.matcher(result.stdout());
    if (!m.find()) {
      throw new AssertionError("no run started:\n" + result.stdout() + result.stderr());
    }
    return Path.of(m.group(1));
  }

  /** The journal of the run that {@code result} announced, folded. */
  static RunFold journal(CliProcess.Result result) {
    return RunFold.of(Journal.read(runDir(result).resolve(Journal.FILE_NAME)).records());
  }

  /** For assertion messages: what the run printed. */
  static String describe(CliProcess.Result result) {
    return "exit "
        + result.exitCode()
        + "\nstdout:\n"
        + result.stdout()
        + "stderr:\n"
        + result.stderr();
  }
}
