package dev.runbook.engine.internal.process;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcessTableTest {

  @Test
  void aNameWithSpacesAndParenthesesDoesNotShiftTheFields() {
    ProcessTable.Entry e =
        ProcessTable.parse(42, "42 (my (odd) name) S 7 40 39 34817 40 4194560 0 0").orElseThrow();

    assertThat(e.name()).isEqualTo("my (odd) name");
    assertThat(e.state()).isEqualTo('S');
    assertThat(e.ppid()).isEqualTo(7);
    assertThat(e.pgrp()).isEqualTo(40);
    assertThat(e.session()).isEqualTo(39);
    assertThat(e.ttyNr()).isEqualTo(34817);
    assertThat(e.running()).isTrue();
  }

  @Test
  void aZombieIsNotRunning() {
    assertThat(ProcessTable.parse(5, "5 (sleep) Z 1 4 4 0 -1 0").orElseThrow().running()).isFalse();
  }

  @Test
  void theEngineItselfIsInTheTable() {
    long self = ProcessHandle.current().pid();
    assertThat(ProcessTable.isRunning(self)).isTrue();
    assertThat(ProcessTable.all()).anySatisfy(e -> assertThat(e.pid()).isEqualTo(self));
  }

  @Test
  void garbageIsIgnored() {
    assertThat(ProcessTable.parse(1, "not a stat line")).isEmpty();
    assertThat(ProcessTable.parse(1, "1 (x) S y z")).isEmpty();
  }
}
