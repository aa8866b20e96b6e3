package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@code plan} shows a step's {@code when}: decided now from parameters, or at run time from an
 * earlier step's outputs. What {@code when} does at run time is proven on the engine test kit.
 */
class PlanWhenIT {
  @TempDir Path dir;

  @Test
  void planShowsEachWhenDecisionOrThatItIsDecidedAtRunTime() throws Exception {
    Workspace ws = new Workspace(dir);
    ws.write(
        "when.yaml",
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
        """);

    CliProcess.Result plan = ws.plan("when.yaml");

    assertThat(plan.exitCode()).as(Workspace.describe(plan)).isZero();
    assertThat(plan.stdout())
        .contains("when `params.env_name == 'staging'` is true")
        .contains("SKIPPED: when `params.migrate` is false")
        .contains("decided at run time: when `steps.probe.outputs.state == 'ready'`");
    assertThat(ws.exists("staging.txt")).as("plan runs nothing").isFalse();
  }
}
