package dev.runbook.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.engine.testkit.EngineTestKit;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A plan's action text is composed from the step's resolved fields, never kept beside them. */
class PlanTextTest {
  @TempDir Path dir;
  private EngineTestKit kit;

  @BeforeEach
  void kit() {
    kit = EngineTestKit.in(dir);
  }

  private PlannedStep only(String steps) {
    Plan plan =
        kit.runbook(
                """
                schema: runbook/v1
                name: text
                steps:
                """
                    + steps)
            .plan();
    return plan.steps().get(0);
  }

  @Test
  void theTextShowsWhatTheFieldsHoldSoTheTwoCannotDisagree() {
    PlannedStep copy =
        only(
            """
              - id: install
                copy: { from: /tmp/new, to: /srv/app }
            """);
    assertThat(PlanText.action(copy)).containsExactly("copy: /tmp/new -> /srv/app (replaces it)");

    // The same step with one field changed: the text follows the field.
    List<PlannedField> fields = new ArrayList<>(copy.fields());
    fields.set(1, new PlannedField("to", new PlannedValue.Secret("/srv/***")));
    PlannedStep changed =
        new PlannedStep(
            copy.id(),
            copy.step(),
            copy.decision(),
            copy.reason(),
            fields,
            copy.until(),
            copy.docker(),
            copy.cwd(),
            copy.env(),
            copy.requires(),
            copy.verify(),
            copy.compensation(),
            copy.children());
    assertThat(PlanText.action(changed))
        .containsExactly("copy: /tmp/new -> /srv/*** (replaces it)");
  }

  @Test
  void anUnresolvableHttpValueIsTheFirstOneItsLineReadsNotTheFirstField() {
    // headers come before json among the fields, but after it in the line
    PlannedStep call =
        only(
            """
              - id: call
                http:
                  url: https://example.test/health
                  headers: { X-Token: "${{ env.RUNBOOK_TEST_NOT_SET_HEADER }}" }
                  json: { /status: "${{ env.RUNBOOK_TEST_NOT_SET_JSON }}" }
            """);

    assertThat(PlanText.action(call))
        .singleElement()
        .asString()
        .startsWith("http: cannot be resolved now: ")
        .contains("RUNBOOK_TEST_NOT_SET_JSON")
        .doesNotContain("RUNBOOK_TEST_NOT_SET_HEADER");
  }

  @Test
  void aWaitShowsItsCheckAndItsResolvedTimeout() {
    PlannedStep wait =
        only(
            """
              - id: settle
                wait:
                  until: { path: { at: /srv/app/ready, is: file } }
                  timeout: 30s
                  interval: 2s
            """);

    assertThat(PlanText.action(wait))
        .containsExactly("wait: until path /srv/app/ready is a file, up to 30s, every 2s");
  }
}
