package dev.runbook.dsl;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void durationsAreWrittenInTheRunbookNotation() {
    assertThat(Durations.format(Duration.ofMillis(250))).isEqualTo("250ms");
    assertThat(Durations.format(Duration.ofSeconds(5))).isEqualTo("5s");
    assertThat(Durations.format(Duration.ofMinutes(10))).isEqualTo("10m");
    assertThat(Durations.format(Duration.ofMinutes(90))).isEqualTo("1h30m");
    assertThat(Durations.format(Duration.ofSeconds(3725))).isEqualTo("1h2m5s");
    assertThat(Durations.format(Duration.ofHours(50))).isEqualTo("2d2h");
    assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
  }

  @Test
  void aFractionOfASecondIsWrittenExactlyNotRounded() {
    assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1s500ms");
  }

  @Test
  void whatIsFormattedParsesBackToTheSameDuration() {
    for (String text : new String[] {"250ms", "30s", "5m", "1h30m", "2d", "1d2h3m4s5ms"}) {
      assertThat(Durations.format(Durations.parse(text).orElseThrow())).isEqualTo(text);
    }
  }

  @Test
  void aNegativeDurationKeepsItsSign() {
    assertThat(Durations.format(Duration.ofSeconds(-5))).isEqualTo("-5s");
  }

  @Test
  void lessThanAMillisecondIsNeverAnEmptyString() {
    assertThat(Durations.format(Duration.ofNanos(10))).isEqualTo("<1ms");
  }

  @Test
  void textThatIsNotADurationParsesToNothing() {
    assertThat(Durations.parse("1.5s")).isEmpty();
    assertThat(Durations.parse("5 s")).isEmpty();
    assertThat(Durations.parse(null)).isEmpty();
  }
}
