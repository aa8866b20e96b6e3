package dev.runbook.engine.journal;

import dev.runbook.dsl.CappedFile;
import dev.runbook.engine.ErrorCode;
import dev.runbook.engine.IoProblems;
import dev.runbook.engine.RunbookException;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.json.JSONException;
import org.json.JSONObject;

/**
 * The append-only journal of one run: {@code journal.jsonl}, one JSON object per line.
 *
 * <p>Each line carries {@code seq}, {@code ts}, {@code type}, the record's fields and, last, a
 * {@code crc}: the CRC32C of the line's text before the {@code crc} field, closed with {@code }}. A
 * line is on disk ({@code fdatasync}) before {@link #append} returns (see {@link #appendUnsynced}
 * for the records that may wait for the next one), and the directory is synced when the file is
 * created, so a record the engine acted on survives a crash. Reading drops a torn last line (a
 * crash mid-write) and refuses corruption anywhere else, naming the line. Not thread-safe: one
 * writer per run.
 */
public final class Journal implements Closeable {
  public static final String FILE_NAME = "journal.jsonl";
  private static final String CRC_FIELD = ",\"crc\":\"";
  private static final byte[] CRC_FIELD_BYTES = CRC_FIELD.getBytes(StandardCharsets.UTF_8);

  /** How much of a damaged journal {@link #rawLinesFrom} shows. */
  private static final int RAW_LINES = 1000;

  private static final int RAW_LINE_CHARS = 4096;

  /** A first line longer than this is no record of ours. */
  private static final int MAX_FIRST_LINE = 1 << 20;

  /** A line ends with the crc's eight hex digits, then {@code "}}. */
  private static final int CRC_HEX_AND_CLOSE = 10;

  private final Path file;
  private final FileChannel channel;
  private final Clock clock;
  private final Contents contents;
  private long seq;

  /** Why appending is no longer safe (a partial line could not be taken back); null while it is. */
  private IOException broken;

  /** Whether records were written since the last sync. */
  private boolean unsynced;

  private Journal(Path file, FileChannel channel, Clock clock, Contents contents) {
    this.file = file;
    this.channel = channel;
    this.clock = clock;
    this.contents = contents;
    this.seq =
        contents.records().isEmpty()
            ? 0
            : contents.records().get(contents.records().size() - 1).seq();
  }

  /** Creates the journal of a new run in {@code runDir} (which must exist). */
  public static Journal create(Path runDir, Clock clock) {
    Path file = runDir.resolve(FILE_NAME);
    try {
      FileChannel channel =
          FileChannel.open(
              file,
              EnumSet.of(
                  StandardOpenOption.CREATE_NEW,
                  StandardOpenOption.WRITE,
                  StandardOpenOption.APPEND),
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      syncDirectory(runDir);
      return new Journal(file, channel, clock, new Contents(List.of(), 0, false, Optional.empty()));
    } catch (IOException e) {
      throw cannotWrite(file, e);
    }
  }

  /**
   * Opens an existing journal to append to it, after reading it. A torn last line is cut off the
   * file first, so new records never follow garbage.
   */
  public static Journal reopen(Path runDir, Clock clock) {
    return open(runDir.resolve(FILE_NAME), clock, read(runDir.resolve(FILE_NAME)));
  }

  /**
   * Like {@link #reopen(Path, Clock)}, but reuses {@code asRead}, a read of the same file made
   * before (for the run's summary), when the file still has the size it had then: a journal only
   * grows, so a file of that size holds exactly those records. One that grew since (another process
   * appended before this one took the run's lock) is read again. Reading a long journal is most of
   * what a resume costs before its first step.
   */
  public static Journal reopen(Path runDir, Clock clock, Contents asRead) {
    Path file = runDir.resolve(FILE_NAME);
    long size;
    try {
      size = Files.size(file);
    } catch (IOException e) {
      throw new RunbookException(
          ErrorCode.INVALID_INPUT, "cannot read the journal " + IoProblems.describe(file, e));
    }
    return open(file, clock, size == asRead.validLength() ? asRead : read(file));
  }

  private static Journal open(Path file, Clock clock, Contents contents) {
    if (contents.damage().isPresent()) {
      throw damaged(file, contents.damage().get());
    }
    try {
      FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE);
      channel.truncate(contents.validLength());
      channel.force(true);
      channel.position(contents.validLength());
      return new Journal(file, channel, clock, contents);
    } catch (IOException e) {
      throw cannotWrite(file, e);
    }
  }

