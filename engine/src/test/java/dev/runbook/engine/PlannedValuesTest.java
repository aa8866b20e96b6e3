package dev.runbook.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.engine.testkit.EngineTestKit;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A plan carries each step's resolved values as data, each saying what is known of it. */
class PlannedValuesTest {
  private static final String SECRET = "s3cr3t-value-7c1e";

  @TempDir Path dir;
  private EngineTestKit kit;

  @BeforeEach
  void kit() {
    kit = EngineTestKit.in(dir);
  }

  private Plan plan() {
    return kit.runbook(
            """
            schema: runbook/v1
            name: values
            params:
              target: { type: string, default: /srv/app }
              token: { type: string, secret: true }
            steps:
              - id: version
                run: echo 1.4
                outputs: { v: { regex: "([0-9.]+)" } }
              - id: deploy
                cwd: "${{ params.target }}"
                env:
                  AUTH: "Bearer ${{ params.token }}"
                  VERSION: "v${{ steps.version.outputs.v }}"
                exec: [deploy, "${{ params.target }}", "${{ env.RUNBOOK_TEST_NOT_SET }}"]
              - id: call_home
                http:
                  url: "https://example.test/${{ steps.version.outputs.v }}"
                  headers: { Authorization: "Bearer ${{ params.token }}" }
            """)
        .param("token", SECRET)
        .plan();
  }

  private static Map<String, PlannedValue> byName(List<PlannedField> fields) {
    Map<String, PlannedValue> values = new LinkedHashMap<>();
    fields.forEach(f -> values.put(f.name(), f.value()));
    return values;
  }

  @Test
  void eachValueSaysWhetherItIsKnownSecretAwaitedOrUnresolvable() {
    PlannedStep deploy = plan().steps().get(1);

    assertThat(deploy.cwd()).contains(new PlannedValue.Known("/srv/app"));
    assertThat(byName(deploy.env()))
        .containsExactly(
            Map.entry("AUTH", new PlannedValue.Secret("Bearer ***")),
            Map.entry(
                "VERSION",
                new PlannedValue.KnownAfter(List.of("version"), "v<known after `version` runs>")));
    Map<String, PlannedValue> fields = byName(deploy.fields());
    assertThat(fields.keySet()).containsExactly("argv[0]", "argv[1]", "argv[2]");
    assertThat(fields.get("argv[1]")).isEqualTo(new PlannedValue.Known("/srv/app"));
    // One value that cannot be resolved leaves the others resolved: the action's prose line
    // cannot say which part failed, the fields can.
    assertThat(fields.get("argv[0]")).isEqualTo(new PlannedValue.Known("deploy"));
    assertThat(fields.get("argv[2]"))
        .isInstanceOfSatisfying(
            PlannedValue.Unresolvable.class,
            u -> assertThat(u.why()).contains("RUNBOOK_TEST_NOT_SET"));
    assertThat(PlanText.action(deploy))
        .singleElement()
        .asString()
        .startsWith("exec: cannot be resolved");
  }

  @Test
  void anActionsFieldsAreNamedAsTheRunbookNamesThem() {
    PlannedStep call = plan().steps().get(2);

    Map<String, PlannedValue> fields = byName(call.fields());
    assertThat(fields.keySet()).containsExactly("url", "headers.Authorization", "status");
    assertThat(fields.get("url"))
        .isEqualTo(
            new PlannedValue.KnownAfter(
                List.of("version"), "https://example.test/<known after `version` runs>"));
    assertThat(fields.get("headers.Authorization"))
        .isEqualTo(new PlannedValue.Secret("Bearer ***"));
  }

  @Test
  void noPlannedValueHoldsASecret() {
    Plan plan = plan();

    for (PlannedStep step : plan.steps()) {
      List<PlannedField> all = new ArrayList<>(step.fields());
      all.addAll(step.env());
      step.cwd().ifPresent(v -> all.add(new PlannedField("cwd", v)));
      assertThat(all).allSatisfy(f -> assertThat(f.value().toString()).doesNotContain(SECRET));
      assertThat(all).allSatisfy(f -> assertThat(f.value().display()).doesNotContain(SECRET));
    }
  }
}
