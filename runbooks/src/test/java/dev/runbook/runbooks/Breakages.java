package dev.runbook.runbooks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * Broken parts of an installation, for injecting a failure into one step of a runbook without
 * touching the runbook: a program that fails, a named pipe that a backup or a copy refuses.
 */
public final class Breakages {
  private Breakages() {}

  /**
   * Writes {@code dir/program}: it fails with an I/O error when its environment has {@code
   * RUNBOOK_STEP} (a runbook step runs it) and is {@code /usr/bin/program} otherwise (a fixture's
   * own calls).
   *
   * @return the environment to run the engine with: {@code PATH} with {@code dir} first
   */
  public static Map<String, String> failingProgram(Path dir, String program) throws IOException {
    return failingProgram(dir, program, "-n \"${RUNBOOK_STEP:-}\"");
  }

  /**
   * Like {@link #failingProgram(Path, String)}, failing only when the runbook step {@code step}
   * runs it (its environment has {@code RUNBOOK_STEP=step}): the real one for the preconditions and
   * the other steps.
   */
  public static Map<String, String> failingProgramInStep(Path dir, String program, String step)
      throws IOException {
    return failingProgram(dir, program, "\"${RUNBOOK_STEP:-}\" = " + step);
  }

  private static Map<String, String> failingProgram(Path dir, String program, String test)
      throws IOException {
    Files.createDirectories(dir);
    Path script = dir.resolve(program);
    Files.writeString(
        script,
        "#!/bin/sh\n"
            + "if [ "
            + test
            + " ]; then\n"
            + "  echo \""
            + program
            + ": Input/output error\" >&2\n"
            + "  exit 1\n"
            + "fi\n"
            + "exec /usr/bin/"
            + program
            + " \"$@\"\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    return Map.of("PATH", dir + ":" + System.getenv("PATH"));
  }

  /** Makes a named pipe at {@code path} ({@code mkfifo}), which a backup and a copy refuse. */
  public static void namedPipe(Path path) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("mkfifo", path.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("mkfifo " + path + " failed: " + out);
    }
  }
}
