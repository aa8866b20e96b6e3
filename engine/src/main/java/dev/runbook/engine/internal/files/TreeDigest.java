package dev.runbook.engine.internal.files;

import dev.runbook.engine.internal.files.FileActionException.Code;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * One SHA-256 over a tree's shape and content: equal digests mean the same paths, kinds, modes,
 * file contents and link texts.
 *
 * <p>The digest is {@code "sha256:"} followed by the lower-case hex SHA-256 of, for every entry in
 * pre-order (a directory before what it contains; names compared by their UTF-8 bytes), five UTF-8
 * fields each followed by one NUL byte:
 *
 * <ol>
 *   <li>the type: {@code file}, {@code dir} or {@code symlink};
 *   <li>the path: relative, {@code /}-separated, {@code .} for the root of a copied tree;
 *   <li>the mode as four octal digits, or {@code -} for a symbolic link (links have no mode of
 *       their own on Linux);
 *   <li>the size in decimal ({@code 0} for directories and links);
 *   <li>the file's SHA-256 in lower-case hex, the link's text, or empty for a directory.
 * </ol>
 *
 * <p>Times and owners are not covered: a restored tree has the same digest as the original even
 * where ownership could not be kept. No field can contain NUL, so the encoding is unambiguous.
 */
public final class TreeDigest {
  private TreeDigest() {}

  /** The digest of the given entries, in any order; never null. */
  public static String of(Collection<FileEntry> entries) {
    List<FileEntry> sorted = new ArrayList<>(entries);
    sorted.sort(Comparator.comparing(FileEntry::path, EntryPath.PRE_ORDER));
    MessageDigest digest = ContentHasher.sha256();
    for (FileEntry entry : sorted) {
      field(digest, entry.type().manifestName());
      field(digest, FileNames.encode(entry.path()));
      field(digest, entry.type() == FileType.SYMLINK ? "-" : entry.modeOctal());
      field(digest, Long.toString(entry.size()));
      field(digest, FileNames.encode(entry.sha256().or(entry::target).orElse("")));
    }
    return "sha256:" + HexFormat.of().formatHex(digest.digest());
  }

  /**
   * The digest of the tree at {@code root} (a file, directory or symbolic link, not followed), read
   * without changing anything; the root's path is {@code .}.
   *
   * @throws FileActionException if the tree cannot be read or holds a FIFO, socket or device
   */
  public static String of(Path root) {
    return of(scan(root));
  }

  /** Lists and hashes the tree at {@code root} without writing anything. */
  static List<FileEntry> scan(Path root) {
    return scan(root, EntryPath.ROOT);
  }

  /**
   * Lists and hashes the tree at {@code root} without writing anything, naming the root's entry
   * {@code name} (a backed-up path as its manifest names it).
   */
  static List<FileEntry> scan(Path root, String name) {
    List<FileEntry> entries = new ArrayList<>();
    scan(root, name, new ContentHasher(), entries);
    return entries;
  }

  private static void scan(Path path, String name, ContentHasher hasher, List<FileEntry> out) {
    try {
      PosixAttributes.Stat stat = PosixAttributes.lstat(path);
      FileType type =
          stat.kind()
              .fileType()
              .orElseThrow(() -> TreeCopier.unsupportedFile("digest", path, stat.kind()));
      Optional<String> sha256 = Optional.empty();
      Optional<String> target = Optional.empty();
      long size = 0;
      if (type == FileType.FILE) {
        try (FileChannel in =
            FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
          ContentHasher.Result result = hasher.hash(in);
          sha256 = Optional.of(result.sha256());
          size = result.bytes();
        }
      } else if (type == FileType.SYMLINK) {
        target = Optional.of(FileNames.text(Files.readSymbolicLink(path)));
      }
      out.add(
          new FileEntry(
              name,
              type,
              size,
              stat.permissions(),
              stat.mtime().toInstant(),
              Optional.of(stat.owner()),
              sha256,
              target));
      if (type == FileType.DIRECTORY) {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(path)) {
          stream.forEach(children::add);
        }
        children.sort(EntryPath::compareFileNames);
        for (Path child : children) {
          scan(child, EntryPath.child(name, FileNames.text(child.getFileName())), hasher, out);
        }
      }
    } catch (NoSuchFileException e) {
      throw new FileActionException(
          Code.SOURCE_MISSING, path, "digest: " + path + " does not exist", e);
    } catch (IOException e) {
      throw FileActionException.io("digest", "read", path, e);
    }
  }

  private static void field(MessageDigest digest, String value) {
    field(digest, value.getBytes(StandardCharsets.UTF_8));
  }

  private static void field(MessageDigest digest, byte[] value) {
    digest.update(value);
    digest.update((byte) 0);
  }
}
