package dev.runbook.engine.internal.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Streams a file's content through SHA-256, optionally writing it elsewhere in the same pass.
 *
 * <p>Memory use is one fixed buffer of {@link #BUFFER_SIZE} bytes whatever the file size: a file is
 * never read whole. Not thread-safe: one instance per operation.
 */
final class ContentHasher {
  /** Bytes read per call; also the most memory a copy holds for content. */
  static final int BUFFER_SIZE = 128 * 1024;

  private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_SIZE);

  /** How many bytes went through and their SHA-256 as lower-case hex. */
  record Result(long bytes, String sha256) {}

  /** A write failed while copying; the cause is the write's exception. */
  static final class WriteFailedException extends IOException {
    private static final long serialVersionUID = 1L;

    WriteFailedException(IOException cause) {
      super(cause.getMessage(), cause);
    }

    IOException writeFailure() {
      return (IOException) getCause();
    }
  }

  /**
   * Reads {@code in} to its end, writes every byte to {@code out}, and hashes them.
   *
   * @throws WriteFailedException if writing failed; any other {@link IOException} is a read
   */
  Result copy(ReadableByteChannel in, WritableByteChannel out) throws IOException {
    return stream(in, out);
  }

  /** Reads {@code in} to its end and hashes it. */
  Result hash(ReadableByteChannel in) throws IOException {
    return stream(in, null);
  }

  private Result stream(ReadableByteChannel in, WritableByteChannel out) throws IOException {
    MessageDigest digest = sha256();
    long total = 0;
    while (true) {
      buffer.clear();
      int n = in.read(buffer);
      if (n < 0) {
        break;
      }
      digest.update(buffer.array(), 0, n);
      total += n;
      if (out != null) {
        buffer.flip();
        try {
          while (buffer.hasRemaining()) {
            out.write(buffer);
          }
        } catch (IOException e) {
          throw new WriteFailedException(e);
        }
      }
    }
    return new Result(total, HexFormat.of().formatHex(digest.digest()));
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime provides SHA-256", e);
    }
  }
}
