package dev.runbook.engine.internal.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.engine.CheckOutcome.Status;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskFreeProbeTest {
  @TempDir Path dir;

  private final DiskFreeProbe probe = new DiskFreeProbe();

  @Test
  void aTinyMinimumHoldsAndNamesBothFigures() {
    var outcome = probe.check(dir, 1);

    assertThat(outcome.status()).isEqualTo(Status.HOLDS);
    assertThat(outcome.detail())
        .matches("[0-9.]+ [KMGTPE]?i?B free on \\Q" + dir + "\\E, need 1 B");
  }

  @Test
  void aHugeMinimumFailsAndNamesBothFigures() {
    var outcome = probe.check(dir, Long.MAX_VALUE);

    assertThat(outcome.status()).isEqualTo(Status.FAILED);
    assertThat(outcome.detail())
        .matches("[0-9.]+ [KMGTPE]?i?B free on \\Q" + dir + "\\E, need 7.9 EiB");
  }

  @Test
  void aMissingPathIsMeasuredOnItsNearestExistingParent() {
    Path missing = dir.resolve("not/yet/created");

    var outcome = probe.check(missing, 1);

    assertThat(outcome.status()).isEqualTo(Status.HOLDS);
    assertThat(outcome.detail())
        .contains("free on " + dir + " (the nearest existing parent of " + missing + ")");
  }

  @Test
  void aNegativeMinimumIsAnError() {
    assertThat(probe.check(dir, -1).status()).isEqualTo(Status.ERRORED);
  }
}
