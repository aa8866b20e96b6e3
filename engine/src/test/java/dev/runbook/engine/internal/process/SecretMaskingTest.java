package dev.runbook.engine.internal.process;

import static dev.runbook.engine.internal.process.Children.ENV;
import static dev.runbook.engine.internal.process.Children.read;
import static dev.runbook.engine.internal.process.Children.sh;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A secret reaches the child through its environment and never leaves it unmasked. */
@Timeout(30)
class SecretMaskingTest {
  private static final ProcessRunner RUNNER = new ProcessRunner();
  private static final String SECRET = "hunter2-s3cret";

  @TempDir Path dir;

  @Test
  void secretsAreMaskedInTheLogTheStdoutFileTheTailAndTheListener() throws Exception {
    Map<String, String> env = new HashMap<>(ENV);
    env.put("DB_PASSWORD", SECRET);
    List<String> heard = new CopyOnWriteArrayList<>();
    Path out = dir.resolve("step.out");
    ProcessResult result =
        RUNNER
            .start(
                sh(dir, "echo \"password is $DB_PASSWORD\"; echo \"err $DB_PASSWORD\" >&2")
                    .environment(env)
                    .secrets(Set.of(SECRET))
                    .stdoutFile(out)
                    .lineListener((source, line) -> heard.add(line))
                    .build())
            .await();

    assertThat(read(dir.resolve("step.log")).lines())
        .containsExactlyInAnyOrder("password is ***", "err ***");
    assertThat(read(out)).isEqualTo("password is ***\n");
    assertThat(result.tail()).containsExactlyInAnyOrder("password is ***", "err ***");
    assertThat(heard).containsExactlyInAnyOrder("password is ***", "err ***");
  }

  @Test
  void aSecretWrittenInTwoPiecesAcrossReadsIsMasked() throws Exception {
    // The pause makes the reader see the first piece on its own before the second arrives.
    ProcessResult result =
        RUNNER
            .start(
                sh(dir, "printf 'a hunter2'; sleep 0.3; printf -- '-s3cret b\\n'")
                    .secrets(Set.of(SECRET))
                    .build())
            .await();

    assertThat(read(dir.resolve("step.log"))).isEqualTo("a *** b\n");
    assertThat(result.tail()).containsExactly("a *** b");
  }

  @Test
  void secretsAreMaskedWhereverTheReadBufferHappensToSplitThem() throws Exception {
    // A secret in 14 of every 17 bytes: almost every read ends inside one, wherever it ends.
    Path out = dir.resolve("step.out");
    RUNNER
        .start(
            ProcessSpec.builder(
                    List.of(
                        "perl",
                        "-e",
                        "$| = 0; for (1..20000) { print 'xyz', '" + SECRET + "' } print \"\\n\""),
                    dir,
                    dir.resolve("step.log"))
                .environment(ENV)
                .secrets(Set.of(SECRET))
                .stdoutFile(out)
                .build())
        .await();

    String expected = "xyz***".repeat(20000) + "\n";
    assertThat(read(dir.resolve("step.log"))).isEqualTo(expected);
    assertThat(read(out)).isEqualTo(expected);
  }

  @Test
  void aSecretAtTheVeryEndOfTheOutputIsMasked() throws Exception {
    RUNNER.start(sh(dir, "printf 'end-'; printf 'x'").secrets(Set.of("x")).build()).await();
    assertThat(read(dir.resolve("step.log"))).isEqualTo("end-***");
  }

  @Test
  void aSecretIsMaskedInTheRunnersOwnNotesAndErrors() throws Exception {
    assertThatThrownBy(
            () ->
                RUNNER.start(
                    ProcessSpec.builder(List.of("deploy-" + SECRET), dir, dir.resolve("step.log"))
                        .environment(ENV)
                        .secrets(Set.of(SECRET))
                        .build()))
        .hasMessageStartingWith("cannot run `deploy-***`:")
        .hasMessageNotContaining(SECRET);

    ProcessResult result =
        RUNNER
            .start(
                ProcessSpec.builder(
                        List.of("sh", "-c", "sleep 60", SECRET), dir, dir.resolve("step.log"))
                    .environment(ENV)
                    .secrets(Set.of(SECRET))
                    .timeout(Duration.ofMillis(100))
                    .build())
            .await();
    assertThat(result.timedOut()).isTrue();
    assertThat(String.join("\n", result.notes())).doesNotContain(SECRET);
    assertThat(read(dir.resolve("step.log"))).doesNotContain(SECRET);
  }
}
