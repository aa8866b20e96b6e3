package dev.runbook.engine.internal.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * One process's directory in the {@link Spool}: its raw stdout and stderr (the process writes them
 * itself, so that it never depends on the engine being there to read), its exit status (written by
 * the process's own session when it ends) and how far the engine has masked the raw output into the
 * step log ({@link MaskProgress}).
 */
record OutputDir(Path dir) {
  Path out() {
    return dir.resolve("out");
  }

  Path err() {
    return dir.resolve("err");
  }

  Path status() {
    return dir.resolve("status");
  }

  Path progress() {
    return dir.resolve("progress");
  }

  /**
   * The exit status the process's session recorded, if it has: a number and a newline (a file
   * without its newline is still being written).
   */
  OptionalInt exitStatus() {
    try {
      String text = Files.readString(status(), StandardCharsets.US_ASCII);
      if (!text.endsWith("\n")) {
        return OptionalInt.empty();
      }
      return OptionalInt.of(Integer.parseInt(text.strip()));
    } catch (IOException | NumberFormatException e) {
      return OptionalInt.empty();
    }
  }
}
