package dev.runbook.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.dsl.model.OnFailure;
import dev.runbook.engine.testkit.EngineTestKit;
import dev.runbook.engine.testkit.EngineTestKit.KitResult;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a runbook gives as an expression is checked when its value is known, by the rules a written
 * value meets at validation: a value that breaks them fails its step with a located message, never
 * an internal error.
 */
@Timeout(60)
class ResolvedValuesTest {
  @TempDir Path dir;
  private EngineTestKit kit;

  @BeforeEach
  void kit() {
    kit = EngineTestKit.in(dir);
  }

  @Test
  void anHttpStatusGivenAsAnExpressionThatIsNoStatusFailsTheStepAtItsLocation() {
    KitResult r =
        kit.runbook(
                """
                schema: runbook/v1
                name: status
                params:
                  code: { default: "abc" }
                steps:
                  - id: probe
                    http: { url: "http://127.0.0.1:9/", status: "${{ params.code }}" }
                """)
            .onFailure(OnFailure.STOP)
            .run();

    assertThat(r.status()).isEqualTo(RunResult.Status.STOPPED);
    assertThat(r.result().reason())
        .contains("http status `${{ params.code }}` is `abc`, not an HTTP status code")
        .containsPattern("runbook-1\\.yaml:7:\\d+");
  }

  @Test
  void aPortGivenAsAnExpressionOutOfRangeFailsTheRequirementAtItsLocation() {
    KitResult r =
        kit.runbook(
                """
                schema: runbook/v1
                name: port
                params:
                  port: { default: "70000" }
                steps:
                  - id: a
                    run: "true"
                    requires:
                      - port: "${{ params.port }}"
                """)
            .onFailure(OnFailure.STOP)
            .run();

    assertThat(r.status()).isEqualTo(RunResult.Status.STOPPED);
    assertThat(r.result().reason()).contains("port `${{ params.port }}` is `70000`");
  }

  @Test
  void aWaitTimeoutThatResolvesToZeroOrTooLongFailsTheStep() {
    for (String value : new String[] {"0s", "9999999999999d", "99999999999999999999999d"}) {
      KitResult r =
          kit.runbook(
                  """
                  schema: runbook/v1
                  name: wait
                  params:
                    t: { default: "1s" }
                  steps:
                    - id: w
                      wait: { until: { path: /, }, timeout: "${{ params.t }}" }
                  """)
              .param("t", value)
              .onFailure(OnFailure.STOP)
              .run();

      assertThat(r.status()).as(value).isEqualTo(RunResult.Status.STOPPED);
      assertThat(r.result().reason()).as(value).contains("wait: timeout `${{ params.t }}` is `");
    }
  }

  @Test
  void aRunbookEnvReadingAnUnsetVariableEndsTheRunBeforeAnythingChanges() {
    KitResult r =
        kit.runbook(
                """
                schema: runbook/v1
                name: env
                env:
                  TARGET: "${{ env.RUNBOOK_TEST_SURELY_UNSET }}"
                steps:
                  - id: a
                    run: touch changed
                """)
            .run();

    assertThat(r.status()).isEqualTo(RunResult.Status.PRECONDITIONS_UNMET);
    assertThat(r.result().reason())
        .contains("the runbook's env (")
        .contains("RUNBOOK_TEST_SURELY_UNSET");
    assertThat(dir.resolve("changed")).doesNotExist();
  }

  @Test
  void aRegexThatBacktracksWithoutEndFailsTheStepInsteadOfHangingTheRun() {
    long started = System.nanoTime();
    KitResult r =
        kit.runbook(
                """
                schema: runbook/v1
                name: bomb
                params:
                  x: { default: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab" }
                steps:
                  - id: a
                    when: "${{ matches(params.x, '(.*a){60}') }}"
                    run: "true"
                """)
            .onFailure(OnFailure.STOP)
            .run();

    assertThat(r.status()).isEqualTo(RunResult.Status.STOPPED);
    assertThat(r.result().reason()).contains("matches(): the regular expression took longer than");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
  }
}
