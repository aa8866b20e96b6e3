package dev.runbook.engine.internal.files;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Relative entry paths as they appear in results and manifests: {@code /}-separated names in {@link
 * FileNames name text} (byte-exact, whatever the locale), no empty, {@code .} or {@code ..}
 * segment, no NUL; the single segment {@code .} names a root.
 */
final class EntryPath {
  /** The path of the root entry of a copy. */
  static final String ROOT = ".";

  /**
   * Orders entries so that a directory comes before everything inside it: segment by segment, each
   * segment compared by its bytes (so {@code a/b} sorts before {@code a.b}).
   */
  static final Comparator<String> PRE_ORDER = EntryPath::compare;

  private EntryPath() {}

  static String child(String parent, String name) {
    return ROOT.equals(parent) ? name : parent + "/" + name;
  }

  /** Whether {@code path} is a well-formed, non-root relative entry path. */
  static boolean isValid(String path) {
    if (path.isEmpty() || !FileNames.isEncodable(path)) {
      return false;
    }
    for (String segment : path.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code path} is {@code root} or lies inside it. */
  static boolean isWithin(String path, String root) {
    return path.equals(root) || path.startsWith(root + "/");
  }

  /** The parent of a non-root path, or {@code null} for a single segment. */
  static String parent(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? null : path.substring(0, slash);
  }

  /** Resolves a valid entry path (or {@link #ROOT}) against a directory, segment by segment. */
  static Path resolve(Path dir, String path) {
    if (ROOT.equals(path)) {
      return dir;
    }
    Path result = dir;
    for (String segment : path.split("/")) {
      result = FileNames.resolve(result, segment);
    }
    return result;
  }

  /** A relative file system path as an entry path. */
  static String of(Path relative) {
    StringBuilder out = new StringBuilder();
    for (Path name : relative) {
      if (out.length() > 0) {
        out.append('/');
      }
      out.append(FileNames.text(name));
    }
    return out.toString();
  }

  private static int compare(String a, String b) {
    List<String> left = List.of(a.split("/"));
    List<String> right = List.of(b.split("/"));
    for (int i = 0; i < Math.min(left.size(), right.size()); i++) {
      int c = compareNames(left.get(i), right.get(i));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(left.size(), right.size());
  }

  /** Compares two names by their bytes (for valid UTF-8, by code point). */
  static int compareNames(String a, String b) {
    return Arrays.compareUnsigned(FileNames.encode(a), FileNames.encode(b));
  }

  /** Compares two paths' last names by their bytes. */
  static int compareFileNames(Path a, Path b) {
    return Arrays.compareUnsigned(
        FileNames.bytes(a.getFileName()), FileNames.bytes(b.getFileName()));
  }
}
