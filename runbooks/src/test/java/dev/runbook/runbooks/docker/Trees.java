package dev.runbook.runbooks.docker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A directory tree as relative path to SHA-256: equal maps are byte-identical trees. A file that is
 * neither a directory nor a regular file (a named pipe a test put there) is named, never read.
 */
final class Trees {
  private Trees() {}

  static Map<String, String> digests(Path root) throws IOException {
    Map<String, String> tree = new TreeMap<>();
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted().toList()) {
        String name = root.relativize(p).toString();
        if (Files.isDirectory(p)) {
          tree.put(name + "/", "dir");
        } else if (!Files.isRegularFile(p)) {
          tree.put(name, "special");
        } else {
          tree.put(name, sha256(Files.readAllBytes(p)));
        }
      }
    }
    return tree;
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
