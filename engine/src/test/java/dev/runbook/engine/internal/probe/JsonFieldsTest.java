package dev.runbook.engine.internal.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runbook.engine.internal.secret.Masking;
import java.math.BigDecimal;
import org.json.JSONException;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;

class JsonFieldsTest {
  @Test
  void numbersCompareByValueNotBySpelling() {
    assertThat(JsonFields.matches(200, "200")).isTrue();
    assertThat(JsonFields.matches(200, "200.0")).isTrue();
    assertThat(JsonFields.matches(new BigDecimal("0.5"), "0.50")).isTrue();
    assertThat(JsonFields.matches(200, "201")).isFalse();
    assertThat(JsonFields.matches(200, "ok")).isFalse();
  }

  @Test
  void booleansAndNullMatchTheirYamlSpellingsInAnyCase() {
    assertThat(JsonFields.matches(true, "true")).isTrue();
    assertThat(JsonFields.matches(true, "True")).isTrue();
    assertThat(JsonFields.matches(false, "true")).isFalse();
    assertThat(JsonFields.matches(JSONObject.NULL, "null")).isTrue();
    assertThat(JsonFields.matches(JSONObject.NULL, "")).isFalse();
  }

  @Test
  void stringsCompareExactly() {
    assertThat(JsonFields.matches("ok", "ok")).isTrue();
    assertThat(JsonFields.matches("ok", "OK")).isFalse();
    assertThat(JsonFields.matches("200", "200")).isTrue();
  }

  @Test
  void parsingIsStrictAndRejectsTextAfterTheValue() {
    assertThat(JsonFields.parse(" {\"a\": [1, 2]} ")).isInstanceOf(JSONObject.class);
    assertThatThrownBy(() -> JsonFields.parse("{\"a\":1} trailing"))
        .isInstanceOf(JSONException.class);
    assertThatThrownBy(() -> JsonFields.parse("{a: 1}")).isInstanceOf(JSONException.class);
    assertThatThrownBy(() -> JsonFields.parse("ok")).isInstanceOf(JSONException.class);
  }

  @Test
  void renderedValuesStayOnOneShortLine() {
    assertThat(JsonFields.render("two\nlines", Masking.NONE)).isEqualTo("\"two\\nlines\"");
    assertThat(JsonFields.render("x".repeat(100), Masking.NONE)).hasSize(62).endsWith("...\"");
    assertThat(JsonFields.renderExpected("200", Masking.NONE)).isEqualTo("200");
    assertThat(JsonFields.renderExpected("ok", Masking.NONE)).isEqualTo("\"ok\"");
  }

  @Test
  void aSecretIsMaskedBeforeAQuotedValueIsShortenedOrEscaped() {
    String secret =
        "a \"long\" secret, longer than what a detail shows of a value: " + "x".repeat(80);
    Masking masking = Masking.of(java.util.Set.of(secret));

    assertThat(JsonFields.render(secret + " and more", masking)).isEqualTo("\"*** and more\"");
    assertThat(JsonFields.renderExpected("pre " + secret, masking)).isEqualTo("\"pre ***\"");
    assertThat(JsonFields.render(new JSONObject().put("k", secret), masking))
        .isEqualTo("{\"k\":\"***\"}");
  }
}
