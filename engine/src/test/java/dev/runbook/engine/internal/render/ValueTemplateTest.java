package dev.runbook.engine.internal.render;

import static dev.runbook.engine.internal.render.Shells.template;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ValueTemplateTest {
  private static final Bindings BINDINGS =
      Bindings.of(
              Map.of(
                  "params",
                  Map.of("install_dir", "/opt/seqdesk", "token", "t0ken", "port", 3000),
                  "steps",
                  Map.of("backup", Map.of("outputs", Map.of("dir", "/state/b1")))))
          .withSecretParams(List.of("token"));

  @Test
  void aTemplateBecomesItsTextWithValuesAsTheyAre() {
    RenderedValue value =
        ValueTemplate.render(template("${{ params.install_dir }}/.update-backup/'$x'"), BINDINGS);

    assertThat(value.text()).isEqualTo("/opt/seqdesk/.update-backup/'$x'");
    assertThat(value.display()).isEqualTo(value.text());
    assertThat(value.known()).isTrue();
    assertThat(value.secret()).isFalse();
  }

  @Test
  void aTemplateWithoutExpressionsIsItsSource() {
    assertThat(ValueTemplate.render(template("http://localhost:3000/"), BINDINGS).text())
        .isEqualTo("http://localhost:3000/");
    assertThat(ValueTemplate.render(template(""), BINDINGS).text()).isEmpty();
  }

  @Test
  void aSecretIsUsedButDisplayedMasked() {
    RenderedValue header = ValueTemplate.render(template("Bearer ${{ params.token }}"), BINDINGS);

    assertThat(header.text()).isEqualTo("Bearer t0ken");
    assertThat(header.display()).isEqualTo("Bearer ***");
    assertThat(header.toString()).isEqualTo("Bearer ***");
    assertThat(header.secret()).isTrue();
  }

  @Test
  void aValueOfAPendingStepIsNamedAndHasNoText() {
    RenderedValue from =
        ValueTemplate.render(
            template("${{ steps.backup.outputs.dir }}/files"),
            BINDINGS.withPendingSteps(List.of("backup")));

    assertThat(from.display()).isEqualTo("<known after `backup` runs>/files");
    assertThat(from.known()).isFalse();
    assertThat(from.textIfKnown()).isEmpty();
    assertThatThrownBy(from::text)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("<known after `backup` runs>/files");
  }

  @Test
  void onceTheStepHasRunItsOutputIsRead() {
    RenderedValue from =
        ValueTemplate.render(template("${{ steps.backup.outputs.dir }}/files"), BINDINGS);

    assertThat(from.text()).isEqualTo("/state/b1/files");
  }

  @Test
  void eachArgvTemplateIsOneArgumentWhateverItHolds() {
    Bindings bindings =
        Bindings.of(Map.of("params", Map.of("files", "a b\nc", "glob", "*", "q", "\"'")));

    List<RenderedValue> argv =
        ValueTemplate.renderEach(
            List.of(
                template("cp"),
                template("${{ params.files }}"),
                template("${{ params.glob }}"),
                template("--x=${{ params.q }}")),
            bindings);

    assertThat(argv)
        .extracting(RenderedValue::text)
        .containsExactly("cp", "a b\nc", "*", "--x=\"'");
  }
}
