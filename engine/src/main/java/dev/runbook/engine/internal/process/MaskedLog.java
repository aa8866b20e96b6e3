package dev.runbook.engine.internal.process;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.function.Consumer;

/**
 * Where a process's masked output goes: the step log, the stdout copy (if any), and after each
 * write the {@link MaskProgress} that lets a resume pick up exactly where this left off.
 * Thread-safe: both streams' pumps and the runner's notes write here.
 */
final class MaskedLog implements AutoCloseable {
  private final OutputFile log;
  private final FileChannel logChannel;
  private final OutputFile copy;
  private final FileChannel copyChannel;
  private final FileChannel progressChannel;
  private final Consumer<String> problems;
  private MaskProgress progress;
  private boolean progressFailed;

  MaskedLog(
      FileChannel log,
      String logName,
      FileChannel copy,
      String copyName,
      FileChannel progressChannel,
      MaskProgress progress,
      Consumer<String> problems) {
    this.logChannel = log;
    this.log = new OutputFile(log, logName, problems);
    this.copyChannel = copy;
    this.copy = copy == null ? null : new OutputFile(copy, copyName, problems);
    this.progressChannel = progressChannel;
    this.progress = progress;
    this.problems = problems;
  }

  /**
   * Appends masked bytes of {@code source}; {@code rawOffset} is where the raw bytes they came from
   * end (the masker holds nothing back from before it).
   */
  synchronized void write(LineListener.Source source, ByteBuf masked, long rawOffset) {
    if (masked.size() > 0) {
      log.write(masked.array(), 0, masked.size());
      if (copy != null && source == LineListener.Source.STDOUT) {
        copy.write(masked.array(), 0, masked.size());
      }
    }
    if (rawOffset != progress.offset(source)) {
      record(progress.with(source, rawOffset, 0, 0));
    }
  }

  /**
   * Why some output never reached the step log or the stdout copy (the disk filled up, say), or
   * empty when all of it did.
   */
  java.util.Optional<String> failure() {
    return log.failure().or(() -> copy == null ? java.util.Optional.empty() : copy.failure());
  }

  /** Appends a line of the engine's own, marked as such. */
  synchronized void note(String text) {
    log.note(text);
    record(progress);
  }

  private void record(MaskProgress next) {
    if (progressChannel == null || progressFailed) {
      progress = next;
      return;
    }
    try {
      progress =
          new MaskProgress(
              next.out(),
              next.err(),
              logChannel.size(),
              copyChannel == null ? 0 : copyChannel.size());
      progress.writeTo(progressChannel);
    } catch (IOException e) {
      progressFailed = true;
      problems.accept(
          "could not record how far the output was written ("
              + e.getMessage()
              + "); a resume after the engine dies may repeat some of it in the log");
    }
  }

  @Override
  public synchronized void close() {
    log.close();
    if (copy != null) {
      copy.close();
    }
    if (progressChannel != null) {
      try {
        progressChannel.close();
      } catch (IOException e) {
        // only read by a resume, which finds the last record written
      }
    }
  }
}
