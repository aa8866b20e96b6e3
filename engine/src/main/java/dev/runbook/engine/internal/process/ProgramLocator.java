package dev.runbook.engine.internal.process;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Finds the program of an argv the way {@code execvp(3)} will, so that a typo is reported before
 * anything starts, in words an operator can act on.
 */
final class ProgramLocator {
  /** What glibc's {@code execvp} searches when the environment has no {@code PATH}. */
  static final String DEFAULT_PATH = "/bin:/usr/bin";

  private ProgramLocator() {}

  /**
   * Returns why {@code program} cannot be run, or null if it can.
   *
   * @param program the argv's first element
   * @param environment the child's environment, whose {@code PATH} is searched
   * @param workingDirectory what relative names resolve against
   */
  static String problem(String program, Map<String, String> environment, Path workingDirectory) {
    if (program.isEmpty()) {
      return "the program name is empty";
    }
    if (program.indexOf('/') >= 0) {
      Path file = workingDirectory.resolve(program).normalize();
      if (!Files.exists(file)) {
        return "no such file (" + file + ")";
      }
      if (Files.isDirectory(file)) {
        return "it is a directory (" + file + ")";
      }
      if (!Files.isExecutable(file)) {
        return "permission denied, the file is not executable (" + file + ")";
      }
      return null;
    }
    String path = environment.getOrDefault("PATH", DEFAULT_PATH);
    boolean foundNotExecutable = false;
    for (String dir : path.split(":", -1)) {
      // An empty PATH element means the working directory, as for execvp.
      Path file = workingDirectory.resolve(dir.isEmpty() ? "." : dir).resolve(program);
      if (Files.isRegularFile(file)) {
        if (Files.isExecutable(file)) {
          return null;
        }
        foundNotExecutable = true;
      }
    }
    if (foundNotExecutable) {
      return "permission denied, not executable where found (searched PATH " + path + ")";
    }
    return "no such file (searched PATH " + path + ")";
  }
}
