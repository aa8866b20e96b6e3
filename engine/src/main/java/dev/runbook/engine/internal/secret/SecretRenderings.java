package dev.runbook.engine.internal.secret;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;
import org.json.JSONObject;

/**
 * Every form in which a secret can appear in text that reaches an output: the forms the engine
 * itself renders values in (JSON as the journal, the JSON outputs and http check details write it;
 * a shell word as a plan quotes it), and those a step's program commonly prints (JSON with
 * non-ASCII escaped, a URL's query or path, a line of a secret that spans lines).
 *
 * <p>Masking every form, not only the value as given, is what keeps {@code "pa\"ss"} (the JSON form
 * of {@code pa"ss}) out of a failure message that quotes it. Forms are escaped text without the
 * surrounding quotes, so that they also match inside a longer quoted string.
 */
public final class SecretRenderings {
  /**
   * A line of a secret that spans lines is masked on its own only from this length: a shorter piece
   * ({@code }}, {@code --}) would mask ordinary text everywhere. The whole secret is always masked,
   * whatever its length.
   */
  static final int MIN_LINE_PIECE = 4;

  private SecretRenderings() {}

  /** The forms of {@code secret}, the secret itself first; empty for an empty secret. */
  public static Set<String> of(String secret) {
    Set<String> forms = new LinkedHashSet<>();
    if (secret.isEmpty()) {
      return forms;
    }
    forms.add(secret);
    // JSON, as org.json writes it (journal, JSON outputs, http check details) ...
    forms.add(unquoted(JSONObject.quote(secret)));
    // ... as most writers do (only quote, backslash and control characters escaped), which is
    // also a Java or YAML double-quoted string's escaping ...
    forms.add(jsonEscaped(secret, false, false));
    // ... and with everything beyond ASCII escaped too (Python's json.dumps, Jackson's option).
    forms.add(jsonEscaped(secret, true, false));
    forms.add(jsonEscaped(secret, true, true));
    // A shell word: inside single quotes ('it'\''s', or 'it'"'"'s), inside double quotes.
    forms.add(secret.replace("'", "'\\''"));
    forms.add(secret.replace("'", "'\"'\"'"));
    forms.add(shellDoubleQuoted(secret));
    // URL-encoded: as a form field (space as +) and as a path (space as %20), either hex case.
    String form = URLEncoder.encode(secret, StandardCharsets.UTF_8);
    forms.add(form);
    forms.add(form.replace("+", "%20"));
    forms.add(lowerHex(form));
    forms.add(lowerHex(form.replace("+", "%20")));
    forms.add(percentEncodedStrictly(secret));
    // Around line ends: read from a file with its final newline, written with CRLF, or split.
    String chomped = secret.replaceAll("[\r\n]+$", "");
    if (!chomped.isEmpty() && !chomped.equals(secret)) {
      forms.addAll(of(chomped));
    }
    if (secret.indexOf('\n') >= 0 || secret.indexOf('\r') >= 0) {
      forms.add(secret.replace("\r\n", "\n").replace("\n", "\r\n"));
      for (String line : secret.split("\r\n|\r|\n")) {
        String piece = line.strip();
        if (piece.length() >= MIN_LINE_PIECE) {
          forms.add(piece);
          forms.add(unquoted(JSONObject.quote(piece)));
          forms.add(jsonEscaped(piece, false, false));
        }
      }
    }
    forms.remove("");
    return forms;
  }

  private static String unquoted(String quoted) {
    return quoted.substring(1, quoted.length() - 1);
  }

  private static String jsonEscaped(String text, boolean asciiOnly, boolean upperHex) {
    StringBuilder out = new StringBuilder(text.length() + 8);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20 || (asciiOnly && c > 0x7f)) {
            out.append(String.format(upperHex ? "\\u%04X" : "\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }

  private static String shellDoubleQuoted(String text) {
    StringBuilder out = new StringBuilder(text.length() + 8);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"' || c == '\\' || c == '$' || c == '`') {
        out.append('\\');
      }
      out.append(c);
    }
    return out.toString();
  }

  /** RFC 3986: everything but the unreserved characters as %XX. */
  private static String percentEncodedStrictly(String text) {
    StringBuilder out = new StringBuilder(text.length() * 3);
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c >= 'A' && c <= 'Z'
          || c >= 'a' && c <= 'z'
          || c >= '0' && c <= '9'
          || "-._~".indexOf(c) >= 0) {
        out.append((char) c);
      } else {
        out.append('%')
            .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }

  /** {@code %2F} as {@code %2f}: the hex digits of each escape in lower case, nothing else. */
  private static String lowerHex(String encoded) {
    StringBuilder out = new StringBuilder(encoded);
    for (int i = 0; i + 2 < out.length(); i++) {
      if (out.charAt(i) == '%') {
        out.setCharAt(i + 1, Character.toLowerCase(out.charAt(i + 1)));
        out.setCharAt(i + 2, Character.toLowerCase(out.charAt(i + 2)));
        i += 2;
      }
    }
    return out.toString();
  }
}
