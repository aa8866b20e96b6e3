package dev.runbook.engine.internal.probe;

import dev.runbook.dsl.Sizes;
import dev.runbook.engine.CheckOutcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Tests that the file system holding a path has at least a given number of bytes free.
 *
 * <p>"Free" is the space this process may use ({@link java.nio.file.FileStore#getUsableSpace()},
 * what {@code df} calls "Avail"): blocks reserved for root do not count. A path that does not exist
 * yet (the directory a step is about to create) is measured on its nearest existing parent, and the
 * detail says so.
 *
 * <p>Thread-safe and stateless.
 */
public final class DiskFreeProbe {
  /**
   * Checks that at least {@code minBytes} are free where {@code path} lives.
   *
   * @param path a resolved path; a relative one is taken against the engine's working directory
   * @param minBytes the minimum, zero or more
   * @return never null; the detail gives both figures, e.g. {@code "1.2 GiB free on /var, need 2
   *     GiB"}
   */
  public CheckOutcome check(Path path, long minBytes) {
    Objects.requireNonNull(path, "path");
    if (minBytes < 0) {
      return CheckOutcome.errored("minimum free space must not be negative, got " + minBytes);
    }
    Path absolute = path.toAbsolutePath();
    Path measured = absolute;
    while (measured != null && !Files.exists(measured)) {
      measured = measured.getParent();
    }
    if (measured == null) {
      // Only possible when even the root is missing, e.g. an unmounted Windows drive.
      return CheckOutcome.errored("no part of " + path + " exists, so it has no file system");
    }
    long free;
    try {
      free = Files.getFileStore(measured).getUsableSpace();
    } catch (IOException e) {
      return CheckOutcome.errored(
          "cannot read the free space on " + measured + ": " + PathProbe.reason(e));
    }
    String where =
        measured.equals(absolute)
            ? path.toString()
            : measured + " (the nearest existing parent of " + path + ")";
    String[] figures = figures(free, minBytes);
    String detail = figures[0] + " free on " + where + ", need " + figures[1];
    return free >= minBytes ? CheckOutcome.holds(detail) : CheckOutcome.failed(detail);
  }

  /**
   * Both figures, human-readable; with exact byte counts added when rounding would print the same
   * text for two different amounts ("2 GiB free, need 2 GiB" would be a riddle).
   */
  private static String[] figures(long free, long min) {
    String freeText = Sizes.format(free);
    String minText = Sizes.format(min);
    if (freeText.equals(minText) && free != min) {
      freeText += " (" + Sizes.exact(free) + ")";
      minText += " (" + Sizes.exact(min) + ")";
    }
    return new String[] {freeText, minText};
  }
}
