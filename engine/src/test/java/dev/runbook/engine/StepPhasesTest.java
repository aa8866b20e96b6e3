package dev.runbook.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.dsl.model.OnFailure;
import dev.runbook.engine.testkit.EngineTestKit;
import dev.runbook.engine.testkit.EngineTestKit.KitResult;
import dev.runbook.engine.testkit.RecordingListener.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A step's phases around its action: outputs, when, env, retry, timeout. */
class StepPhasesTest {
  @TempDir Path dir;
  private EngineTestKit kit;

  @BeforeEach
  void kit() {
    kit = EngineTestKit.in(dir);
  }

  private String read(String name) throws IOException {
    return Files.readString(dir.resolve(name));
  }

  @Test
  void outputsAreCapturedByRegexJsonPointerAndFromAFileAndReadByLaterSteps() throws IOException {
    KitResult r =
        kit.runbook(
                """
                schema: runbook/v1
                name: outputs
                steps:
                  - id: version
                    run: echo "app version 2.4.1 (build 77)"
                    outputs:
                      number: { regex: "version ([0-9.]+)" }
                      build: { regex: "build [0-9]+" }
                  - id: inspect
                    run: |
                      echo '{"image": {"tag": "v2"}, "ports": [8080, 9090]}'
                    outputs:
                      tag: { json: /image/tag }
                      port: { json: /ports/1 }
                  - id: files
                    run: |
                      echo '{"digest": "sha256:abc"}' > image.json
                      printf '42\\n' > rows.txt
                    outputs:
                      digest: { file: image.json, json: /digest }
                      rows: { file: rows.txt, regex: "([0-9]+)" }
                      whole: { file: rows.txt }
                  - id: report
                    run: >-
                      echo "${{ steps.version.outputs.number }}|${{ steps.version.outputs.build }}|${{
                      steps.inspect.outputs.tag }}|${{ steps.inspect.outputs.port }}|${{
                      steps.files.outputs.digest }}|${{ steps.files.outputs.rows }}|[${{
                      steps.files.outputs.whole }}]|${{ steps.version.outputs.exit_code }}" > report.txt
                  - id: compare
                    when: steps.files.outputs.rows > 40 && steps.inspect.outputs.port == 9090
                    run: touch compared.txt
                """)
            .run();

    assertThat(r.status()).isEqualTo(RunResult.Status.SUCCEEDED);
    assertThat(read("report.txt")).isEqualTo("2.4.1|build 77|v2|9090|sha256:abc|42|[42]|0\n");
    assertThat(dir.resolve("compared.txt")).exists();
    assertThat(r.journal().done("inspect").orElseThrow().outputs()).containsEntry("tag", "v2");
    assertThat(r.events().outputs("inspect")).containsEntry("tag", "v2");
  }

  private static final String WHEN =
      """
      schema: runbook/v1
      name: when
      params:
        env_name: { type: string, default: staging }
        migrate: { type: bool, default: false }
      steps:
        - id: always_staging
          when: params.env_name == 'staging'
          run: touch staging.txt
        - id: only_if_migrating
          when: "${{ params.migrate }}"
          run: touch migrated.txt
        - id: probe
          run: echo ready
          outputs:
            state: { regex: "(ready|busy)" }
        - id: after_probe
          when: steps.probe.outputs.state == 'ready'
          run: touch probed.txt
      """;

  @Test
  void whenDecidesWhetherAStepRunsFromParamsAndEarlierOutputs() {
    Path file = kit.write("when.yaml", WHEN);
    KitResult r = kit.file(file).run();

    assertThat(r.status()).isEqualTo(RunResult.Status.SUCCEEDED);
    assertThat(dir.resolve("staging.txt")).exists();
    assertThat(dir.resolve("migrated.txt")).doesNotExist();
    assertThat(dir.resolve("probed.txt")).exists();
    assertThat(r.events().steps(Kind.STEP_SKIPPED)).containsExactly("only_if_migrating");
    assertThat(r.stepStates()).containsEntry("only_if_migrating", "skipped");

    KitResult migrating = kit.file(file).param("migrate", "true").param("env_name", "prod").run();
    assertThat(migrating.status()).isEqualTo(RunResult.Status.SUCCEEDED);
    assertThat(dir.resolve("migrated.txt")).exists();
    assertThat(migrating.events().steps(Kind.STEP_SKIPPED)).containsExactly("always_staging");
  }

  @Test
  void retryCountsEveryAttemptBacksOffAndSucceedsOnTheThird() throws IOException {
    KitResult r =
        kit.runbook(
                """
                schema: runbook/v1
                name: retry
                on_failure: stop
                steps:
                  - id: flaky
                    run: |
                      n=$(( $(cat attempts.txt 2>/dev/null || echo 0) + 1 ))
                      echo $n > attempts.txt
                      [ $n -ge 3 ] || { echo "attempt $n failed" >&2; exit 1; }
                    retry: { attempts: 3, delay: 50ms, backoff: 2 }
                  - id: hopeless
                    run: |
                      echo x >> hopeless.txt
                      exit 9
                    retry: { attempts: 2, delay: 10ms }
                """)
            .run();

    assertThat(r.status()).isEqualTo(RunResult.Status.STOPPED);
    assertThat(read("attempts.txt")).isEqualTo("3\n");
    assertThat(r.events().details(Kind.STEP_RETRYING, "flaky"))
        .containsExactly("exit 1: attempt 1 failed", "exit 1: attempt 2 failed");
    assertThat(r.events().retryDelays("flaky"))
        .containsExactly(Duration.ofMillis(50), Duration.ofMillis(100));
    assertThat(r.events().details(Kind.STEP_STARTED, "flaky")).contains("attempt 3");
    assertThat(r.events().the(Kind.STEP_FAILED, "hopeless").detail()).isEqualTo("exit 9");
    assertThat(read("hopeless.txt")).isEqualTo("x\nx\n");
    assertThat(r.events().steps(Kind.STEP_STARTED))
        .containsExactly("flaky", "flaky", "flaky", "hopeless", "hopeless");
    assertThat(r.journal().steps())
        .extracting(s -> s.id() + "#" + s.attempts())
        .containsExactly("flaky#3", "hopeless#2");
    assertThat(r.events().violations()).isEmpty();
  }

