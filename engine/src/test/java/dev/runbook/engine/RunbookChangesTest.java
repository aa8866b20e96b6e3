package dev.runbook.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.dsl.LoadResult;
import dev.runbook.dsl.RunbookLoader;
import dev.runbook.dsl.model.Runbook;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The changes between two versions of a runbook, as {@code resume} and {@code rollback} list them.
 */
class RunbookChangesTest {
  private static final String BASE =
      """
      schema: runbook/v1
      name: demo
      params:
        port: { type: int, default: 8080 }
      env:
        MODE: prod
      preconditions:
        - name: disk
          path: /tmp
        - command: "true"
      steps:
        - id: a
          title: First
          run: echo a
        - id: b
          title: Second
          run: echo b
          compensate: { run: echo undo b }
        - id: c
          run: echo c
      finally:
        - id: tidy
          run: echo tidy
      """;

  @TempDir Path dir;

  private Runbook load(String name, String text) throws IOException {
    Path file = Files.writeString(dir.resolve(name + ".yaml"), text);
    LoadResult result = new RunbookLoader().load(file);
    assertThat(result.problems()).isEmpty();
    return result.runbook().orElseThrow();
  }

  private java.util.List<String> changesTo(String after) throws IOException {
    return RunbookChanges.between(load("before", BASE), load("after", after));
  }

  @Test
  void aChangedTitleIsThatOneStepOnly() throws IOException {
    assertThat(changesTo(BASE.replace("title: Second", "title: Second, renamed")))
        .containsExactly("changed step `b`: title");
  }

  @Test
  void aStepInsertedAboveDoesNotChangeTheStepsBelowIt() throws IOException {
    String inserted =
        BASE.replace(
            "steps:\n  - id: a",
            "steps:\n  - id: first\n    run: |\n      echo 1\n      echo 2\n  - id: a");

    assertThat(changesTo(inserted)).containsExactly("added step `first` (first)");
  }

  @Test
  void aStepAddedInTheMiddleSaysWhereItWent() throws IOException {
    String added = BASE.replace("  - id: c\n", "  - id: between\n    run: echo x\n  - id: c\n");

    assertThat(changesTo(added)).containsExactly("added step `between` (after `b`)");
  }

  @Test
  void aChangedParamDefaultIsThatParamOnly() throws IOException {
    assertThat(changesTo(BASE.replace("default: 8080", "default: 9090")))
        .containsExactly("changed param `port`: default");
  }

  @Test
  void aRemovedStepIsNamedAndTheOthersAreNot() throws IOException {
    String removed = BASE.replace("  - id: a\n    title: First\n    run: echo a\n", "");

    assertThat(changesTo(removed)).containsExactly("removed step `a`");
  }

  @Test
  void swappedStepsNameTheOneThatMovedNotEveryStep() throws IOException {
    String swapped =
        BASE.replace(
            "  - id: a\n    title: First\n    run: echo a\n  - id: b\n    title: Second\n"
                + "    run: echo b\n    compensate: { run: echo undo b }\n",
            "  - id: b\n    title: Second\n    run: echo b\n    compensate: { run: echo undo b }\n"
                + "  - id: a\n    title: First\n    run: echo a\n");

    assertThat(changesTo(swapped)).containsExactly("moved step `b` (now first)");
  }

  @Test
  void aStepMovedToTheEndIsTheOnlyOneMoved() throws IOException {
    String moved =
        BASE.replace("  - id: a\n    title: First\n    run: echo a\n", "")
            .replace(
                "  - id: c\n    run: echo c\n",
                "  - id: c\n    run: echo c\n  - id: a\n" + "    title: First\n    run: echo a\n");

    assertThat(changesTo(moved)).containsExactly("moved step `a` (now after `c`)");
  }

  @Test
  void commentsAndLayoutChangeNothing() throws IOException {
    String reformatted =
        "# the demo, reformatted\n"
            + BASE.replace(
                    "  port: { type: int, default: 8080 }",
                    "  port:\n    type: int\n" + "    default: 8080   # the usual one\n")
                .replace("compensate: { run: echo undo b }", "compensate:\n      run: echo undo b")
                .replace("steps:\n", "\n\nsteps:\n");

    assertThat(changesTo(reformatted)).isEmpty();
  }

  @Test
  void aChangedActionCompensationAndFlagAreNamedByTheirKeys() throws IOException {
    String changed =
        BASE.replace("run: echo b\n", "run: echo b2\n    idempotent: true\n")
            .replace("echo undo b", "echo undo b2")
            .replace("  - id: c\n    run: echo c\n", "  - id: c\n    exec: [echo, c]\n");

    assertThat(changesTo(changed))
        .containsExactly(
            "changed step `b`: run, compensate, idempotent", "changed step `c`: run → exec");
  }

  @Test
  void preconditionsEnvAndFinallyStepsAreReportedOneByOne() throws IOException {
    String changed =
        BASE.replace("    path: /tmp\n", "    path: /var/tmp\n")
            .replace("preconditions:\n", "preconditions:\n  - name: first\n    command: \"true\"\n")
            .replace("  MODE: prod\n", "  MODE: staging\n  EXTRA: x\n")
            .replace("echo tidy", "echo tidy up");

    assertThat(changesTo(changed))
        .containsExactly(
            "changed env `MODE`",
            "added env `EXTRA`",
            "added precondition 1 `first`",
            "changed precondition 2 `disk`",
            "changed finally step `tidy`: run");
  }

  @Test
  void reorderedEnvEntriesAreAChange() throws IOException {
    String base = BASE.replace("  MODE: prod\n", "  MODE: prod\n  LEVEL: debug\n");
    String swapped = BASE.replace("  MODE: prod\n", "  LEVEL: debug\n  MODE: prod\n");

    assertThat(RunbookChanges.between(load("before", base), load("after", swapped)))
        .containsExactly("changed the order of env entries");
  }

  @Test
  void addedAndRemovedParamsAndRunbookSettingsAreNamed() throws IOException {
    String changed =
        BASE.replace("  port: { type: int, default: 8080 }\n", "  host: { type: string }\n")
            .replace("name: demo\n", "name: demo\non_failure: rollback\n");

    assertThat(changesTo(changed))
        .containsExactly("changed `on_failure`", "removed param `port`", "added param `host`");
  }
}
