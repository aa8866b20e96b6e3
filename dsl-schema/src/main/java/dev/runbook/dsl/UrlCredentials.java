package dev.runbook.dsl;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The password part of URLs in a text ({@code postgres://app:PASSWORD@host/db}): found, so that it
 * can be masked wherever the text is shown or kept, and a parameter that carries one can be told to
 * be {@code secret: true}.
 *
 * <p>A URL's authority runs from {@code ://} to the first {@code /}, {@code ?}, {@code #} or white
 * space (RFC 3986); its user information is what comes before the last {@code @} in it, and the
 * password what follows the first {@code :} there. A password written with a raw {@code /} ends the
 * authority early, as it does for every URL parser, and is not found.
 */
public final class UrlCredentials {
  /** How a masked password reads. */
  public static final String MASK = "***";

  private static final Pattern AUTHORITY =
      Pattern.compile("\\b[A-Za-z][A-Za-z0-9+.-]*://([^\\s/?#]*)");

  private UrlCredentials() {}

  /**
   * Every password in {@code text}, as written and, where it differs, percent-decoded: both are
   * what a program may print. May be empty, never null.
   */
  public static Set<String> passwords(String text) {
    Set<String> found = new LinkedHashSet<>();
    for (int[] span : spans(text)) {
      String written = text.substring(span[0], span[1]);
      found.add(written);
      decoded(written).ifPresent(found::add);
    }
    return found;
  }

  /** True if {@code text} holds a URL with a password (a masked one included). */
  public static boolean holdsPassword(String text) {
    return !spans(text).isEmpty();
  }

  /** True if {@code text} holds a URL whose password was masked by {@link #mask}. */
  public static boolean holdsMaskedPassword(String text) {
    for (int[] span : spans(text)) {
      if (text.substring(span[0], span[1]).equals(MASK)) {
        return true;
      }
    }
    return false;
  }

  /** {@code text} with the password of every URL in it replaced by {@value #MASK}. */
  public static String mask(String text) {
    List<int[]> spans = spans(text);
    if (spans.isEmpty()) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    int at = 0;
    for (int[] span : spans) {
      out.append(text, at, span[0]).append(MASK);
      at = span[1];
    }
    return out.append(text, at, text.length()).toString();
  }

  /** Where each password is: start and end, in order; never overlapping. */
  private static List<int[]> spans(String text) {
    List<int[]> spans = new ArrayList<>();
    if (text.indexOf("://") < 0) {
      return spans;
    }
    Matcher m = AUTHORITY.matcher(text);
    while (m.find()) {
      String authority = m.group(1);
      int at = authority.lastIndexOf('@');
      int colon = at < 0 ? -1 : authority.indexOf(':');
      if (colon >= 0 && colon < at - 1) {
        spans.add(new int[] {m.start(1) + colon + 1, m.start(1) + at});
      }
    }
    return spans;
  }

  private static Optional<String> decoded(String written) {
    if (written.indexOf('%') < 0) {
      return Optional.empty();
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int plain = 0;
    for (int i = 0; i < written.length(); i++) {
      if (written.charAt(i) != '%' || i + 2 >= written.length()) {
        continue;
      }
      int hi = Character.digit(written.charAt(i + 1), 16);
      int lo = Character.digit(written.charAt(i + 2), 16);
      if (hi >= 0 && lo >= 0) {
        bytes.writeBytes(written.substring(plain, i).getBytes(StandardCharsets.UTF_8));
        bytes.write(hi << 4 | lo);
        i += 2;
        plain = i + 1;
      }
    }
    bytes.writeBytes(written.substring(plain).getBytes(StandardCharsets.UTF_8));
    try {
      String text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes.toByteArray()))
              .toString();
      return text.equals(written) ? Optional.empty() : Optional.of(text);
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
  }
}
