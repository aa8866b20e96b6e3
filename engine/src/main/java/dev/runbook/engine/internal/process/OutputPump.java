package dev.runbook.engine.internal.process;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads one of a child's streams until it ends, masking secrets, and passes the bytes on to the
 * log, the optional stdout file and the line assembler. Memory is bounded: one read buffer, the
 * masker's hold-back and a partial log line of at most {@link #MAX_PENDING} bytes.
 *
 * <p>Note on the JDK: when the child exits, the JDK copies what is still buffered in the pipe (at
 * most the pipe's capacity) into memory and closes the pipe, unless a read is in progress; this
 * pump then reads on from that copy. So nothing the child wrote is lost, but a grandchild that
 * still writes to the pipe afterwards may find it closed (and is about to be ended anyway).
 */
final class OutputPump implements Runnable {
  private static final int READ_BYTES = 64 * 1024;
  private static final int MAX_PENDING = 64 * 1024;

  private final InputStream in;
  private final SecretMasker masker;
  private final OutputFile log;
  private final OutputFile copy;
  private final LineAssembler lines;
  private volatile boolean abandoned;

  /**
   * @param copy where this stream alone also goes, or null
   */
  OutputPump(
      InputStream in, SecretMasker masker, OutputFile log, OutputFile copy, LineAssembler lines) {
    this.in = in;
    this.masker = masker;
    this.log = log;
    this.copy = copy;
    this.lines = lines;
  }

  /** Stops passing output on; whatever the stream still delivers is discarded. */
  void abandon() {
    abandoned = true;
  }

  @Override
  public void run() {
    byte[] buffer = new byte[READ_BYTES];
    ByteBuf masked = new ByteBuf(READ_BYTES + 256);
    ByteBuf pendingLine = new ByteBuf(MAX_PENDING);
    try (in) {
      int n;
      while ((n = in.read(buffer)) != -1) {
        if (abandoned) {
          continue;
        }
        masked.clear();
        masker.mask(buffer, 0, n, masked);
        pass(masked, pendingLine, in.available() == 0);
      }
    } catch (IOException e) {
      // The stream was closed under us: the process is gone, nothing more to read.
    }
    if (abandoned) {
      return;
    }
    masked.clear();
    masker.finish(masked);
    pass(masked, pendingLine, true);
    lines.finish();
  }

  /**
   * Passes masked bytes on. The log gets whole lines while more output is waiting, so that stdout
   * and stderr interleave by line; a partial line is written once the stream pauses.
   */
  private void pass(ByteBuf masked, ByteBuf pendingLine, boolean quiet) {
    byte[] bytes = masked.array();
    int size = masked.size();
    if (copy != null && size > 0) {
      copy.write(bytes, 0, size);
    }
    lines.accept(bytes, 0, size);
    int lastNewline = masked.lastIndexOf((byte) '\n');
    if (lastNewline >= 0) {
      log.write(pendingLine, bytes, 0, lastNewline + 1);
      pendingLine.clear();
      pendingLine.append(bytes, lastNewline + 1, size - lastNewline - 1);
    } else {
      pendingLine.append(bytes, 0, size);
    }
    if (quiet || pendingLine.size() >= MAX_PENDING) {
      log.write(pendingLine, bytes, 0, 0);
      pendingLine.clear();
    }
  }
}
