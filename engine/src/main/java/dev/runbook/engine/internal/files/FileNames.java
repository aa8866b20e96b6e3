package dev.runbook.engine.internal.files;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * File names as the bytes the kernel holds, whatever the locale (see ADR 0015).
 *
 * <p>The JDK turns names into strings with {@code sun.jnu.encoding}, fixed at start-up from {@code
 * LANG}/{@code LC_ALL} (on Java 17 {@code -Dsun.jnu.encoding} is ignored): under the C locale every
 * non-ASCII byte reads as U+FFFD and {@code Path.of("é")} throws; under UTF-8 a byte that is not
 * valid UTF-8 reads as U+FFFD, so {@code caf\xE9} and {@code caf\xEA} read alike. A {@link Path}
 * the JDK made from a directory listing or {@code readlink} still holds the raw bytes, though, its
 * {@code file:} URI percent-encodes exactly those bytes, and {@link Path#of(URI)} decodes them
 * back: a bridge between bytes and paths that no locale touches.
 *
 * <p>Names travel as <em>name text</em>: the bytes decoded as UTF-8, where each byte that is not
 * part of valid UTF-8 becomes one lone surrogate U+DC80..U+DCFF (Python's {@code surrogateescape},
 * PEP 383). A valid UTF-8 name reads as itself; every byte string has exactly one name text, and
 * {@link #encode} gives the bytes back. Such text never leaves the engine as is: manifests write
 * its bytes in base64, messages show the escapes as {@code \xE9} (as {@code ls -b} does).
 */
final class FileNames {
  private static final char ESCAPE_BASE = 0xDC00;
  private static final Path ROOT = Path.of("/");
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private FileNames() {}

  /** The bytes of a path the JDK made or {@link #path} made; absolute or relative. */
  static byte[] bytes(Path path) {
    String text = path.toString();
    if (isAscii(text)) {
      // A byte of 0x80 or more never decodes to ASCII, whatever the JDK's name encoding.
      return text.getBytes(StandardCharsets.US_ASCII);
    }
    boolean absolute = path.isAbsolute();
    String raw = (absolute ? path : ROOT.resolve(path)).toUri().getRawPath();
    // toUri() appends a slash to a directory's name; the path's own trailing slash shows in text.
    if (raw.length() > 1 && raw.endsWith("/") && !text.endsWith("/")) {
      raw = raw.substring(0, raw.length() - 1);
    }
    byte[] decoded = percentDecode(raw);
    if (absolute) {
      return decoded;
    }
    byte[] relative = new byte[decoded.length - 1];
    System.arraycopy(decoded, 1, relative, 0, relative.length);
    return relative;
  }

  /** The name text of a path (see the class comment). */
  static String text(Path path) {
    return decode(bytes(path));
  }

  /** A path from name text, absolute if it starts with {@code /}; empty segments are dropped. */
  static Path path(String text) {
    Path result = text.startsWith("/") ? ROOT : null;
    for (String segment : text.split("/")) {
      if (segment.isEmpty()) {
        continue;
      }
      Path name = segment(segment);
      result = result == null ? name : result.resolve(name);
    }
    if (result == null) {
      throw new IllegalArgumentException("empty path");
    }
    return result;
  }

  /** {@code dir} with the name text {@code relative} resolved against it. */
  static Path resolve(Path dir, String relative) {
    return dir.resolve(path(relative));
  }

  private static Path segment(String segment) {
    if (isAscii(segment)) {
      return Path.of(segment);
    }
    byte[] bytes = encode(segment);
    StringBuilder uri = new StringBuilder("file:///");
    for (byte b : bytes) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
        uri.append((char) c);
      } else {
        uri.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
      }
    }
    return Path.of(URI.create(uri.toString())).getFileName();
  }

  /** Name text of bytes: UTF-8, each byte outside valid UTF-8 as U+DC80..U+DCFF. */
  static String decode(byte[] bytes) {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    while (true) {
      CoderResult result = decoder.decode(in, out, true);
      if (result.isUnderflow()) {
        break;
      }
      // Malformed or unmappable: escape the bad bytes one by one, then go on decoding.
      for (int i = 0; i < result.length(); i++) {
        out.put((char) (ESCAPE_BASE | (in.get() & 0xff)));
      }
    }
    decoder.flush(out);
    return out.flip().toString();
  }

  /**
   * The bytes of name text: the inverse of {@link #decode}.
   *
   * @throws IllegalArgumentException for a NUL or a lone surrogate that is not an escape
   */
  static byte[] encode(String text) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(text.length() + 8);
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      int units = Character.charCount(cp);
      if (cp == 0) {
        throw new IllegalArgumentException("a name holds NUL");
      }
      if (units == 1 && Character.isSurrogate((char) cp)) {
        if (cp < 0xDC80 || cp > 0xDCFF) {
          throw new IllegalArgumentException(
              "a name holds the lone surrogate U+" + Integer.toHexString(cp).toUpperCase());
        }
        out.write(cp & 0xff);
      } else {
        byte[] utf8 = text.substring(i, i + units).getBytes(StandardCharsets.UTF_8);
        out.write(utf8, 0, utf8.length);
      }
      i += units;
    }
    return out.toByteArray();
  }

  /** Whether {@link #encode} accepts {@code text}. */
  static boolean isEncodable(String text) {
    try {
      encode(text);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Whether name text is plain valid UTF-8 (holds no escaped byte). */
  static boolean isUtf8(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isLowSurrogate(c)
          && (i == 0 || !Character.isHighSurrogate(text.charAt(i - 1)))) {
        return false;
      }
    }
    return true;
  }

  /** Name text for a message: each escaped byte as {@code \xE9}, the rest as is. */
  static String shown(String text) {
    if (isUtf8(text)) {
      return text;
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean escape =
          c >= 0xDC80 && c <= 0xDCFF && (i == 0 || !Character.isHighSurrogate(text.charAt(i - 1)));
      if (escape) {
        out.append("\\x").append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** A path for a message, byte-exact whatever the locale: {@code /srv/caf\xE9}. */
  static String shown(Path path) {
    return shown(text(path));
  }

  private static boolean isAscii(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == 0 || c >= 0x80) {
        return false;
      }
    }
    return true;
  }

  private static byte[] percentDecode(String raw) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        out.write(Integer.parseInt(raw, i + 1, i + 3, 16));
        i += 2;
      } else {
        out.write(c);
      }
    }
    return out.toByteArray();
  }
}
