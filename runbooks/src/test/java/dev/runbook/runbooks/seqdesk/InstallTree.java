package dev.runbook.runbooks.seqdesk;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** What a directory tree holds, path by path, for comparing an installation before and after. */
final class InstallTree {
  private InstallTree() {}

  /**
   * Every path under {@code root} (links not followed), relative, mapped to its kind, permission
   * bits, owner, content hash or link text and, if {@code withTimes}, modification time. The root's
   * own time is left out: replacing an entry in it changes it.
   */
  static Map<String, String> of(Path root, boolean withTimes) throws IOException {
    Map<String, String> tree = new TreeMap<>();
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.toList()) {
        boolean isRoot = path.equals(root);
        tree.put(
            isRoot ? "." : root.relativize(path).toString(), describe(path, withTimes && !isRoot));
      }
    }
    return tree;
  }

  private static String describe(Path path, boolean withTime) throws IOException {
    Map<String, Object> a =
        Files.readAttributes(path, "unix:mode,uid,gid,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
    int mode = (Integer) a.get("mode");
    StringBuilder out = new StringBuilder();
    String kind =
        switch (mode & 0170000) {
          case 0040000 -> "dir";
          case 0100000 -> "file";
          case 0120000 -> "link";
          case 0010000 -> "fifo";
          default -> "special";
        };
    out.append(kind)
        .append(' ')
        .append(Integer.toOctalString(mode & 07777))
        .append(' ')
        .append(a.get("uid"))
        .append(':')
        .append(a.get("gid"));
    if (withTime) {
      out.append(' ').append(((FileTime) a.get("lastModifiedTime")).toInstant());
    }
    if (kind.equals("file")) {
      out.append(' ').append(sha256(path));
    } else if (kind.equals("link")) {
      out.append(" -> ").append(Files.readSymbolicLink(path));
    }
    return out.toString();
  }

  private static String sha256(Path file) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
