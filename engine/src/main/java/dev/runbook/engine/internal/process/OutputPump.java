package dev.runbook.engine.internal.process;

import java.io.IOException;

/**
 * Reads one of a process's raw output files as it grows, until the process tree is gone, masking
 * secrets, and passes the masked bytes on to the {@link MaskedLog} and the line assembler. Memory
 * is bounded: one read buffer and the masker's hold-back.
 *
 * <p>Each chunk is written to the log whole, as soon as it is masked: the log then holds exactly
 * the masked form of the raw bytes up to the masker's hold-back, which is what {@link MaskProgress}
 * records. (A process that writes half a line to stdout and then a line to stderr gets them
 * interleaved mid-line in the log, as a terminal would show them.)
 */
final class OutputPump implements Runnable {
  private static final int READ_BYTES = 64 * 1024;

  private final TailingInput in;
  private final LineListener.Source source;
  private final SecretMasker masker;
  private final MaskedLog log;
  private final LineAssembler lines;
  private volatile boolean abandoned;

  OutputPump(
      TailingInput in,
      LineListener.Source source,
      SecretMasker masker,
      MaskedLog log,
      LineAssembler lines) {
    this.in = in;
    this.source = source;
    this.masker = masker;
    this.log = log;
    this.lines = lines;
  }

  /**
   * Stops reading: what was read is in the log, the rest stays in the raw file for a later reader.
   */
  void abandon() {
    abandoned = true;
    try {
      in.close();
    } catch (IOException e) {
      // closing a read-only file: nothing was lost
    }
  }

  /** The reader of the raw file: {@link TailingInput#end()} it once the process tree is gone. */
  TailingInput input() {
    return in;
  }

  @Override
  public void run() {
    byte[] buffer = new byte[READ_BYTES];
    ByteBuf masked = new ByteBuf(READ_BYTES + 256);
    try (in) {
      int n;
      while ((n = in.read(buffer, 0, buffer.length)) != -1) {
        if (abandoned) {
          return;
        }
        masked.clear();
        masker.mask(buffer, 0, n, masked);
        pass(masked, in.position() - masker.held());
      }
    } catch (IOException e) {
      // closed under us (abandoned): what was read is in the log
    }
    if (abandoned) {
      return;
    }
    masked.clear();
    masker.finish(masked);
    pass(masked, in.position());
    lines.finish();
  }

  private void pass(ByteBuf masked, long rawOffset) {
    log.write(source, masked, rawOffset);
    lines.accept(masked.array(), 0, masked.size());
  }
}
