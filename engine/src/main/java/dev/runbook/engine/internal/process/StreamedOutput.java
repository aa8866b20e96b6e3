package dev.runbook.engine.internal.process;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The output of a step whose bytes come from somewhere other than a child process (a container's
 * log, a command run in a container): written to the step log and, for stdout, to the stdout file,
 * with secrets masked and lines handed to a listener, exactly as a process step's output is.
 *
 * <p>Thread-safe: the two streams may be written from different threads. Memory is bounded: a
 * masker's hold-back per stream, a partial line, and the last {@link #TAIL_LINES} lines.
 */
public final class StreamedOutput implements AutoCloseable {
  static final int TAIL_LINES = 20;

  private final OutputFile log;
  private final OutputFile stdout;
  private final Set<String> secrets;
  private final LineDispatcher dispatcher;
  private final OutputTail tail = new OutputTail(TAIL_LINES);
  private final List<String> problems = new ArrayList<>();
  private final Stream[] streams = new Stream[2];
  private boolean closed;

  /** One source's masker and line splitter: each stream is masked and split on its own. */
  private final class Stream {
    final SecretMasker masker = new SecretMasker(secrets);
    final LineAssembler lines;
    final ByteBuf masked = new ByteBuf(8192);

    Stream(LineListener.Source source) {
      lines =
          new LineAssembler(
              line -> {
                tail.add(line);
                if (dispatcher != null) {
                  dispatcher.offer(source, line);
                }
              });
    }
  }

  private StreamedOutput(
      FileChannel log,
      Path logFile,
      FileChannel stdout,
      Path stdoutFile,
      Collection<String> secrets,
      LineListener listener) {
    this.secrets = Set.copyOf(secrets);
    this.log = new OutputFile(log, "the step log " + logFile, problems::add);
    this.stdout =
        stdout == null
            ? null
            : new OutputFile(stdout, "the stdout file " + stdoutFile, problems::add);
    this.dispatcher = listener == null ? null : new LineDispatcher(listener, problems::add);
    streams[0] = new Stream(LineListener.Source.STDOUT);
    streams[1] = new Stream(LineListener.Source.STDERR);
  }

  /**
   * Opens the step log for appending and the stdout file (if any) from empty, both owner-only.
   *
   * @param listener receives each line, masked; may be null
   * @throws IOException if a file cannot be opened
   */
  public static StreamedOutput open(
      Path logFile, Optional<Path> stdoutFile, Collection<String> secrets, LineListener listener)
      throws IOException {
    FileChannel log = OwnerOnlyFiles.append(logFile);
    FileChannel stdout = null;
    try {
      if (stdoutFile.isPresent()) {
        stdout = OwnerOnlyFiles.truncate(stdoutFile.get());
      }
    } catch (IOException | RuntimeException e) {
      log.close();
      throw e;
    }
    return new StreamedOutput(log, logFile, stdout, stdoutFile.orElse(null), secrets, listener);
  }

  /** Appends bytes from {@code source}; stdout also goes to the stdout file. */
  public synchronized void write(LineListener.Source source, byte[] b, int off, int len) {
    if (closed) {
      return;
    }
    Stream s = streams[source.ordinal()];
    s.masked.clear();
    s.masker.mask(b, off, len, s.masked);
    pass(source, s);
  }

  private void pass(LineListener.Source source, Stream s) {
    byte[] bytes = s.masked.array();
    int size = s.masked.size();
    if (size == 0) {
      return;
    }
    log.write(bytes, 0, size);
    if (source == LineListener.Source.STDOUT && stdout != null) {
      stdout.write(bytes, 0, size);
    }
    s.lines.accept(bytes, 0, size);
  }

  /** Appends a line of the engine's own to the log (marked as such), masked. */
  public synchronized void note(String text) {
    String masked = SecretMasker.maskAll(text, secrets);
    log.note(masked);
    tail.add(OutputFile.NOTE_PREFIX + masked);
    if (dispatcher != null) {
      dispatcher.offer(LineListener.Source.STDERR, OutputFile.NOTE_PREFIX + masked);
    }
  }

  /** {@code text} with every secret replaced by {@code ***}: for messages about this output. */
  public String mask(String text) {
    return SecretMasker.maskAll(text, secrets);
  }

  /** The last lines written, masked, oldest first; never null. */
  public List<String> tail() {
    return tail.lines();
  }

  /** Flushes what the maskers held back, delivers the pending lines, and closes the files. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      for (LineListener.Source source : LineListener.Source.values()) {
        Stream s = streams[source.ordinal()];
        s.masked.clear();
        s.masker.finish(s.masked);
        pass(source, s);
        s.lines.finish();
      }
      closed = true;
    }
    if (dispatcher != null) {
      try {
        dispatcher.finish(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (String problem : problems) {
      log.note(problem);
    }
    log.close();
    if (stdout != null) {
      stdout.close();
    }
  }
}
