package dev.runbook.engine.internal.files;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The temporary siblings ({@code .<name>.runbook-<purpose>-<hex>}, see {@link AtomicReplacement})
 * that an interrupted copy or restore left beside its target, removed by the next one to the same
 * target: running the action again after a crash then leaves the directory as one uninterrupted run
 * would.
 *
 * <p>Only names made exactly as {@link AtomicReplacement#sibling} makes them (twelve hex digits)
 * are removed, and only for a target whose name is short enough not to be shortened in its
 * siblings' names, so that the siblings of another target never match.
 */
final class StaleSiblings {
  private static final int HEX_DIGITS = 12;
  private static final int UNSHORTENED_CODE_POINTS = 40;

  private StaleSiblings() {}

  /**
   * Removes {@code target}'s siblings for {@code purpose} ({@code new}: staged copies, always stale
   * before an action stages its own; {@code old}: previous versions, stale once the target is in
   * place).
   */
  static void remove(String action, Path target, String purpose) {
    String name = FileNames.text(target.getFileName());
    if (name.codePointCount(0, name.length()) > UNSHORTENED_CODE_POINTS) {
      return;
    }
    Pattern stale =
        Pattern.compile(
            Pattern.quote(AtomicReplacement.siblingPrefix(target, purpose))
                + "[0-9a-f]{"
                + HEX_DIGITS
                + "}");
    List<Path> found = new ArrayList<>();
    try (DirectoryStream<Path> siblings =
        Files.newDirectoryStream(
            target.getParent(),
            entry -> stale.matcher(FileNames.text(entry.getFileName())).matches())) {
      siblings.forEach(found::add);
    } catch (NoSuchFileException e) {
      return;
    } catch (IOException e) {
      throw FileActionException.io(action, "list directory", target.getParent(), e);
    }
    for (Path path : found) {
      try {
        TreeDeleter.delete(path);
      } catch (IOException e) {
        throw FileActionException.io(
            action, "remove what an interrupted " + action + " left at", path, e);
      }
    }
  }
}