  /**
   * The refusal to continue a run whose journal is damaged: nothing may follow corruption, and
   * nothing of it is cut, so that an operator can see what happened.
   */
  public static RunbookException damaged(Path file, Damage damage) {
    String runId = file.getParent() == null ? "RUN_ID" : file.getParent().getFileName().toString();
    return new RunbookException(
        ErrorCode.INVALID_INPUT,
        List.of(file + ":" + damage.line() + ": error: damaged journal line: " + damage.problem()),
        "run " + runId + " cannot be continued: its journal is damaged at line " + damage.line(),
        "see what can be read with `runbook status "
            + runId
            + "` and every line as written with `runbook log "
            + runId
            + "`; the journal is left as it is",
        null);
  }

  /** What the file held when this journal was opened: empty for a new one. */
  public Contents contents() {
    return contents;
  }

  /**
   * Appends one event and waits until it is on disk, with every event appended before it: what the
   * engine is about to do is journaled this way before it does it.
   */
  public synchronized JournalRecord append(JournalEvent event) {
    JournalRecord record = write(event.type(), JournalCodec.encode(event));
    sync();
    return record;
  }

  /**
   * Appends one event without waiting for the disk: it is in the file at once, for {@code status},
   * {@code log --follow} and a resume after the engine died (what a process wrote survives its
   * death), and on disk with the next {@link #append} or at {@link #close}. Only a crash of the
   * whole machine in between loses it, so it is for events a resume does without after such a
   * crash: the result of a step, when the next step's start is journaled with {@link #append}
   * before that step acts (a resume then sees the step in flight and decides as for one the engine
   * died in), or a process's pid, which means nothing once the machine restarted. One sync then
   * covers a step's result and the next step's start.
   */
  public synchronized JournalRecord appendUnsynced(JournalEvent event) {
    return write(event.type(), JournalCodec.encode(event));
  }

  private JournalRecord write(String type, JSONObject data) {
    long next = seq + 1;
    Instant now = clock.instant();
    String fields = new JSONObject(data.toMap()).toString();
    String body =
        "{\"seq\":"
            + next
            + ",\"ts\":\""
            + now
            + "\",\"type\":"
            + JSONObject.quote(type)
            + (fields.length() == 2 ? "" : "," + fields.substring(1, fields.length() - 1));
    String text = body + CRC_FIELD + crc(body + "}") + "\"}\n";
    if (broken != null) {
      throw cannotWrite(file, broken);
    }
    long before = -1;
    try {
      before = channel.position();
      ByteBuffer buffer = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    } catch (IOException e) {
      cutPartialLine(before, e);
      throw cannotWrite(file, e);
    }
    unsynced = true;
    seq = next;
    return new JournalRecord(next, now, type, data);
  }

  /**
   * Takes back the part of a line a failed write left (a full disk takes some bytes of a line and
   * refuses the rest), so that a later line cannot follow it and turn a torn write into damage in
   * the middle of the journal. If that fails too, nothing more is written.
   */
  private void cutPartialLine(long before, IOException cause) {
    if (before < 0) {
      // where the line began is not known: nothing is cut, and nothing more is written
      broken = cause;
      return;
    }
    try {
      if (channel.size() > before) {
        channel.truncate(before);
      }
    } catch (IOException e) {
      cause.addSuppressed(e);
      broken = cause;
    }
  }

  private void sync() {
    if (!unsynced) {
      return;
    }
    try {
      channel.force(false);
    } catch (IOException e) {
      throw cannotWrite(file, e);
    }
    unsynced = false;
  }

  private static RunbookException cannotWrite(Path file, IOException e) {
    return new RunbookException(
        ErrorCode.NEEDS_OPERATOR,
        "cannot write the journal " + IoProblems.describe(file, e),
        "the run stops here so that it stays resumable; free space (or make the state directory"
            + " writable), then `runbook resume "
            + (file.getParent() == null ? "" : file.getParent().getFileName())
            + "`",
        e);
  }

