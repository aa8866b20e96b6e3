package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ElapsedTest {
  @Test
  void underASecondIsCountedInMilliseconds() {
    assertThat(Elapsed.human(Duration.ofMillis(85))).isEqualTo("85ms");
  }

  @Test
  void underAMinuteIsSecondsToOneDecimal() {
    assertThat(Elapsed.human(Duration.ofMillis(3217))).isEqualTo("3.2s");
  }

  @Test
  void fromAMinuteOnItIsWholeSecondsInTheRunbookNotation() {
    assertThat(Elapsed.human(Duration.ofMillis(245_900))).isEqualTo("4m5s");
    assertThat(Elapsed.human(Duration.ofMinutes(75))).isEqualTo("1h15m");
  }
}
