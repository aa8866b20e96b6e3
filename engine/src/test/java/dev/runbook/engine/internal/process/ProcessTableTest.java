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
  void aStartTimeIsTheOneTheJdkTellsWithoutReadingTheRestOfItsInfo() throws Exception {
    // Resume compares start times journaled by one engine with those read by another: both must
    // read the same instant, to the millisecond.
    Process child = new ProcessBuilder("sleep", "30").start();
    try {
      for (ProcessHandle p : java.util.List.of(ProcessHandle.current(), child.toHandle())) {
        assertThat(ProcessTable.startOf(p.pid())).isPresent().isEqualTo(p.info().startInstant());
      }
    } finally {
      child.destroyForcibly().waitFor();
    }
    assertThat(ProcessTable.startOf(child.pid())).isEmpty();
  }

  @Test
  void garbageIsIgnored() {
    assertThat(ProcessTable.parse(1, "not a stat line")).isEmpty();
    assertThat(ProcessTable.parse(1, "1 (x) S y z")).isEmpty();
  }

  @Test
  void aRangeOfPidsHoldsTheProcessesStartedInItButNoThreads() throws Exception {
    long self = ProcessHandle.current().pid();
    Process child = new ProcessBuilder("sleep", "30").start();
    Thread thread = new Thread(() -> {});
    thread.start();
    thread.join();
    try {
      long last = ProcessTable.lastPid().orElseThrow();
      assertThat(last).isGreaterThanOrEqualTo(child.pid());
      var entries = ProcessTable.between(child.pid() - 1, last);
      assertThat(entries).anySatisfy(e -> assertThat(e.pid()).isEqualTo(child.pid()));
      assertThat(entries).allSatisfy(e -> assertThat(e.pid()).isNotEqualTo(self));
      assertThat(ProcessTable.newerThan(child.pid() - 1))
          .anySatisfy(e -> assertThat(e.pid()).isEqualTo(child.pid()));
      // This JVM's threads have ids of their own beside its pid: none is taken for a process.
      for (var task : java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/task")).toList()) {
        long tid = Long.parseLong(task.getFileName().toString());
        if (tid != self) {
          assertThat(ProcessTable.between(tid - 1, tid)).isEmpty();
        }
      }
    } finally {
      child.destroyForcibly().waitFor();
    }
  }

  @Test
  void aThreadIsToldFromAProcessByItsExitSignal() {
    // Fields 3 (state) to 37, then 38 (exit_signal) and a few more.
    String upTo37 = " S" + " 0".repeat(34) + " ";
    assertThat(ProcessTable.isThread("7 (java)" + upTo37 + "-1 1 0 0 0")).isTrue();
    assertThat(ProcessTable.isThread("7 (java)" + upTo37 + "17 1 0 0 0")).isFalse();
    assertThat(ProcessTable.isThread("7 (x) S 1")).isFalse();
  }
}
