package dev.runbook.engine.internal.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SecretMaskerTest {

  @Test
  void masksEveryOccurrence() {
    assertThat(mask("a hunter2 b hunter2hunter2", Set.of("hunter2"))).isEqualTo("a *** b ******");
  }

  @Test
  void masksASecretSplitAtEveryPossibleChunkBoundary() {
    String text = "before s3cr3t-value after; again s3cr3t-value";
    for (int first = 0; first <= text.length(); first++) {
      for (int second = first; second <= text.length(); second++) {
        assertThat(maskInChunks(text, Set.of("s3cr3t-value"), first, second))
            .as("split at %d and %d", first, second)
            .isEqualTo("before *** after; again ***");
      }
    }
  }

  @Test
  void masksASecretFedOneByteAtATime() {
    byte[] bytes = "x=pässwörd;\n".getBytes(StandardCharsets.UTF_8);
    SecretMasker masker = new SecretMasker(Set.of("pässwörd"));
    ByteBuf out = new ByteBuf(16);
    for (int i = 0; i < bytes.length; i++) {
      masker.mask(bytes, i, 1, out);
    }
    masker.finish(out);
    assertThat(string(out)).isEqualTo("x=***;\n");
  }

  @Test
  void aShortSecretThatStartsALongerOneNeverUnmasksTheRestOfIt() {
    Set<String> secrets = Set.of("abc", "abcdef");
    String text = "1 abcdef 2 abc 3 abcde";
    for (int split = 0; split <= text.length(); split++) {
      assertThat(maskInChunks(text, secrets, split, split))
          .as("split at %d", split)
          .isEqualTo("1 *** 2 *** 3 ***de");
    }
  }

  @Test
  void masksTheJsonFormOfASecretSplitAtEveryPossibleChunkBoundary() {
    String secret = "pa\"ss\\w\tord";
    String text = "{\"password\":\"pa\\\"ss\\\\w\\tord\"}";
    for (int first = 0; first <= text.length(); first++) {
      for (int second = first; second <= text.length(); second++) {
        assertThat(maskInChunks(text, Set.of(secret), first, second))
            .as("split at %d and %d", first, second)
            .isEqualTo("{\"password\":\"***\"}");
      }
    }
  }

  @Test
  void masksAMultiLineSecret() {
    assertThat(mask("key:\n-----BEGIN\nMIIE\n-----END\ndone", Set.of("-----BEGIN\nMIIE\n-----END")))
        .isEqualTo("key:\n***\ndone");
  }

  @Test
  void holdsBackOnlyWhatCouldStillBecomeASecret() {
    SecretMasker masker = new SecretMasker(Set.of("hunter2"));
    ByteBuf out = new ByteBuf(16);
    byte[] chunk = "progress: hun".getBytes(StandardCharsets.UTF_8);
    masker.mask(chunk, 0, chunk.length, out);
    assertThat(string(out)).isEqualTo("progress: ");

    out.clear();
    masker.finish(out);
    assertThat(string(out)).isEqualTo("hun");
  }

  @Test
  void withoutSecretsPassesBytesThrough() {
    assertThat(mask("nothing to hide *** here", Set.of())).isEqualTo("nothing to hide *** here");
  }

  @Test
  void masksWholeStringsLongestFirst() {
    assertThat(SecretMasker.maskAll("cannot run `abcdef`", List.of("abc", "abcdef", "")))
        .isEqualTo("cannot run `***`");
  }

  private static String mask(String text, Set<String> secrets) {
    return maskInChunks(text, secrets, text.length(), text.length());
  }

  /** Feeds {@code text} in three chunks: [0, first), [first, second), [second, end). */
  private static String maskInChunks(String text, Set<String> secrets, int first, int second) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    SecretMasker masker = new SecretMasker(secrets);
    ByteBuf out = new ByteBuf(4);
    masker.mask(bytes, 0, first, out);
    masker.mask(bytes, first, second - first, out);
    masker.mask(bytes, second, bytes.length - second, out);
    masker.finish(out);
    return string(out);
  }

  private static String string(ByteBuf buf) {
    return new String(buf.array(), 0, buf.size(), StandardCharsets.UTF_8);
  }
}
