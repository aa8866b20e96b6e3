package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.engine.journal.RunFold;
import dev.runbook.engine.journal.RunStatus;
import java.nio.file.Path;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the CLI decides about actions: a {@code confirm} with no terminal and no {@code --yes}
 * pauses and says how to go on, and {@code plan} shows a called runbook's steps. What each action
 * does is proven on the engine test kit ({@code ActionsTest}).
 */
class RunActionsIT {
  @TempDir Path dir;
  Workspace ws;

  @BeforeEach
  void setUp() {
    ws = new Workspace(dir);
  }

  @Test
  void confirmWithoutATerminalOrYesPausesTheRunWithExitFour() throws Exception {
    ws.write("confirm.yaml", CONFIRM);

    CliProcess.Result result = ws.run("confirm.yaml");

    assertThat(result.exitCode()).as(Workspace.describe(result)).isEqualTo(4);
    assertThat(ws.exists("before.txt")).isTrue();
    assertThat(ws.exists("after.txt")).isFalse();
    RunFold journal = Workspace.journal(result);
    assertThat(journal.status()).isEqualTo(RunStatus.PAUSED);
    assertThat(journal.steps())
        .filteredOn(s -> s.state() == RunFold.StepState.PAUSED)
        .extracting(RunFold.StepView::id)
        .containsExactly("check_dashboard");
    assertThat(result.stdout()).contains("--confirm check_dashboard");
  }

  @Test
  void confirmWithYesGoesOn() throws Exception {
    ws.write("confirm.yaml", CONFIRM);

    CliProcess.Result result = ws.run("confirm.yaml", "--yes");

    assertThat(result.exitCode()).as(Workspace.describe(result)).isZero();
    assertThat(ws.exists("after.txt")).isTrue();
    assertThat(Workspace.journal(result).status()).isEqualTo(RunStatus.SUCCEEDED);
  }

  private static final String CONFIRM =
      """
      schema: runbook/v1
      name: confirm
      steps:
        - id: before
          run: touch before.txt
        - id: check_dashboard
          confirm: "Sign in and check the dashboard."
        - id: after
          run: touch after.txt
      """;

  @Test
  void planShowsACalledRunbooksStepsNestedWithItsParamsResolved() throws Exception {
    ws.write(
        "common/stop-service.yaml",
        """
        schema: runbook/v1
        name: stop-service
        params:
          service: { type: string }
          grace: { type: int, default: 5 }
        steps:
          - id: announce
            run: echo "stopping ${{ params.service }} within ${{ params.grace }}s" >> ../calls.txt
          - id: mark
            run: touch "../${{ params.service }}.stopped"
        """);
    ws.write(
        "app/upgrade.yaml",
        """
        schema: runbook/v1
        name: upgrade
        params:
          name: { type: string, default: seqdesk }
        steps:
          - id: first
            run: echo first > ../calls.txt
          - id: stop
            call:
              runbook: ../common/stop-service.yaml
              params: { service: "${{ params.name }}", grace: 30 }
          - id: last
            run: echo last >> ../calls.txt
        """);

    CliProcess.Result plan = ws.plan("app/upgrade.yaml");
    assertThat(plan.exitCode()).as(Workspace.describe(plan)).isZero();
    assertThat(plan.stdout())
        .contains(
            """
              2. stop
                 call: ../common/stop-service.yaml with service=seqdesk, grace=30
                   1. stop/announce
                      run: echo "stopping seqdesk within 30s" >> ../calls.txt
                   2. stop/mark
            """);
    CliProcess.Result json = ws.plan("app/upgrade.yaml", "--format", "json");
    JSONArray children =
        new JSONObject(json.stdout())
            .getJSONArray("steps")
            .getJSONObject(1)
            .getJSONArray("children");
    assertThat(children.getJSONObject(0).getString("id")).isEqualTo("stop/announce");
    assertThat(children.getJSONObject(1).getString("id")).isEqualTo("stop/mark");
  }
}
