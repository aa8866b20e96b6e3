package dev.runbook.engine.internal.files;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/**
 * The digest a backup manifest carries: one SHA-256 over everything a restore applies, so that an
 * edit to any of it makes the manifest invalid.
 *
 * <p>{@code "sha256:"} followed by the lower-case hex SHA-256 of fields, each followed by one NUL
 * byte: {@code runbook-backup}, the format version, the number of roots, each root's bytes, then
 * for every entry in pre-order: the type, the path's bytes, the mode as four octal digits, the size
 * in decimal, the file's SHA-256 or the link text's bytes (empty for a directory), the uid and gid
 * in decimal (each {@code -} when the manifest names no owner), and the modification time as
 * seconds and nanoseconds since the epoch ({@code 1732345923.123456000}).
 *
 * <p>Unlike a {@link TreeDigest}, which compares trees and so leaves out what a copy cannot always
 * keep, this one covers owners and times: a restore applies them (as root, a uid chowns the file).
 * A name's bytes are hashed, not its text, so two names a locale would show alike never collide. No
 * field can contain NUL, so the encoding is unambiguous.
 */
final class ManifestDigest {
  private ManifestDigest() {}

  /** The digest of a manifest's roots and entries (entries already in pre-order). */
  static String of(int version, List<String> roots, List<FileEntry> entries) {
    MessageDigest digest = ContentHasher.sha256();
    field(digest, BackupManifest.FORMAT);
    field(digest, Integer.toString(version));
    field(digest, Integer.toString(roots.size()));
    for (String root : roots) {
      field(digest, FileNames.encode(root));
    }
    for (FileEntry entry : entries) {
      field(digest, entry.type().manifestName());
      field(digest, FileNames.encode(entry.path()));
      field(digest, entry.modeOctal());
      field(digest, Long.toString(entry.size()));
      field(digest, FileNames.encode(entry.sha256().or(entry::target).orElse("")));
      field(digest, entry.owner().map(o -> Integer.toString(o.uid())).orElse("-"));
      field(digest, entry.owner().map(o -> Integer.toString(o.gid())).orElse("-"));
      Instant mtime = entry.mtime();
      field(digest, mtime.getEpochSecond() + "." + String.format("%09d", mtime.getNano()));
    }
    return "sha256:" + HexFormat.of().formatHex(digest.digest());
  }

  private static void field(MessageDigest digest, String value) {
    field(digest, value.getBytes(StandardCharsets.UTF_8));
  }

  private static void field(MessageDigest digest, byte[] value) {
    digest.update(value);
    digest.update((byte) 0);
  }
}