  public Path file() {
    return file;
  }

  /** Puts what was appended without a sync on disk, then closes the file. */
  @Override
  public synchronized void close() {
    try {
      if (unsynced && channel.isOpen()) {
        channel.force(false);
      }
      channel.close();
    } catch (IOException e) {
      throw cannotWrite(file, e);
    }
  }

  /**
   * What a journal file holds.
   *
   * @param records the valid records in order, up to the damage if there is one
   * @param validLength bytes of the file that hold them (a torn tail or the damage starts here)
   * @param tornTail whether a torn last line (no final newline: a crash mid-write) was dropped
   * @param damage the first complete line that is not a valid record; empty for a sound journal
   */
  public record Contents(
      List<JournalRecord> records, long validLength, boolean tornTail, Optional<Damage> damage) {
    public Contents {
      records = List.copyOf(records);
      java.util.Objects.requireNonNull(damage, "damage");
    }
  }

  /**
   * A complete journal line that is not a valid record: corruption (a bad checksum, a sequence gap,
   * a line that is not JSON), never a torn write, which has no final newline. What precedes it can
   * be read; nothing may be appended after it.
   *
   * @param line its 1-based line number
   * @param problem what is wrong with it, in a few words
   */
  public record Damage(long line, String problem) {}

  /** The journal of a new run is far smaller than this; a larger file is not read. */
  static final long MAX_SIZE = 256L * 1024 * 1024;

  /**
   * Reads and checks a journal file: a torn last line is dropped, a damaged line ends the reading
   * and is reported in {@link Contents#damage()}.
   *
   * @throws RunbookException (exit 2) if the file cannot be read at all: missing, unreadable, not a
   *     regular file, or larger than {@value #MAX_SIZE} bytes
   */
  public static Contents read(Path file) {
    byte[] bytes;
    try {
      bytes = CappedFile.read(file, MAX_SIZE);
    } catch (IOException e) {
      throw new RunbookException(
          ErrorCode.INVALID_INPUT, "cannot read the journal " + IoProblems.describe(file, e));
    }
    List<JournalRecord> records = new ArrayList<>();
    int start = 0;
    int lineNo = 0;
    while (start < bytes.length) {
      lineNo++;
      int end = start;
      while (end < bytes.length && bytes[end] != '\n') {
        end++;
      }
      if (end == bytes.length) {
        // no final newline: the write of the last line was cut short
        return new Contents(records, start, true, Optional.empty());
      }
      try {
        records.add(parse(bytes, start, end, records.size() + 1));
      } catch (BadLine e) {
        return new Contents(records, start, false, Optional.of(new Damage(lineNo, e.getMessage())));
      }
      start = end + 1;
    }
    return new Contents(records, bytes.length, false, Optional.empty());
  }

  /**
   * The lines of a journal file from byte {@code offset} on (for a damaged journal, its {@link
   * Contents#validLength()}), as written: for an operator to see what the damage is. Each line is
   * decoded leniently, its control characters shown as Java escapes (backslash, u, four hex
   * digits), and cut at {@value #RAW_LINE_CHARS} characters; at most {@value #RAW_LINES} lines.
   */
  public static List<String> rawLinesFrom(Path file, long offset) {
    byte[] bytes;
    try {
      bytes = CappedFile.read(file, MAX_SIZE);
    } catch (IOException e) {
      throw new RunbookException(
          ErrorCode.INVALID_INPUT, "cannot read the journal " + IoProblems.describe(file, e));
    }
    List<String> lines = new ArrayList<>();
    int start = (int) Math.min(offset, bytes.length);
    while (start < bytes.length && lines.size() < RAW_LINES) {
      int end = start;
      while (end < bytes.length && bytes[end] != '\n') {
        end++;
      }
      lines.add(shown(new String(bytes, start, end - start, StandardCharsets.UTF_8)));
      start = end + 1;
    }
    return lines;
  }

