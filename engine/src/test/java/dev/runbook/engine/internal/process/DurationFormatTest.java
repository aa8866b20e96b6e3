package dev.runbook.engine.internal.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationFormatTest {

  @Test
  void writesDurationsAsTheDslDoes() {
    assertThat(DurationFormat.format(Duration.ofMillis(250))).isEqualTo("250ms");
    assertThat(DurationFormat.format(Duration.ofSeconds(5))).isEqualTo("5s");
    assertThat(DurationFormat.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
    assertThat(DurationFormat.format(Duration.ofMinutes(10))).isEqualTo("10m");
    assertThat(DurationFormat.format(Duration.ofMinutes(90))).isEqualTo("1h30m");
    assertThat(DurationFormat.format(Duration.ofSeconds(3725))).isEqualTo("1h2m5s");
  }
}
