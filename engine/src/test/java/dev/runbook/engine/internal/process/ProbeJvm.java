package dev.runbook.engine.internal.process;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts a main class of the tests in a JVM of its own. */
final class ProbeJvm {
  private ProbeJvm() {}

  static Process start(Class<?> main, List<String> jvmOptions, Path output, String... args)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(classPath());
    command.add(main.getName());
    command.addAll(List.of(args));
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(output.toFile())
        .start();
  }

  static String classPath() {
    String surefire = System.getProperty("surefire.test.class.path");
    return surefire != null
        ? surefire
        : System.getProperty("java.class.path", "" + File.pathSeparator);
  }
}
