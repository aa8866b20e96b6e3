package dev.runbook.engine.internal.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Builds trees for tests and describes them independently of the production code, with plain JDK
 * calls, so that a bug in the code under test cannot hide in the comparison.
 */
final class Trees {
  static final Instant T1 = Instant.parse("2021-03-04T05:06:07.123456789Z");
  static final Instant T2 = Instant.parse("2022-01-02T03:04:05Z");
  static final Instant T3 = Instant.parse("2019-12-31T23:59:59.5Z");

  private Trees() {}

  static Path file(Path path, String content, int mode, Instant mtime) throws IOException {
    Files.createDirectories(path.getParent());
    Files.writeString(path, content, StandardCharsets.UTF_8);
    Files.setAttribute(path, "unix:mode", mode);
    Files.setLastModifiedTime(path, FileTime.from(mtime));
    return path;
  }

  static Path dir(Path path, int mode, Instant mtime) throws IOException {
    Files.createDirectories(path);
    Files.setAttribute(path, "unix:mode", mode);
    Files.setLastModifiedTime(path, FileTime.from(mtime));
    return path;
  }

  static Path link(Path path, String target, Instant mtime) throws IOException {
    Files.createDirectories(path.getParent());
    Files.createSymbolicLink(path, Path.of(target));
    Files.getFileAttributeView(path, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
        .setTimes(FileTime.from(mtime), null, null);
    return path;
  }

  /** Creates a Unix domain socket file at {@code path}, which stays after the channel closes. */
  static Path socket(Path path) throws IOException {
    Files.createDirectories(path.getParent());
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(path));
    }
    return path;
  }

  /**
   * A sample application directory: nested directories with their own modes, a private file, a
   * read-only directory, relative and absolute symbolic links. Directory times are set last.
   */
  static void sampleApp(Path root) throws IOException {
    file(root.resolve(".env"), "SECRET=hunter2\n", 0600, T1);
    file(root.resolve("package.json"), "{\"name\":\"app\"}\n", 0644, T2);
    file(root.resolve("files/local.db"), "SQLite format 3\0data", 0640, T3);
    file(root.resolve("files/assets/a.png"), "PNG-A", 0644, T1);
    file(root.resolve("files/assets/brand/b.png"), "PNG-B", 0444, T2);
    file(root.resolve("files/assets/run.sh"), "#!/bin/sh\necho hi\n", 04755, T3);
    link(root.resolve("files/assets/logo.png"), "brand/b.png", T2);
    link(root.resolve("files/assets/shared"), "/srv/shared/uploads", T1);
    file(root.resolve("node_modules/left-pad/index.js"), "module.exports = 1;\n", 0644, T1);
    dir(root.resolve("node_modules/left-pad"), 0555, T3);
    dir(root.resolve("node_modules"), 0755, T2);
    dir(root.resolve("files/assets/brand"), 0750, T1);
    dir(root.resolve("files/assets"), 01775, T2);
    dir(root.resolve("files"), 0755, T3);
  }

  /**
   * Every path under {@code root} (not followed), relative, mapped to its kind, mode, mtime and
   * content hash or link text. The root itself is {@code "."}.
   */
  static Map<String, String> snapshot(Path root) throws IOException {
    Map<String, String> result = new TreeMap<>();
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.toList()) {
        String name = root.equals(path) ? "." : root.relativize(path).toString();
        result.put(name, describe(path));
      }
    }
    return result;
  }

  static String describe(Path path) throws IOException {
    Map<String, Object> a =
        Files.readAttributes(path, "unix:mode,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
    int mode = (Integer) a.get("mode");
    String time = a.get("lastModifiedTime").toString();
    if (Files.isSymbolicLink(path)) {
      return "link " + time + " -> " + Files.readSymbolicLink(path);
    }
    if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
      return "dir " + Integer.toOctalString(mode) + " " + time;
    }
    return "file " + Integer.toOctalString(mode) + " " + time + " " + sha256(path);
  }

  static String sha256(Path file) throws IOException {
    return sha256(Files.readAllBytes(file));
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The names in a directory, sorted. */
  static List<String> names(Path dir) {
    try (Stream<Path> children = Files.list(dir)) {
      return children.map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static int mode(Path path) throws IOException {
    return (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
  }

  static Instant mtime(Path path) throws IOException {
    return Files.getLastModifiedTime(path, LinkOption.NOFOLLOW_LINKS).toInstant();
  }

  /** Whether this process runs as root (it owns {@code /proc/self}). */
  static boolean runningAsRoot() throws IOException {
    return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
  }
}
