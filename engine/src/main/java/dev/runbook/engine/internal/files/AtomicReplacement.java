package dev.runbook.engine.internal.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Puts a fully written, fsynced copy in place of a path with {@code rename(2)}.
 *
 * <p>The copy is staged as a hidden sibling of the target, {@code .<name>.runbook-new-<hex>}, so
 * that it is on the same file system and the rename is atomic. Then:
 *
 * <ul>
 *   <li>if nothing is at the target, or neither the target nor the copy is a directory: one rename,
 *       which replaces the target atomically; a reader sees the old or the new, never a mix, and a
 *       crash leaves one or the other;
 *   <li>otherwise (a directory, or a change of kind): the target is renamed away to {@code
 *       .<name>.runbook-old-<hex>}, then the copy renamed in. Each rename is atomic, the pair is
 *       not: between them nothing is at the target. A crash there leaves the target absent and both
 *       complete versions as siblings, to rename back by hand; never a half-replaced target.
 * </ul>
 */
final class AtomicReplacement {
  private static final int NAME_PREFIX_CODE_POINTS = 40;

  private AtomicReplacement() {}

  /** A fresh hidden sibling name for {@code target}; nothing is created. */
  static Path sibling(Path target, String purpose) {
    byte[] random = new byte[6];
    ThreadLocalRandom.current().nextBytes(random);
    return target.resolveSibling(
        FileNames.path(siblingPrefix(target, purpose) + HexFormat.of().formatHex(random)));
  }

  /** The start of every {@link #sibling} name for this target and purpose. */
  static String siblingPrefix(Path target, String purpose) {
    String name = FileNames.text(target.getFileName());
    // Keep the name recognisable but far below NAME_MAX (255 bytes) whatever its script.
    int end =
        name.offsetByCodePoints(
            0, Math.min(NAME_PREFIX_CODE_POINTS, name.codePointCount(0, name.length())));
    return "." + name.substring(0, end) + ".runbook-" + purpose + "-";
  }

  /**
   * Renames {@code staged} to {@code target}, moving what is there out of the way first when a
   * single rename cannot replace it. The caller fsyncs the parent afterwards.
   *
   * @return the moved-away previous version, for the caller to delete once it is safe to; empty if
   *     the rename replaced (or created) the target directly
   */
  static Optional<Path> install(Path staged, Path target) throws IOException {
    Optional<PosixAttributes.Stat> existing = PosixAttributes.lstatIfExists(target);
    boolean stagedIsDirectory =
        PosixAttributes.lstat(staged).kind() == PosixAttributes.Kind.DIRECTORY;
    if (existing.isEmpty()
        || (!stagedIsDirectory && existing.get().kind() != PosixAttributes.Kind.DIRECTORY)) {
      Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
      return Optional.empty();
    }
    Path old = sibling(target, "old");
    Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
    try {
      Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      try {
        Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException undo) {
        e.addSuppressed(undo);
      }
      throw e;
    }
    return Optional.of(old);
  }

  /**
   * Whether {@code path} is a directory on another file system than its parent: a mount point,
   * which cannot be renamed and whose sibling would be on the wrong file system.
   */
  static boolean isMountPoint(Path path) throws IOException {
    Optional<PosixAttributes.Stat> stat = PosixAttributes.lstatIfExists(path);
    if (stat.isEmpty() || stat.get().kind() != PosixAttributes.Kind.DIRECTORY) {
      return false;
    }
    return stat.get().device() != PosixAttributes.device(path.getParent());
  }
}
