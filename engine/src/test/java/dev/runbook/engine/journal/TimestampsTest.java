package dev.runbook.engine.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DateTimeException;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TimestampsTest {
  @Test
  void readsBackEveryInstantTheJournalWrites() {
    Random random = new Random(42);
    for (int i = 0; i < 10_000; i++) {
      long second = random.nextLong(Instant.parse("9999-12-31T23:59:59Z").getEpochSecond());
      // 0, 3, 6 and 9 digits of fraction, as Instant.toString() writes them
      int nanos =
          switch (i % 4) {
            case 0 -> 0;
            case 1 -> random.nextInt(1000) * 1_000_000;
            case 2 -> random.nextInt(1_000_000) * 1000;
            default -> random.nextInt(1_000_000_000);
          };
      Instant instant = Instant.ofEpochSecond(second, nanos);
      assertThat(Timestamps.parse(instant.toString())).as(instant.toString()).isEqualTo(instant);
    }
  }

  @Test
  void readsOtherIsoInstantsAsInstantParseDoes() {
    for (String text :
        new String[] {
          "2026-11-23T13:58:18.5Z", "2026-11-23T13:58:18.1234Z", "+10000-01-01T00:00:00Z"
        }) {
      assertThat(Timestamps.parse(text)).as(text).isEqualTo(Instant.parse(text));
    }
  }

  @Test
  void refusesWhatNamesNoInstant() {
    for (String text :
        new String[] {
          "2026-02-30T00:00:00Z",
          "2026-11-23T24:00:00Z",
          "2026-11-23T13:60:00Z",
          "2026-13-01T00:00:00Z",
          "2026-11-23T13:58:1xZ",
          "2026-11-23 13:58:18Z",
          "",
        }) {
      assertThatThrownBy(() -> Timestamps.parse(text))
          .as(text)
          .isInstanceOf(DateTimeException.class);
    }
  }
}
