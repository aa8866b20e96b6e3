package dev.runbook.engine.internal.process;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How far a process's raw output has been masked into the step log: the raw offsets of stdout and
 * stderr up to which everything is in the log (and nothing beyond), with the sizes the log and the
 * stdout copy had then. A resume truncates the log and the copy to those sizes and masks on from
 * those offsets, so every byte reaches the log exactly once even if the engine died mid-write.
 *
 * <p>One fixed-size line rewritten in place: a reader sees an old record or a new one.
 */
record MaskProgress(long out, long err, long logSize, long copySize) {
  private static final int WIDTH = 19;

  String line() {
    return String.format(
        "%0" + WIDTH + "d %0" + WIDTH + "d %0" + WIDTH + "d %0" + WIDTH + "d%n",
        out,
        err,
        logSize,
        copySize);
  }

  MaskProgress with(LineListener.Source source, long offset, long log, long copy) {
    return source == LineListener.Source.STDOUT
        ? new MaskProgress(offset, err, log, copy)
        : new MaskProgress(out, offset, log, copy);
  }

  long offset(LineListener.Source source) {
    return source == LineListener.Source.STDOUT ? out : err;
  }

  void writeTo(FileChannel channel) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(line().getBytes(StandardCharsets.US_ASCII));
    long at = 0;
    while (bytes.hasRemaining()) {
      at += channel.write(bytes, at);
    }
  }

  static Optional<MaskProgress> read(Path file) {
    try {
      String[] f = Files.readString(file, StandardCharsets.US_ASCII).strip().split(" ");
      if (f.length != 4) {
        return Optional.empty();
      }
      return Optional.of(
          new MaskProgress(
              Long.parseLong(f[0]),
              Long.parseLong(f[1]),
              Long.parseLong(f[2]),
              Long.parseLong(f[3])));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }
}
