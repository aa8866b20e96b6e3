package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code examples/demo-upgrade.yaml}, as the README tells an operator to try it. */
class DemoRunbookIT {
  static final String DEMO = Path.of("../examples/demo-upgrade.yaml").toAbsolutePath().toString();

  @TempDir Path dir;
  Workspace ws;

  @BeforeEach
  void setUp() {
    ws = new Workspace(dir);
  }

  @Test
  void demoPlansAndUpgradesTheAppToTwoWithItsDataMigrated() throws Exception {
    CliProcess.Result plan = ws.plan(DEMO);
    assertThat(plan.exitCode()).as(Workspace.describe(plan)).isZero();

    CliProcess.Result result = ws.run(DEMO);

    assertThat(result.exitCode()).as(Workspace.describe(result)).isZero();
    Path app = Workspace.runDir(result).resolve("app");
    assertThat(app.resolve("VERSION")).hasContent("2.0");
    assertThat(app.resolve("data/db.txt")).hasContent("orders: 42\nschema: 2");
    assertThat(app.resolve("maintenance")).doesNotExist();
    assertThat(Workspace.runDir(result).resolve("steps/report.log"))
        .hasContent("demo app is at version 2.0");
  }

  @ParameterizedTest(name = "fail_at={0}")
  @ValueSource(strings = {"stop", "backup", "deploy", "migrate", "start", "smoke"})
  void aFailingStepRollsTheAppBackToOneWithItsData(String step) throws Exception {
    CliProcess.Result result = ws.run(DEMO, "-p", "fail_at=" + step);

    assertThat(result.exitCode()).as(Workspace.describe(result)).isEqualTo(1);
    assertThat(result.stdout()).contains("run failed and was rolled back: step `" + step + "`");
    Path app = Workspace.runDir(result).resolve("app");
    assertThat(app.resolve("VERSION")).hasContent("1.0");
    assertThat(app.resolve("data/db.txt")).hasContent("orders: 42");
    assertThat(app.resolve("maintenance")).doesNotExist();
    assertThat(Workspace.runDir(result).resolve("steps/report.log"))
        .hasContent("demo app is at version 1.0");
  }
}
