package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * File names are copied, backed up and restored byte for byte whatever the locale: Latin-1 and
 * other non-UTF-8 names, UTF-8 names, and names typed in the runbook, under {@code LANG=C} (as
 * under cron), with no locale at all, and under a UTF-8 locale.
 */
class FileNamesIT {
  @TempDir Path dir;
  Workspace ws;

  @BeforeEach
  void setUp() {
    ws = new Workspace(dir);
  }

  @ParameterizedTest(name = "LANG={0}")
  @ValueSource(strings = {"C", "C.UTF-8", ""})
  void backupRestoreAndCopyKeepEveryNameAndItsBytes(String lang) throws Exception {
    Path data = dir.resolve("app/data");
    RawNames.make(data);
    Files.writeString(dir.resolve("app/données.txt"), "typed in the runbook\n");
    String before = RawNames.describe(data);
    ws.write(
        "names.yaml",
        """
        schema: runbook/v1
        name: names
        on_failure: stop
        steps:
          - id: save
            cwd: app
            backup: { paths: [data, données.txt], to: ../saved }
          - id: wreck
            cwd: app
            run: rm -rf data données.txt
          - id: put_back
            restore: { from: "${{ steps.save.outputs.dir }}", to: app }
          - id: twin
            copy: { from: app/data, to: app/data.copy }
          - id: twin_typed
            copy: { from: app/données.txt, to: app/encore-données.txt }
        """);

    CliProcess.Result result =
        ws.command(Map.of("LANG", lang, "LC_ALL", "", "LC_CTYPE", ""), "run", "names.yaml");

    assertThat(result.exitCode()).as(Workspace.describe(result)).isZero();
    assertThat(result.stdout() + result.stderr()).doesNotContain("internal error");
    assertThat(RawNames.describe(data)).isEqualTo(before);
    assertThat(RawNames.describe(dir.resolve("saved/data"))).isEqualTo(before);
    assertThat(RawNames.describe(dir.resolve("app/data.copy"))).isEqualTo(before);
    assertThat(before)
        .contains("636166e9 file") // caf\xE9
        .contains("636166ea file") // caf\xEA: no collision with caf\xE9
        .contains("636166c3a9 file") // café in UTF-8
        .contains("64ff2f8078 file") // d\xFF/\x80x
        .contains("6ce9 link"); // l\xE9 -> caf\xE9
    assertThat(dir.resolve("app/données.txt")).hasContent("typed in the runbook");
    assertThat(dir.resolve("app/encore-données.txt")).hasContent("typed in the runbook");
  }
}
