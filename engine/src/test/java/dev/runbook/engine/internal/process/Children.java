package dev.runbook.engine.internal.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Helpers for tests that run real processes. */
final class Children {
  static final Map<String, String> ENV = Map.of("PATH", "/usr/bin:/bin", "LC_ALL", "C");

  private Children() {}

  static ProcessSpec.Builder sh(Path dir, String script) {
    return ProcessSpec.builder(List.of("/bin/sh", "-c", script), dir, dir.resolve("step.log"))
        .environment(ENV);
  }

  /** Running means: exists and is not a zombie (init here may not reap orphans). */
  static boolean running(long pid) {
    return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isPresent()
        && ProcessTable.isRunning(pid);
  }

  static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8);
  }

  /** Waits until {@code file} has at least {@code count} lines, and returns them. */
  static List<String> awaitLines(Path file, int count) throws Exception {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (Files.exists(file)) {
        List<String> lines = Files.readAllLines(file);
        if (lines.size() >= count) {
          return lines;
        }
      }
      Thread.sleep(10);
    }
    return fail("%s did not get %d lines in 5s", file, count);
  }

  /** Waits until {@code file} contains {@code text}. */
  static void awaitContent(Path file, String text) throws Exception {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (Files.exists(file) && read(file).contains(text)) {
        return;
      }
      Thread.sleep(10);
    }
    assertThat(Files.exists(file) ? read(file) : "(no file)").contains(text);
  }

  static void assertNoneRunning(List<String> pids) {
    for (String pid : pids) {
      assertThat(running(Long.parseLong(pid.trim()))).as("pid %s still running", pid).isFalse();
    }
  }
}