  @Test
  void aTimeoutEndsTheWholeProcessTreeOfTheStep() throws Exception {
    long start = System.nanoTime();
    KitResult r =
        kit.runbook(
                """
                schema: runbook/v1
                name: timeout
                on_failure: stop
                steps:
                  - id: hangs
                    timeout: 1s
                    run: |
                      sh -c 'sleep 300 & echo $! > grandchild.pid; wait' &
                      echo $! > child.pid
                      wait
                  - id: after
                    run: touch after.txt
                """)
            .run();
    long seconds = (System.nanoTime() - start) / 1_000_000_000L;

    assertThat(r.status()).isEqualTo(RunResult.Status.STOPPED);
    assertThat(r.events().the(Kind.STEP_FAILED, "hangs").detail()).startsWith("timed out after 1s");
    assertThat(seconds).isLessThan(20);
    assertThat(dir.resolve("after.txt")).doesNotExist();
    for (String pidFile : List.of("child.pid", "grandchild.pid")) {
      long pid = Long.parseLong(read(pidFile).strip());
      assertThat(goneOrZombie(pid)).as(pidFile + " " + pid).isTrue();
    }
  }

  /** True when the process has exited: no /proc entry, or only a zombie's waiting for a reaper. */
  private static boolean goneOrZombie(long pid) throws Exception {
    Path stat = Path.of("/proc", Long.toString(pid), "stat");
    for (int i = 0; i < 50; i++) {
      try {
        String text = Files.readString(stat);
        // The state follows the parenthesised command name: "1234 (sleep) Z ..."
        char state = text.substring(text.lastIndexOf(')') + 2).charAt(0);
        if (state == 'Z' || state == 'X') {
          return true;
        }
      } catch (java.nio.file.NoSuchFileException e) {
        return true;
      }
      Thread.sleep(100);
    }
    return false;
  }

  private static final String ENV =
      """
      schema: runbook/v1
      name: env
      steps:
        - id: version
          run: echo 1.4
          outputs: { v: { regex: "([0-9.]+)" } }
        - id: greet
          env: { WHO: world, VERSION: "${{ steps.version.outputs.v }}" }
          when: env.WHO == 'world'
          requires:
            - command: test "${{ env.WHO }}" = world
          run: printf '%s %s' "${{ env.WHO }}" "${{ env.VERSION }}" > greeted
        - id: lacking
          exec: [touch, "${{ env.RUNBOOK_TEST_NOT_SET }}"]
      """;

  @Test
  void aStepsOwnEnvIsSeenByItsWhenRequiresAndActionAndAMissingNameFailsTheStep()
      throws IOException {
    KitResult r = kit.runbook(ENV).onFailure(OnFailure.STOP).run();

    assertThat(r.status()).isEqualTo(RunResult.Status.STOPPED);
    assertThat(read("greeted")).isEqualTo("world 1.4");
    assertThat(r.events().the(Kind.STEP_FAILED, "lacking").detail())
        .startsWith("`env` has no `RUNBOOK_TEST_NOT_SET`");
    assertThat(r.result().failedStep()).isEqualTo("lacking");
  }

  private static final String WAIT =
      """
      schema: runbook/v1
      name: wait-param
      params:
        start_timeout: { type: string, default: 1h }
      on_failure: rollback
      steps:
        - id: ready
          wait:
            until: { path: never-there }
            timeout: "${{ params.start_timeout }}"
            interval: 100ms
      """;

  @Test
  void aWaitTimeoutFromAParameterEndsTheWaitThen() {
    long start = System.nanoTime();
    KitResult r = kit.runbook(WAIT).param("start_timeout", "400ms").run();
    long millis = (System.nanoTime() - start) / 1_000_000;

    assertThat(r.status()).isEqualTo(RunResult.Status.ROLLED_BACK);
    assertThat(r.events().the(Kind.STEP_FAILED, "ready").detail())
        .contains("still not true after 400ms");
    assertThat(millis).isBetween(400L, 20_000L);
  }

  @Test
  void aWaitTimeoutValueThatIsNotADurationFailsTheStepWithoutWaiting() {
    KitResult r = kit.runbook(WAIT).param("start_timeout", "soon").run();

    assertThat(r.status()).isEqualTo(RunResult.Status.ROLLED_BACK);
    assertThat(r.events().the(Kind.STEP_FAILED, "ready").detail())
        .startsWith(
            "wait: timeout `${{ params.start_timeout }}` is `soon`, not a duration such as 30s or"
                + " 2m (")
        .endsWith("runbook-1.yaml:10:16)"); // where the value's expression is
  }
}
