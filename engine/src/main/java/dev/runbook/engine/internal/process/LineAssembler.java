package dev.runbook.engine.internal.process;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Splits one stream's bytes into lines of at most {@link #MAX_LINE_BYTES} bytes; not thread-safe.
 *
 * <p>Memory stays bounded whatever the input: the bytes of a longer line are counted, not kept, and
 * the line ends with a note of how many were left out.
 */
final class LineAssembler {
  static final int MAX_LINE_BYTES = 4096;

  private final byte[] line = new byte[MAX_LINE_BYTES];
  private final Consumer<String> sink;
  private int length;
  private long leftOut;

  LineAssembler(Consumer<String> sink) {
    this.sink = sink;
  }

  void accept(byte[] b, int off, int len) {
    int end = off + len;
    int from = off;
    while (from < end) {
      int newline = from;
      while (newline < end && b[newline] != '\n') {
        newline++;
      }
      int kept = Math.min(newline - from, MAX_LINE_BYTES - length);
      System.arraycopy(b, from, line, length, kept);
      length += kept;
      leftOut += newline - from - kept;
      if (newline == end) {
        return;
      }
      emit();
      from = newline + 1;
    }
  }

  /** Emits the last line if it had no terminator. */
  void finish() {
    if (length > 0 || leftOut > 0) {
      emit();
    }
  }

  private void emit() {
    int end = length;
    if (leftOut == 0 && end > 0 && line[end - 1] == '\r') {
      end--;
    }
    String text = new String(line, 0, end, StandardCharsets.UTF_8);
    if (leftOut > 0) {
      text += " [… " + leftOut + " more bytes in the log]";
    }
    length = 0;
    leftOut = 0;
    sink.accept(text);
  }
}
