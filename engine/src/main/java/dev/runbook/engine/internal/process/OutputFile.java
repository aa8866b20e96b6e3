package dev.runbook.engine.internal.process;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A file the runner writes a process's output to (the step log, the stdout file); thread-safe.
 *
 * <p>Writes go straight to the file, with no buffer in between, so a reader that follows the file
 * sees output as it arrives. The first write error is reported once and kept ({@link #failure()});
 * later writes are dropped (the process's output must still be drained, or the process would
 * block), so whoever reports the step's result must say that its output is incomplete.
 */
final class OutputFile implements AutoCloseable {
  static final String NOTE_PREFIX = "[runbook] ";
  private static final ByteBuf EMPTY = new ByteBuf(0);

  private final FileChannel channel;
  private final String name;
  private final Consumer<String> problems;
  private String failure;
  private boolean closed;
  private boolean atLineStart = true;

  OutputFile(FileChannel channel, String name, Consumer<String> problems) {
    this.channel = channel;
    this.name = name;
    this.problems = problems;
  }

  /** Appends {@code first} then {@code second} in one write. */
  synchronized void write(ByteBuf first, byte[] second, int off, int len) {
    int total = first.size() + len;
    if (total == 0) {
      return;
    }
    byte last = len > 0 ? second[off + len - 1] : first.array()[first.size() - 1];
    writeFully(
        new ByteBuffer[] {
          ByteBuffer.wrap(first.array(), 0, first.size()), ByteBuffer.wrap(second, off, len)
        });
    atLineStart = last == '\n';
  }

  /** Appends {@code len} bytes. */
  void write(byte[] bytes, int off, int len) {
    write(EMPTY, bytes, off, len);
  }

  /** Appends a line of the runner's own, marked as such, on a line of its own. */
  synchronized void note(String text) {
    String line = (atLineStart ? "" : "\n") + NOTE_PREFIX + text + "\n";
    writeFully(new ByteBuffer[] {ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8))});
    atLineStart = true;
  }

  private void writeFully(ByteBuffer[] buffers) {
    if (failure != null || closed) {
      return;
    }
    try {
      long remaining = 0;
      for (ByteBuffer b : buffers) {
        remaining += b.remaining();
      }
      while (remaining > 0) {
        remaining -= channel.write(buffers);
      }
    } catch (IOException e) {
      failure =
          "could not write "
              + name
              + " ("
              + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
              + "); output was lost";
      problems.accept(failure);
    }
  }

  /** Why output written to this file was lost, if it was: the first write error. */
  synchronized Optional<String> failure() {
    return Optional.ofNullable(failure);
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      channel.close();
    } catch (IOException e) {
      problems.accept("could not close " + name + " (" + e.getMessage() + ")");
    }
  }
}
