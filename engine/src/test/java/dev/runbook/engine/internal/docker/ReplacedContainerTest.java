package dev.runbook.engine.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;

/** What the journal keeps of a replaced container: everything to recreate it, no secret. */
class ReplacedContainerTest {
  static final Map<String, String> SECRETS = Map.of("db_password", "hunter2", "token", "hunter2-x");

  private static ReplacedContainer record(List<ReplacedContainer.EnvVar> env) {
    return new ReplacedContainer(
        "abc",
        "app",
        "app:1.3",
        "sha256:1",
        true,
        env,
        Optional.of(List.of("serve", "--port", "80")),
        Optional.empty(),
        "/srv",
        "app",
        Map.of("app", "shop"),
        List.of("/srv/data:/data", "0123abcd:/cache"),
        Optional.of("host"),
        Optional.of("on-failure:3"),
        Optional.of(
            new ContainerSettings.Health(
                List.of("CMD-SHELL", "true"),
                Optional.of(Duration.ofSeconds(5)),
                Optional.of(Duration.ofSeconds(2)),
                Optional.of(3),
                Optional.of(Duration.ofSeconds(10)))),
        List.of("127.0.0.1:8080:80/tcp"),
        List.of("80/tcp"));
  }

  @Test
  void aValueHoldingSecretsIsKeptAsTextAndReferencesLongestFirst() {
    ReplacedContainer.EnvVar v =
        ReplacedContainer.envVar("URL", "a:hunter2-x@b/hunter2", SECRETS, Set.of());

    assertThat(v.withheld()).isFalse();
    assertThat(v.parts())
        .containsExactly(
            new ReplacedContainer.Part(Optional.of("a:"), Optional.empty()),
            new ReplacedContainer.Part(Optional.empty(), Optional.of("token")),
            new ReplacedContainer.Part(Optional.of("@b/"), Optional.empty()),
            new ReplacedContainer.Part(Optional.empty(), Optional.of("db_password")));
  }

  @Test
  void theJournalsFormHasNoSecretAndReadsBackTheSame() {
    ReplacedContainer r =
        record(
            List.of(
                ReplacedContainer.envVar("URL", "pg://app:hunter2@db", SECRETS, Set.of("URL")),
                ReplacedContainer.envVar("MODE", "prod", SECRETS, Set.of("URL"))));

    JSONObject json = r.toJson();

    assertThat(json.toString()).doesNotContain("hunter2");
    assertThat(ReplacedContainer.fromJson(new JSONObject(json.toString()))).isEqualTo(r);
  }

  @Test
  void recreatingPutsTheSecretsBack() {
    ReplacedContainer r =
        record(List.of(ReplacedContainer.envVar("URL", "pg://app:hunter2@db", SECRETS, Set.of())));

    ContainerSettings s = r.settings("app:1.3", SECRETS, Map.of(), note -> {});

    assertThat(s.env()).containsExactly("URL=pg://app:hunter2@db");
    assertThat(s.image()).isEqualTo("app:1.3");
    assertThat(s.binds()).containsExactly("/srv/data:/data", "0123abcd:/cache");
    assertThat(s.restart()).contains("on-failure:3");
    assertThat(s.ports()).containsExactly("127.0.0.1:8080:80/tcp");
  }

  @Test
  void aSecretTheRunDoesNotKnowIsWithheldAndFilledFromTheStep() {
    // The step fills DB_PASSWORD from a secret, but the old container had another (rotated) one.
    ReplacedContainer.EnvVar v =
        ReplacedContainer.envVar("DB_PASSWORD", "old-password", SECRETS, Set.of("DB_PASSWORD"));
    assertThat(v.withheld()).isTrue();
    ReplacedContainer r = record(List.of(v));
    assertThat(r.toJson().toString()).doesNotContain("old-password");
    List<String> notes = new ArrayList<>();

    ContainerSettings s =
        r.settings("app:1.3", SECRETS, Map.of("DB_PASSWORD", "hunter2"), notes::add);

    assertThat(s.env()).containsExactly("DB_PASSWORD=hunter2");
    assertThat(notes)
        .containsExactly(
            "DB_PASSWORD: the old value was a secret, not journaled; it gets the value the step"
                + " gave the new container");
    assertThat(r.settings("app:1.3", SECRETS, Map.of(), notes::add).env()).isEmpty();
  }

  @Test
  void recreatingWithoutTheSecretItNeedsSaysWhichParameter() {
    ReplacedContainer r =
        record(List.of(ReplacedContainer.envVar("URL", "pg://app:hunter2@db", SECRETS, Set.of())));

    assertThatThrownBy(() -> r.settings("app:1.3", Map.of(), Map.of(), note -> {}))
        .isInstanceOf(DockerActionException.class)
        .hasMessage(
            "cannot recreate container `app`: its URL needs the secret parameter `db_password`,"
                + " which has no value now");
  }
}