  private static String shown(String line) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < line.length() && out.length() < RAW_LINE_CHARS; i++) {
      char c = line.charAt(i);
      if (Character.isISOControl(c)) {
        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return line.length() > out.length() && out.length() >= RAW_LINE_CHARS
        ? out + " [cut at " + RAW_LINE_CHARS + " characters]"
        : out.toString();
  }

  /**
   * The first record of a journal file, read without reading the rest: empty when the file cannot
   * be read or its first line is not a whole, valid record. A command that needs only what the run
   * started with (its runbook file) can act on it while {@link #read} reads a long journal.
   */
  public static Optional<JournalRecord> readFirst(Path file) {
    try {
      CappedFile.refuseIfNotRegular(file);
    } catch (IOException e) {
      return Optional.empty();
    }
    try (InputStream in = Files.newInputStream(file)) {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      int n;
      while ((n = in.read(buffer)) > 0) {
        for (int i = 0; i < n; i++) {
          if (buffer[i] == '\n') {
            line.write(buffer, 0, i + 1);
            byte[] bytes = line.toByteArray();
            try {
              return Optional.of(parse(bytes, 0, bytes.length - 1, 1));
            } catch (BadLine e) {
              return Optional.empty();
            }
          }
        }
        line.write(buffer, 0, n);
        if (line.size() > MAX_FIRST_LINE) {
          return Optional.empty();
        }
      }
      return Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Why a complete line is not a record; no stack trace, it is not a bug. */
  private static final class BadLine extends Exception {
    private static final long serialVersionUID = 1L;

    BadLine(String problem) {
      super(problem, null, false, false);
    }
  }

  /**
   * The record on {@code bytes[start, end)}.
   *
   * @throws BadLine when the line is not one: no crc field last, a checksum that does not match,
   *     bad JSON, or a sequence gap. The checksum is computed on the bytes as they are, with no
   *     copy of the line as text but the one parsed: reading a journal of 100,000 records is most
   *     of a resume's work outside the runbook's load.
   */
  private static JournalRecord parse(byte[] bytes, int start, int end, long expectedSeq)
      throws BadLine {
    int length = end - start;
    int crcStart = end - CRC_HEX_AND_CLOSE;
    int fieldStart = crcStart - CRC_FIELD_BYTES.length;
    if (length < CRC_FIELD_BYTES.length + CRC_HEX_AND_CLOSE
        || bytes[end - 2] != '"'
        || bytes[end - 1] != '}'
        || !Arrays.equals(
            bytes, fieldStart, crcStart, CRC_FIELD_BYTES, 0, CRC_FIELD_BYTES.length)) {
      throw new BadLine(length == 0 ? "an empty line" : "no checksum at the end of the line");
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, start, fieldStart - start);
    crc.update('}');
    if (hex(bytes, crcStart, crcStart + 8) != crc.getValue()) {
      throw new BadLine("the checksum does not match the line");
    }
    JSONObject json;
    try {
      // The object without its crc field, as the checksum covers it (a record's data may have a
      // field of that name too).
      byte[] body = Arrays.copyOfRange(bytes, start, fieldStart + 1);
      body[body.length - 1] = '}';
      json = new JSONObject(new String(body, StandardCharsets.UTF_8));
    } catch (JSONException e) {
      throw new BadLine("not a JSON object");
    }
    long seq = json.optLong("seq", -1);
    if (seq != expectedSeq) {
      throw new BadLine("sequence number " + seq + " where " + expectedSeq + " was expected");
    }
    try {
      Instant ts = Timestamps.parse(json.getString("ts"));
      String type = json.getString("type");
      json.remove("seq");
      json.remove("ts");
      json.remove("type");
      return new JournalRecord(seq, ts, type, json);
    } catch (JSONException | java.time.DateTimeException e) {
      throw new BadLine("no valid time or type");
    }
  }

  /** The value of the hex digits {@code bytes[from, to)}, or -1 if one is not. */
  private static long hex(byte[] bytes, int from, int to) {
    long value = 0;
    for (int i = from; i < to; i++) {
      int digit = Character.digit(bytes[i], 16);
      if (digit < 0) {
        return -1;
      }
      value = value << 4 | digit;
    }
    return value;
  }

  private static String crc(String text) {
    CRC32C crc = new CRC32C();
    crc.update(text.getBytes(StandardCharsets.UTF_8));
    return String.format(Locale.ROOT, "%08x", crc.getValue());
  }

  private static void syncDirectory(Path dir) throws IOException {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    }
  }
}
