package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** "error:" appears once per line: a message that already says where and what is kept as is. */
class ErrorLineTest {
  @Test
  void aLocatedErrorIsPrintedWithoutASecondErrorPrefix() {
    assertThat(Main.errorLine("rb.yaml:7:16: error: `${{ params.v }}` is inside single quotes"))
        .isEqualTo("rb.yaml:7:16: error: `${{ params.v }}` is inside single quotes");
  }

  @Test
  void anyOtherMessageGetsTheCommandsPrefix() {
    assertThat(Main.errorLine("no such run: 2026")).isEqualTo("runbook: error: no such run: 2026");
    assertThat(Main.errorLine("step said: error: disk full"))
        .isEqualTo("runbook: error: step said: error: disk full");
  }
}
