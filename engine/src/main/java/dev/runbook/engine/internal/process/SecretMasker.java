package dev.runbook.engine.internal.process;

import dev.runbook.engine.internal.secret.Masking;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;

/**
 * Replaces every occurrence of a secret, in any of its {@linkplain Masking#forms() forms} (escaped
 * for JSON or a shell, URL-encoded, ...), in a byte stream with {@code ***}, whatever the chunks
 * the stream arrives in; not thread-safe (one per stream).
 *
 * <p>Matching is leftmost, then longest. Bytes that could still be the start of a secret are held
 * back until the next chunk decides (at most the longest secret's length minus one); so a secret
 * split across two reads is masked, and a short secret that is the start of a longer one never
 * unmasks the rest of the longer one.
 */
final class SecretMasker {
  static final String MASK = "***";
  private static final byte[] MASK_BYTES = MASK.getBytes(StandardCharsets.US_ASCII);

  /** Longest first, so the first full match found at a position is the longest. */
  private final byte[][] secrets;

  // The tables and the work buffer only when there are secrets: most runs have none, and a masker
  // is made for each stream of each step (the pair table alone is 64 KiB).
  private final boolean[] startsASecret;

  /**
   * Indexed by two bytes, first byte high: true if a secret may start with them. Most bytes of
   * ordinary output are ruled out by one look-up here, even where a secret's first byte is common.
   */
  private final boolean[] startsASecretPair;

  private final ByteBuf work;

  SecretMasker(Collection<String> secrets) {
    this.secrets =
        Masking.of(secrets).forms().stream()
            .map(s -> s.getBytes(StandardCharsets.UTF_8))
            .sorted(Comparator.comparingInt((byte[] b) -> b.length).reversed())
            .toArray(byte[][]::new);
    boolean any = this.secrets.length > 0;
    startsASecret = any ? new boolean[256] : null;
    startsASecretPair = any ? new boolean[256 * 256] : null;
    work = any ? new ByteBuf(8192) : null;
    for (byte[] secret : this.secrets) {
      int first = secret[0] & 0xff;
      startsASecret[first] = true;
      if (secret.length == 1) {
        Arrays.fill(startsASecretPair, first << 8, (first << 8) + 256, true);
      } else {
        startsASecretPair[first << 8 | secret[1] & 0xff] = true;
      }
    }
  }

  /** Masks a whole string at once, e.g. a message: every form of every secret. */
  static String maskAll(String text, Collection<String> secrets) {
    return Masking.of(secrets).mask(text);
  }

  /** Feeds a chunk; appends to {@code out} what is now certain. */
  void mask(byte[] b, int off, int len, ByteBuf out) {
    if (secrets.length == 0) {
      out.append(b, off, len);
      return;
    }
    work.append(b, off, len);
    int held = scan(out, false);
    work.dropFront(held);
  }

  /** How many bytes fed so far are held back, undecided: the last ones fed. */
  int held() {
    return work == null ? 0 : work.size();
  }

  /** Ends the stream: appends to {@code out} whatever was held back, masked. */
  void finish(ByteBuf out) {
    if (secrets.length == 0) {
      return;
    }
    scan(out, true);
    work.clear();
  }

  /**
   * Masks {@code work} into {@code out} and returns where the held-back bytes start (its size if
   * none are).
   */
  private int scan(ByteBuf out, boolean atEnd) {
    byte[] buf = work.array();
    int n = work.size();
    int emitted = 0;
    int i = 0;
    int lastPair = n - 1;
    while (i < n) {
      // The hot loop: skip what cannot start a secret, two bytes at a glance.
      while (i < lastPair && !startsASecretPair[(buf[i] & 0xff) << 8 | buf[i + 1] & 0xff]) {
        i++;
      }
      if (i == lastPair && !startsASecret[buf[i] & 0xff]) {
        i = n;
        break;
      }
      int matched = 0;
      boolean undecided = false;
      int available = n - i;
      for (byte[] secret : secrets) {
        int comparable = Math.min(available, secret.length);
        int k = 0;
        while (k < comparable && buf[i + k] == secret[k]) {
          k++;
        }
        if (k == secret.length) {
          matched = k;
          break;
        }
        if (k == available && !atEnd) {
          // A secret may still complete here: wait for more bytes.
          undecided = true;
          break;
        }
      }
      if (undecided) {
        out.append(buf, emitted, i - emitted);
        return i;
      }
      if (matched > 0) {
        out.append(buf, emitted, i - emitted);
        out.append(MASK_BYTES, 0, MASK_BYTES.length);
        i += matched;
        emitted = i;
      } else {
        i++;
      }
    }
    out.append(buf, emitted, n - emitted);
    return n;
  }
}
