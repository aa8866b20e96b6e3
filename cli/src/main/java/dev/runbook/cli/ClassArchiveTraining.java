package dev.runbook.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The build's training run for the CLI's class-data sharing archive; not a command.
 *
 * <p>The build runs it once, on the packaged jar, under {@code -XX:ArchiveClassesAtExit}: the JVM
 * then archives every class these commands loaded (YAML, schema, expressions, planning, processes,
 * the journal), and {@code bin/runbook} maps them at start instead of loading and verifying them
 * again. Usage: {@code ClassArchiveTraining RUNBOOK STATE_DIR}. It prints nothing and fails (exit
 * 1, naming the command) if a command does not succeed, so a broken training breaks the build.
 */
public final class ClassArchiveTraining {
  private ClassArchiveTraining() {}

  public static void main(String[] args) throws IOException {
    String runbook = args[0];
    Path state = Path.of(args[1]);
    deleteTree(state);
    List<String[]> commands = new ArrayList<>();
    commands.add(new String[] {"validate", runbook});
    commands.add(new String[] {"validate", "--format", "json", runbook});
    commands.add(new String[] {"plan", runbook, "--state-dir", state.toString()});
    commands.add(
        new String[] {"plan", runbook, "--format", "json", "--state-dir", state.toString()});
    commands.add(new String[] {"run", runbook, "--state-dir", state.toString()});
    commands.add(new String[] {"runs", "--state-dir", state.toString()});
    PrintWriter quiet = new PrintWriter(OutputStream.nullOutputStream(), true);
    for (String[] command : commands) {
      StringWriter err = new StringWriter();
      int code = Main.run(command, quiet, new PrintWriter(err, true));
      if (code != 0) {
        throw new IllegalStateException(
            "the class archive's training run failed: `runbook "
                + String.join(" ", command)
                + "` exited "
                + code
                + ":\n"
                + err);
      }
    }
    deleteTree(state);
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
