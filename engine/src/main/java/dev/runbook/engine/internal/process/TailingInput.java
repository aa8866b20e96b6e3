package dev.runbook.engine.internal.process;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads a file another process is appending to, as {@code tail -f} does: at its end, a read waits
 * for more until {@link #end()} says the writers are gone; then it reads up to the size the file
 * had at that moment and reports the end. So a process that left its session and goes on writing
 * cannot keep the reader busy forever.
 *
 * <p>Waits poll: 1 ms at first, up to {@value #MAX_WAIT_MILLIS} ms while the file stays quiet, so a
 * chatty step's lines show at once and a silent one costs next to nothing. {@link #end()} wakes a
 * waiting reader at once, so a short step never waits for a poll.
 */
final class TailingInput extends InputStream {
  private static final long MAX_WAIT_MILLIS = 50;

  private final FileChannel channel;
  private final Object lock = new Object();
  private long position;
  private volatile long limit = -1;
  private volatile boolean closed;

  private TailingInput(FileChannel channel, long position) {
    this.channel = channel;
    this.position = position;
  }

  static TailingInput open(Path file, long from) throws IOException {
    return new TailingInput(FileChannel.open(file, StandardOpenOption.READ), from);
  }

  /** How many bytes were read: the raw offset of what comes next. */
  long position() {
    return position;
  }

  /** The writers are gone: read up to the file's present size, then report the end. */
  void end() {
    try {
      limit = channel.size();
    } catch (IOException e) {
      limit = position;
    }
    synchronized (lock) {
      lock.notifyAll();
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    long wait = 1;
    while (true) {
      if (closed) {
        return -1;
      }
      long end = limit;
      int max = len;
      if (end >= 0) {
        if (position >= end) {
          return -1;
        }
        max = (int) Math.min(len, end - position);
      }
      int n = channel.read(ByteBuffer.wrap(b, off, max), position);
      if (n > 0) {
        position += n;
        return n;
      }
      if (end >= 0) {
        return -1; // shorter than it was: truncated by someone else; nothing more to read
      }
      synchronized (lock) {
        if (limit < 0 && !closed) {
          try {
            lock.wait(wait);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
          }
        }
      }
      wait = Math.min(MAX_WAIT_MILLIS, wait * 2);
    }
  }

  /** The bytes that can be read without waiting. */
  @Override
  public int available() throws IOException {
    long end = limit >= 0 ? limit : channel.size();
    return (int) Math.max(0, Math.min(Integer.MAX_VALUE, end - position));
  }

  @Override
  public void close() throws IOException {
    closed = true;
    synchronized (lock) {
      lock.notifyAll();
    }
    channel.close();
  }
}
