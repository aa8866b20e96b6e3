package dev.runbook.dsl;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Reads a file the user named (a runbook, a params file, a saved plan, a journal) whole, with a
 * byte cap that holds whatever the file claims to be.
 *
 * <p>The size a file system reports is no bound: it is 0 for {@code /dev/zero}, and a file may grow
 * while it is read. So the file's type is checked first (a FIFO would block the open until a writer
 * came, a device may never end) and then at most {@code cap + 1} bytes are read, whatever the size
 * said. Thread-safe: no state.
 */
public final class CappedFile {
  private CappedFile() {}

  /** The file is not a regular file (a directory, a FIFO, a device, a socket). */
  public static final class NotRegularFile extends FileSystemException {
    private static final long serialVersionUID = 1L;

    NotRegularFile(Path file, String kind) {
      super(file.toString(), null, "is " + kind + ", not a regular file");
    }
  }

  /** The file holds more bytes than the cap. */
  public static final class TooLarge extends FileSystemException {
    private static final long serialVersionUID = 1L;

    TooLarge(Path file, long size, long cap) {
      super(
          file.toString(),
          null,
          (size > cap ? "is " + Sizes.format(size) + ", " : "is ")
              + "larger than the limit of "
              + Sizes.format(cap));
    }
  }

  /**
   * The bytes of {@code file}, at most {@code cap} of them.
   *
   * @throws NotRegularFile if it is not a regular file (after following links)
   * @throws TooLarge if it holds more than {@code cap} bytes
   * @throws IOException if it cannot be read (missing, permission denied, an I/O error)
   */
  public static byte[] read(Path file, long cap) throws IOException {
    long size = refuseIfNotRegular(file).size();
    if (size > cap) {
      // refused before reading: what a regular file says of its size is right at this moment
      throw new TooLarge(file, size, cap);
    }
    int limit = (int) Math.min(cap, Integer.MAX_VALUE - 16);
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes(limit);
      if (bytes.length == limit && in.read() != -1) {
        throw new TooLarge(file, -1, cap);
      }
      return bytes;
    }
  }

  /**
   * Refuses with {@link NotRegularFile} what is not a regular file: a read must never open a FIFO
   * (the open blocks until a writer comes) or a device (it may never end).
   *
   * @return the file's attributes
   */
  public static BasicFileAttributes refuseIfNotRegular(Path file) throws IOException {
    BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
    if (attributes.isRegularFile()) {
      return attributes;
    }
    throw new NotRegularFile(file, kind(file, attributes));
  }

  private static String kind(Path file, BasicFileAttributes attributes) {
    if (attributes.isDirectory()) {
      return "a directory";
    }
    try {
      // st_mode's file type bits (S_IFMT), where the platform offers them
      int mode = (Integer) Files.getAttribute(file, "unix:mode", new LinkOption[0]);
      switch (mode & 0170000) {
        case 0010000:
          return "a FIFO (named pipe)";
        case 0020000:
          return "a character device";
        case 0060000:
          return "a block device";
        case 0140000:
          return "a socket";
        default:
          break;
      }
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      // no unix view here: the generic word will do
    }
    return "a special file";
  }
}
