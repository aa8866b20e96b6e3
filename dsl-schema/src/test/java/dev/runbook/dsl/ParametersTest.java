package dev.runbook.dsl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.dsl.model.Runbook;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parameters come from -p, then --params-file, then RUNBOOK_PARAM_*, then the default. */
class ParametersTest {
  @TempDir Path dir;
  private Runbook runbook;

  @BeforeEach
  void load() throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("p.yaml"),
            """
            schema: runbook/v1
            name: params-demo
            params:
              install_dir: { type: path, default: /opt/app }
              port: { type: int, default: 3000 }
              force: { type: bool, default: false }
              mode: { enum: [fast, safe], default: safe }
              release: { type: string, description: the release to install }
              db_password: { type: string, secret: true }
            steps:
              - id: a
                run: echo "${{ params.install_dir }}"
            """);
    runbook = new RunbookLoader().load(file).runbook().orElseThrow();
  }

  private Parameters.Resolution resolve(
      Map<String, String> cli, Optional<Path> file, Map<String, String> env) {
    return Parameters.resolve(runbook, cli, file, env);
  }

  @Test
  void commandLineBeatsParamsFileBeatsEnvironmentBeatsDefault() throws IOException {
    Path file = Files.writeString(dir.resolve("values.yaml"), "port: 4000\nrelease: file\n");
    Parameters.Resolution r =
        resolve(
            Map.of("release", "cli", "db_password", "s3cret"),
            Optional.of(file),
            Map.of("RUNBOOK_PARAM_PORT", "5000", "RUNBOOK_PARAM_FORCE", "true"));
    assertThat(r.problems()).isEmpty();
    assertThat(r.values().get("release").value()).isEqualTo("cli");
    assertThat(r.values().get("port").value()).isEqualTo(4000L);
    assertThat(r.values().get("port").source()).isEqualTo(Parameters.Source.PARAMS_FILE);
    assertThat(r.values().get("force").value()).isEqualTo(Boolean.TRUE);
    assertThat(r.values().get("force").source()).isEqualTo(Parameters.Source.ENVIRONMENT);
    assertThat(r.values().get("install_dir").source()).isEqualTo(Parameters.Source.DEFAULT);
    assertThat(r.values().get("db_password").display()).isEqualTo("***");
  }

  @Test
  void jsonParamsFileIsReadToo() throws IOException {
    Path file =
        Files.writeString(dir.resolve("values.json"), "{\"release\": \"2.1\", \"port\": 81}");
    Parameters.Resolution r = resolve(Map.of(), Optional.of(file), Map.of());
    assertThat(r.values().get("release").value()).isEqualTo("2.1");
    assertThat(r.values().get("port").value()).isEqualTo(81L);
  }

  @Test
  void missingRequiredParameterIsAProblemThatSaysHowToGiveIt() {
    Parameters.Resolution r = resolve(Map.of(), Optional.empty(), Map.of());
    assertThat(r.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.message())
                  .isEqualTo("missing required parameter `release` (the release to install)");
              assertThat(p.hint())
                  .contains(
                      "give it with `-p release=VALUE`, in a `--params-file`, or as RUNBOOK_PARAM_RELEASE");
            });
    assertThat(r.missingSecrets()).extracting(p -> p.name()).containsExactly("db_password");
    assertThat(r.ok()).isFalse();
  }

  @Test
  void unknownParameterGetsDidYouMean() {
    Parameters.Resolution r =
        resolve(Map.of("release", "2", "instal_dir", "/x"), Optional.empty(), Map.of());
    assertThat(r.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.message()).contains("unknown parameter `instal_dir`");
              assertThat(p.hint()).contains("did you mean `install_dir`?");
            });
  }

  @Test
  void wrongTypesAndValuesOutsideTheEnumAreRefused() {
    Parameters.Resolution r =
        resolve(
            Map.of("release", "2", "port", "eighty", "force", "maybe", "mode", "quick"),
            Optional.empty(),
            Map.of());
    assertThat(r.problems())
        .extracting(Problem::message)
        .containsExactly(
            "parameter `port` (int, from -p): `eighty` is not a whole number",
            "parameter `force` (bool, from -p): `maybe` is not true or false",
            "parameter `mode` (string, from -p): `quick` is not one of fast, safe");
  }

  @Test
  void aBadSecretValueIsNeverEchoed() {
    Path runbookFile = runbook.file();
    assertThat(runbookFile).exists();
    Parameters.Resolution r =
        resolve(Map.of("release", "2", "db_password", "hunter2"), Optional.empty(), Map.of());
    assertThat(r.problems()).isEmpty();
    assertThat(r.values().get("db_password").display()).doesNotContain("hunter2");
  }

  @Test
  void aUrlPasswordInAValueThatIsNotSecretIsMaskedInItsDisplayAndWarnedAbout() {
    Parameters.Resolution r =
        resolve(
            Map.of("release", "postgres://app:hunter2@db/app"),
            Optional.empty(),
            Map.of("RUNBOOK_PARAM_DB_PASSWORD", "postgres://app:other@db/app"));

    assertThat(r.problems()).isEmpty();
    assertThat(r.values().get("release").display()).isEqualTo("postgres://app:***@db/app");
    assertThat(r.values().get("release").value()).isEqualTo("postgres://app:hunter2@db/app");
    assertThat(Parameters.credentialWarnings(r))
        .singleElement()
        .satisfies(
            w -> {
              assertThat(w.severity()).isEqualTo(Severity.WARNING);
              assertThat(w.message())
                  .isEqualTo(
                      "parameter `release` is not secret, but its value (from -p) holds the"
                          + " password of a URL; the password is masked in output, journal and"
                          + " plan");
              assertThat(w.hint()).hasValueSatisfying(h -> assertThat(h).contains("secret: true"));
            });
  }

  @Test
  void aTypeErrorNeverQuotesAUrlPassword() {
    Parameters.Resolution r =
        resolve(Map.of("release", "2", "mode", "https://u:hunter2@h/"), Optional.empty(), Map.of());

    assertThat(r.problems())
        .extracting(Problem::message)
        .containsExactly(
            "parameter `mode` (string, from -p): `https://u:***@h/` is not one of fast, safe");
  }

  @Test
  void brokenParamsFileIsAProblemNotAnException() throws IOException {
    Path file = Files.writeString(dir.resolve("bad.yaml"), "release: [unclosed\n");
    Parameters.Resolution r = resolve(Map.of(), Optional.of(file), Map.of());
    assertThat(r.problems()).anySatisfy(p -> assertThat(p.code()).isEqualTo("params-file.syntax"));
  }
}
