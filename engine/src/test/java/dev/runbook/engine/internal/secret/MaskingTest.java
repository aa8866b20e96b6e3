package dev.runbook.engine.internal.secret;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;

class MaskingTest {
  private static final long SEED = 0xC0FFEEL;
  private static final List<String> SPECIAL =
      List.of(
          "\"", "\\", "\t", "\n", "\r", "$", "`", "'", "é", "日本", "🔑", "%", "&", " ", "<", "/",
          "+", "\u0001", "\u2028");

  /** How the engine, and programs it runs, render a value: each written here, not derived. */
  private static final Map<String, UnaryOperator<String>> RENDERINGS = renderings();

  @Test
  void everyRenderingOfAGeneratedSecretIsMaskedInAMessage() {
    Random random = new Random(SEED);
    for (int i = 0; i < 200; i++) {
      String secret = generate(random);
      Masking masking = Masking.of(Set.of(secret));
      for (Map.Entry<String, UnaryOperator<String>> r : RENDERINGS.entrySet()) {
        String message = "expected " + r.getValue().apply("[" + secret + "]") + ", got nothing";
        assertThat(masking.mask(message))
            .as("%s of secret #%d (seed %d): %s", r.getKey(), i, SEED, message)
            .isEqualTo(
                "expected "
                    + r.getValue().apply("[")
                    + "***"
                    + r.getValue().apply("]")
                    + ", got nothing");
        assertThat(masking.reveals(message)).isTrue();
      }
    }
  }

  @Test
  void aSecretReadWithItsFinalNewlineIsMaskedWithoutIt() {
    assertThat(Masking.of(Set.of("hunter2\n")).mask("password: hunter2!"))
        .isEqualTo("password: ***!");
  }

  @Test
  void eachLongLineOfASecretThatSpansLinesIsMaskedOnItsOwn() {
    Masking masking = Masking.of(Set.of("first-line\nok\n  second-line"));

    assertThat(masking.mask("> first-line\n> ok\n> second-line"))
        .as("a line shorter than " + SecretRenderings.MIN_LINE_PIECE + " is ordinary text")
        .isEqualTo("> ***\n> ok\n> ***");
  }

  @Test
  void thePasswordOfAUrlIsMaskedInAnyMessage() {
    assertThat(Masking.NONE.mask("cannot connect to postgres://app:pw@db/app: refused"))
        .isEqualTo("cannot connect to postgres://app:***@db/app: refused");
  }

  @Test
  void aShortSecretInsideALongerOneNeverUnmasksTheRest() {
    assertThat(Masking.of(Set.of("abc", "xabcx")).mask("1 xabcx 2 abc")).isEqualTo("1 *** 2 ***");
  }

  @Test
  void moreSecretsMaskMoreAndNoSecretsMaskNothing() {
    Masking one = Masking.of(Set.of("alpha"));
    Masking two = one.plus(Set.of("beta"));

    assertThat(one.mask("alpha beta")).isEqualTo("*** beta");
    assertThat(two.mask("alpha beta")).isEqualTo("*** ***");
    assertThat(one.plus(Set.of("alpha"))).isSameAs(one);
    assertThat(Masking.of(Set.of(""))).isSameAs(Masking.NONE);
    assertThat(Masking.NONE.mask("alpha")).isEqualTo("alpha");
  }

  private static String generate(Random random) {
    List<String> parts = new ArrayList<>();
    for (String s : SPECIAL) {
      if (random.nextBoolean()) {
        parts.add(s);
      }
    }
    parts.add(SPECIAL.get(random.nextInt(SPECIAL.size())));
    for (int i = random.nextInt(6); i >= 0; i--) {
      parts.add(String.valueOf((char) ('a' + random.nextInt(26))));
    }
    Collections.shuffle(parts, random);
    return "k" + String.join("", parts) + "z";
  }

  private static Map<String, UnaryOperator<String>> renderings() {
    Map<String, UnaryOperator<String>> r = new LinkedHashMap<>();
    r.put("raw", s -> s);
    r.put("org.json", s -> unquote(JSONObject.quote(s)));
    r.put("JSON, ASCII only", MaskingTest::asciiJson);
    r.put("shell single quotes", s -> s.replace("'", "'\\''"));
    r.put(
        "shell double quotes",
        s -> s.replace("\\", "\\\\").replace("\"", "\\\"").replace("$", "\\$").replace("`", "\\`"));
    r.put("form-encoded", s -> URLEncoder.encode(s, StandardCharsets.UTF_8));
    r.put("percent-encoded", s -> URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20"));
    return r;
  }

  private static String unquote(String quoted) {
    return quoted.substring(1, quoted.length() - 1);
  }

  /** As Python's json.dumps writes a string. */
  private static String asciiJson(String s) {
    StringBuilder out = new StringBuilder();
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || c > 0x7f) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }
}
