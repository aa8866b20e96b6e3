package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MainTest {
  @Test
  void aBugIsReportedByItsKindAndPlaceNeverByItsMessageWhichMayHoldARenderedValue() {
    IllegalStateException bug = new IllegalStateException("password=hunter2 rendered here");
    bug.setStackTrace(
        new StackTraceElement[] {
          new StackTraceElement("java.util.Objects", "requireNonNull", "Objects.java", 1),
          new StackTraceElement("dev.runbook.engine.Planner", "plan", "Planner.java", 120)
        });

    assertThat(Main.bugSummary(bug))
        .isEqualTo(
            "java.lang.IllegalStateException at dev.runbook.engine.Planner.plan(Planner.java:120)")
        .doesNotContain("hunter2");
  }
}
