package dev.runbook.engine.internal.docker;

import dev.runbook.engine.internal.process.StreamedOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/** A step's output for a docker operation under test: the log, the stdout file, the lines. */
final class StepOutput {
  final Path log;
  final Path stdout;
  final List<String> lines = new CopyOnWriteArrayList<>();
  private final StreamedOutput out;

  StepOutput(Path dir, String name, Collection<String> secrets) {
    this.log = dir.resolve(name + ".log");
    this.stdout = dir.resolve(name + ".out");
    try {
      this.out = StreamedOutput.open(log, Optional.of(stdout), secrets, (s, l) -> lines.add(l));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  DockerActions.Io io() {
    return new DockerActions.Io(out, () -> false, Optional.empty());
  }

  DockerActions.Io io(BooleanSupplier stop, Duration timeout) {
    return new DockerActions.Io(out, stop, Optional.of(Instant.now().plus(timeout)));
  }

  /** Closes the output and returns the log's text. */
  String log() {
    out.close();
    return read(log);
  }

  /** Closes the output and returns the stdout file's text. */
  String stdout() {
    out.close();
    return read(stdout);
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
