package dev.runbook.engine.internal.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContentHasherTest {
  private static final long LARGE = 64L * 1024 * 1024;

  @TempDir Path tmp;

  @Test
  void copiesAndHashesAStreamInChunksNoLargerThanItsBuffer() throws Exception {
    GeneratedChannel source = new GeneratedChannel(LARGE);
    HashingSink sink = new HashingSink();

    ContentHasher.Result result = new ContentHasher().copy(source, sink);

    String expected = expectedSha256(LARGE);
    assertThat(result.bytes()).isEqualTo(LARGE);
    assertThat(result.sha256()).isEqualTo(expected);
    assertThat(sink.sha256()).isEqualTo(expected);
    assertThat(source.largestRead).isLessThanOrEqualTo(ContentHasher.BUFFER_SIZE);
    assertThat(sink.largestWrite).isLessThanOrEqualTo(ContentHasher.BUFFER_SIZE);
  }

  @Test
  void backingUpALargeFileHashesItWithoutReadingItWhole() throws Exception {
    assumeThat(ManagementFactory.getThreadMXBean())
        .isInstanceOf(com.sun.management.ThreadMXBean.class);
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    Path base = tmp.resolve("app");
    Path big = base.resolve("big.bin");
    java.nio.file.Files.createDirectories(base);
    try (FileChannel out =
        FileChannel.open(big, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      new ContentHasher().copy(new GeneratedChannel(LARGE), out);
    }
    Trees.file(base.resolve("small.txt"), "warm-up", 0644, Trees.T1);
    FileActions actions = new FileActions();
    actions.backup(List.of(base.resolve("small.txt")), base, tmp.resolve("warm-up"));

    long before = threads.getCurrentThreadAllocatedBytes();
    BackupResult result = actions.backup(List.of(big), base, tmp.resolve("backup"));
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;

    assertThat(result.manifest().entries().get(0).sha256()).contains(expectedSha256(LARGE));
    assertThat(allocated).as("bytes allocated to back up %d bytes", LARGE).isLessThan(LARGE / 8);
  }

  @Test
  void reportsAFailedWriteApartFromAFailedRead() {
    WritableByteChannel full =
        new HashingSink() {
          @Override
          public int write(ByteBuffer src) throws IOException {
            throw new IOException("No space left on device");
          }
        };

    assertThatThrownBy(() -> new ContentHasher().copy(new GeneratedChannel(10), full))
        .isInstanceOf(ContentHasher.WriteFailedException.class)
        .hasMessage("No space left on device");
  }

  /** The SHA-256 of {@link GeneratedChannel}'s first {@code size} bytes, computed on its own. */
  private static String expectedSha256(long size) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    byte[] chunk = new byte[8192];
    for (long position = 0; position < size; ) {
      int n = (int) Math.min(chunk.length, size - position);
      for (int i = 0; i < n; i++) {
        chunk[i] = GeneratedChannel.byteAt(position + i);
      }
      digest.update(chunk, 0, n);
      position += n;
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** A deterministic, non-repeating-looking stream of bytes that exists only as it is read. */
  private static final class GeneratedChannel implements ReadableByteChannel {
    private final long size;
    private long position;
    int largestRead;

    GeneratedChannel(long size) {
      this.size = size;
    }

    static byte byteAt(long position) {
      return (byte) (position * 31 + (position >>> 13));
    }

    @Override
    public int read(ByteBuffer dst) {
      if (position == size) {
        return -1;
      }
      largestRead = Math.max(largestRead, dst.remaining());
      int n = (int) Math.min(dst.remaining(), size - position);
      for (int i = 0; i < n; i++) {
        dst.put(byteAt(position++));
      }
      return n;
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}
  }

  private static class HashingSink implements WritableByteChannel {
    private final MessageDigest digest = ContentHasher.sha256();
    int largestWrite;

    @Override
    public int write(ByteBuffer src) throws IOException {
      int n = src.remaining();
      largestWrite = Math.max(largestWrite, n);
      digest.update(src);
      return n;
    }

    String sha256() {
      return HexFormat.of().formatHex(digest.digest());
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}
  }
}
