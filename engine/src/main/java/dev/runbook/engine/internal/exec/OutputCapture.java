package dev.runbook.engine.internal.exec;

import dev.runbook.dsl.expr.BoundedRegex;
import dev.runbook.dsl.model.OutputSpec;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.json.JSONException;
import org.json.JSONObject;
import org.json.JSONPointer;
import org.json.JSONTokener;

/**
 * Captures a declared output from a step's stdout (or a file): a regex's group 1 (else the whole
 * match) or a JSON Pointer into the text parsed as JSON.
 *
 * <p>Text up to {@link #WHOLE_TEXT_LIMIT} is matched as a whole (a regex may span lines); larger
 * output is matched line by line, each line on its first {@link #LINE_LIMIT} characters, so memory
 * stays bounded even for a gigabyte without a newline.
 */
public final class OutputCapture {
  static final long WHOLE_TEXT_LIMIT = 4L << 20;
  static final int LINE_LIMIT = 1 << 20;

  private OutputCapture() {}

  /** The captured value, or a one-line reason why there is none. */
  public record Captured(Optional<Object> value, String problem) {}

  public static Captured capture(OutputSpec spec, Optional<Path> source, Optional<String> text) {
    try {
      String where = source.map(p -> "the output").orElse("the response");
      if (spec.json().isPresent()) {
        String body = text.orElse(null);
        if (body == null) {
          if (source.isEmpty() || Files.size(source.get()) > WHOLE_TEXT_LIMIT) {
            return new Captured(Optional.empty(), where + " is too large to read as JSON");
          }
          body = Files.readString(source.get(), StandardCharsets.UTF_8);
        }
        Object json = new JSONTokener(body.strip()).nextValue();
        Object value = new JSONPointer(spec.json().get()).queryFrom(json);
        if (value == null) {
          return new Captured(Optional.empty(), spec.json().get() + " not found in " + where);
        }
        if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
          value = n.longValue();
        }
        return new Captured(Optional.of(value == JSONObject.NULL ? "" : value), "");
      }
      if (spec.regex().isEmpty()) {
        return whole(source, text, where);
      }
      Pattern pattern = Pattern.compile(spec.regex().get(), Pattern.MULTILINE);
      if (text.isPresent()) {
        return match(pattern, text.get(), where);
      }
      if (source.isEmpty() || !Files.exists(source.get())) {
        return new Captured(Optional.empty(), "no output to read");
      }
      if (Files.size(source.get()) <= WHOLE_TEXT_LIMIT) {
        return match(pattern, Files.readString(source.get(), StandardCharsets.UTF_8), where);
      }
      try (BufferedReader reader = Files.newBufferedReader(source.get(), StandardCharsets.UTF_8)) {
        Optional<Captured> found = matchByLine(pattern, reader, where);
        if (found.isPresent()) {
          return found.get();
        }
      }
      return new Captured(Optional.empty(), "no match for /" + pattern.pattern() + "/ in " + where);
    } catch (BoundedRegex.TooSlowException e) {
      return new Captured(Optional.empty(), "/" + spec.regex().orElse("") + "/: " + e.getMessage());
    } catch (JSONException e) {
      return new Captured(Optional.empty(), "not JSON, or no such field: " + e.getMessage());
    } catch (IOException e) {
      return new Captured(Optional.empty(), "cannot read the output: " + e.getMessage());
    }
  }

  /**
   * The whole text (a {@code file:} output with neither regex nor json), without its trailing line
   * breaks, as a shell's {@code $(cat file)} gives it.
   */
  private static Captured whole(Optional<Path> source, Optional<String> text, String where)
      throws IOException {
    String value = text.orElse(null);
    if (value == null) {
      if (source.isEmpty() || !Files.exists(source.get())) {
        return new Captured(Optional.empty(), "no output to read");
      }
      if (Files.size(source.get()) > WHOLE_TEXT_LIMIT) {
        return new Captured(Optional.empty(), where + " is too large to capture whole");
      }
      value = Files.readString(source.get(), StandardCharsets.UTF_8);
    }
    int end = value.length();
    while (end > 0 && (value.charAt(end - 1) == '\n' || value.charAt(end - 1) == '\r')) {
      end--;
    }
    return new Captured(Optional.of(value.substring(0, end)), "");
  }

  /**
   * The first line that matches, lines ending as {@link BufferedReader#readLine} ends them (at
   * {@code \n}, {@code \r} or {@code \r\n}) but cut at {@link #LINE_LIMIT} characters: {@code
   * readLine} would keep a whole line, however long.
   */
  private static Optional<Captured> matchByLine(
      Pattern pattern, BufferedReader reader, String where) throws IOException {
    char[] chunk = new char[8192];
    StringBuilder line = new StringBuilder();
    boolean pending = false;
    boolean afterCr = false;
    int n;
    while ((n = reader.read(chunk)) != -1) {
      int from = 0;
      for (int i = 0; i < n; i++) {
        char c = chunk[i];
        if (c == '\n' && afterCr) {
          afterCr = false;
          from = i + 1;
          continue;
        }
        afterCr = c == '\r';
        if (c == '\n' || c == '\r') {
          appendCapped(line, chunk, from, i);
          Captured captured = match(pattern, line.toString(), where);
          if (captured.value().isPresent()) {
            return Optional.of(captured);
          }
          line.setLength(0);
          from = i + 1;
          pending = false;
        }
      }
      appendCapped(line, chunk, from, n);
      pending |= from < n;
    }
    if (pending) {
      Captured captured = match(pattern, line.toString(), where);
      if (captured.value().isPresent()) {
        return Optional.of(captured);
      }
    }
    return Optional.empty();
  }

  private static void appendCapped(StringBuilder line, char[] chunk, int from, int to) {
    line.append(chunk, from, Math.max(0, Math.min(to - from, LINE_LIMIT - line.length())));
  }

  private static Captured match(Pattern pattern, String text, String where) {
    // a pattern that backtracks without end stops the whole capture (capture() reports it)
    Matcher m = BoundedRegex.matcher(pattern, text, BoundedRegex.LIMIT);
    if (!m.find()) {
      return new Captured(Optional.empty(), "no match for /" + pattern.pattern() + "/ in " + where);
    }
    String value = m.groupCount() >= 1 && m.group(1) != null ? m.group(1) : m.group();
    return new Captured(Optional.of(value), "");
  }
}
