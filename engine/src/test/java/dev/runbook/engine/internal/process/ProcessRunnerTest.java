package dev.runbook.engine.internal.process;

import static dev.runbook.engine.internal.process.Children.ENV;
import static dev.runbook.engine.internal.process.Children.read;
import static dev.runbook.engine.internal.process.Children.sh;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class ProcessRunnerTest {
  private static final ProcessRunner RUNNER = new ProcessRunner();

  @TempDir Path dir;

  @Test
  void exitCodesPassThrough() throws Exception {
    for (int code : new int[] {0, 1, 3, 255}) {
      ProcessResult result = RUNNER.start(sh(dir, "exit " + code).build()).await();
      assertThat(result.exitCode()).isEqualTo(code);
      assertThat(result.succeeded()).isEqualTo(code == 0);
      assertThat(result.timedOut()).isFalse();
      assertThat(result.terminated()).isFalse();
      assertThat(result.notes()).isEmpty();
    }
  }

  @Test
  void stdoutAndStderrBothLandInTheLogAndStdoutAloneInTheStdoutFile() throws Exception {
    Path out = dir.resolve("step.out");
    ProcessResult result =
        RUNNER
            .start(sh(dir, "echo to-out; echo to-err >&2; echo more-out").stdoutFile(out).build())
            .await();

    assertThat(read(dir.resolve("step.log")).lines())
        .containsExactlyInAnyOrder("to-out", "to-err", "more-out");
    assertThat(read(out)).isEqualTo("to-out\nmore-out\n");
    assertThat(result.tail()).containsExactlyInAnyOrder("to-out", "to-err", "more-out");
  }

  @Test
  void theLogIsAppendedToAndTheStdoutFileStartsEmpty() throws Exception {
    Path out = dir.resolve("step.out");
    RUNNER.start(sh(dir, "echo first").stdoutFile(out).build()).await();
    RUNNER.start(sh(dir, "echo second").stdoutFile(out).build()).await();

    assertThat(read(dir.resolve("step.log"))).isEqualTo("first\nsecond\n");
    assertThat(read(out)).isEqualTo("second\n");
  }

  @Test
  void outputReachesTheLogWhileTheProcessRuns() throws Exception {
    Path log = dir.resolve("step.log");
    RunningProcess running =
        RUNNER.start(
            sh(dir, "echo started; while [ ! -e go ]; do sleep 0.02; done; echo finished").build());

    Children.awaitContent(log, "started\n");
    assertThat(read(log)).doesNotContain("finished");
    Files.createFile(dir.resolve("go"));

    assertThat(running.await().exitCode()).isZero();
    assertThat(read(log)).isEqualTo("started\nfinished\n");
  }

  @Test
  void theChildGetsExactlyTheGivenEnvironment() throws Exception {
    Map<String, String> env = new HashMap<>(ENV);
    env.put("RB_1", "two words; and $(more)");
    Path out = dir.resolve("env.out");
    RUNNER
        .start(
            ProcessSpec.builder(List.of("env"), dir, dir.resolve("step.log"))
                .environment(env)
                .stdoutFile(out)
                .build())
        .await();

    assertThat(read(out).lines())
        .containsExactlyInAnyOrder("PATH=/usr/bin:/bin", "LC_ALL=C", "RB_1=two words; and $(more)");
  }

  @Test
  void hostileArgumentsReachTheProgramIntactAndNothingInThemRuns() throws Exception {
    Path marker = dir.resolve("marker");
    List<String> hostile =
        List.of(
            "$(touch " + marker + ")",
            "`touch " + marker + "`",
            "'; touch " + marker + " #",
            "\"; touch " + marker + "; \"",
            "a\nb; touch " + marker,
            "  spaces  around  ",
            "*",
            "",
            "-n",
            "${PATH}",
            "ünïcødé ✓");
    List<String> argv = new ArrayList<>();
    argv.addAll(List.of("/bin/sh", "-c", "for a; do printf '%s\\0' \"$a\"; done", "sh"));
    argv.addAll(hostile);
    Path out = dir.resolve("argv.out");
    ProcessResult result =
        RUNNER
            .start(
                ProcessSpec.builder(argv, dir, dir.resolve("step.log"))
                    .environment(ENV)
                    .stdoutFile(out)
                    .build())
            .await();

    assertThat(result.exitCode()).isZero();
    String printed = new String(Files.readAllBytes(out), StandardCharsets.UTF_8);
    assertThat(Arrays.asList(printed.split("\0", -1)))
        .containsExactlyElementsOf(concat(hostile, List.of("")));
    assertThat(marker).doesNotExist();
  }

  @Test
  void aValueInAnEnvironmentVariableNeverBecomesShellSyntax() throws Exception {
    Path marker = dir.resolve("marker");
    String hostile =
        "$(touch "
            + marker
            + ") `touch "
            + marker
            + "` '; touch "
            + marker
            + " # \" && touch "
            + marker;
    Map<String, String> env = new HashMap<>(ENV);
    env.put("RB_1", hostile);
    Path out = dir.resolve("out");
    ProcessResult result =
        RUNNER
            .start(
                ProcessSpec.builder(
                        ShellScript.argv("echo ${RB_1}; echo \"${RB_1}\""),
                        dir,
                        dir.resolve("step.log"))
                    .environment(env)
                    .stdoutFile(out)
                    .build())
            .await();

    assertThat(result.exitCode()).isZero();
    assertThat(read(out).lines()).hasSize(2).allSatisfy(l -> assertThat(l).contains("touch"));
    assertThat(marker).doesNotExist();
  }

  @Test
  void stdinIsDevNull() throws Exception {
    Path out = dir.resolve("out");
    ProcessResult result =
        RUNNER
            .start(sh(dir, "readlink /proc/self/fd/0; cat; echo read-eof").stdoutFile(out).build())
            .await();

    assertThat(result.exitCode()).isZero();
    assertThat(read(out)).isEqualTo("/dev/null\nread-eof\n");
  }

  @Test
  void theChildLeadsASessionAndProcessGroupOfItsOwnWithoutATerminal() throws Exception {
    RunningProcess running =
        RUNNER.start(sh(dir, "while [ ! -e go ]; do sleep 0.02; done").build());
    try {
      // setsid(2) runs in the child right after exec; on a loaded machine the first look can
      // come before it, so wait (bounded) for the child to have become a session leader.
      ProcessTable.Entry child = ProcessTable.entry(running.pid()).orElseThrow();
      for (int i = 0; i < 250 && child.session() != running.pid(); i++) {
        Thread.sleep(20);
        child = ProcessTable.entry(running.pid()).orElseThrow();
      }
      ProcessTable.Entry engine = ProcessTable.entry(ProcessHandle.current().pid()).orElseThrow();

      assertThat(child.session()).isEqualTo(running.pid()).isNotEqualTo(engine.session());
      assertThat(child.pgrp()).isEqualTo(running.pid()).isNotEqualTo(engine.pgrp());
      assertThat(child.ttyNr()).as("controlling terminal").isZero();
    } finally {
      Files.createFile(dir.resolve("go"));
      running.await();
    }
  }

  @Test
  void aMissingProgramIsReportedInOneLineBeforeAnythingStarts() {
    assertThatThrownBy(
            () ->
                RUNNER.start(
                    ProcessSpec.builder(
                            List.of("no-such-program-xyz", "arg"), dir, dir.resolve("step.log"))
                        .environment(ENV)
                        .build()))
        .isInstanceOf(ProcessStartException.class)
        .hasMessage("cannot run `no-such-program-xyz`: no such file (searched PATH /usr/bin:/bin)");
    assertThat(dir.resolve("step.log")).doesNotExist();
  }

  @Test
  void aProgramThatCannotRunIsReportedWithTheReason() throws Exception {
    Path script = Files.writeString(dir.resolve("deploy.sh"), "#!/bin/sh\necho hi\n");
    Files.createDirectory(dir.resolve("subdir"));

    assertThatThrownBy(() -> RUNNER.start(spec("./deploy.sh")))
        .isInstanceOf(ProcessStartException.class)
        .hasMessage(
            "cannot run `./deploy.sh`: permission denied, the file is not executable ("
                + script
                + ")");
    assertThatThrownBy(() -> RUNNER.start(spec("./missing.sh")))
        .hasMessage("cannot run `./missing.sh`: no such file (" + dir.resolve("missing.sh") + ")");
    assertThatThrownBy(() -> RUNNER.start(spec("./subdir")))
        .hasMessageContaining("it is a directory");
    assertThatThrownBy(
            () ->
                RUNNER.start(
                    ProcessSpec.builder(List.of("true"), dir.resolve("gone"), dir.resolve("log"))
                        .environment(ENV)
                        .build()))
        .hasMessage(
            "cannot run `true`: the working directory " + dir.resolve("gone") + " does not exist");
  }

  @Test
  void aNulCharacterInAnArgumentIsReportedNotThrownAsABug() {
    assertThatThrownBy(() -> RUNNER.start(sh(dir, "echo a\0b").build()))
        .isInstanceOf(ProcessStartException.class)
        .hasMessage(
            "cannot run `/bin/sh`: argument 2 contains a NUL character, which no program can"
                + " receive");
  }

  @Test
  void logAndStdoutFilesAreCreatedReadableByTheOwnerOnly() throws Exception {
    Path out = dir.resolve("step.out");
    RUNNER.start(sh(dir, "echo hi").stdoutFile(out).build()).await();

    assertThat(
            PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("step.log"))))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out)))
        .isEqualTo("rw-------");
  }

  @Test
  void anExistingLogWithAWiderModeIsNarrowed() throws Exception {
    Path log =
        Files.createFile(
            dir.resolve("step.log"),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
    RUNNER.start(sh(dir, "echo hi").build()).await();

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(log)))
        .isEqualTo("rw-------");
  }

  @Test
  void aSymbolicLinkWhereTheLogShouldBeIsRefused() throws Exception {
    Path elsewhere = Files.createFile(dir.resolve("elsewhere"));
    Files.createSymbolicLink(dir.resolve("step.log"), elsewhere);

    assertThatThrownBy(() -> RUNNER.start(sh(dir, "echo hi").build()))
        .isInstanceOf(ProcessStartException.class)
        .hasMessageStartingWith(
            "cannot run `/bin/sh`: cannot open the step log " + dir.resolve("step.log"));
    assertThat(elsewhere).isEmptyFile();
  }

  @Test
  void theTailKeepsTheLastLinesOnlyAndCapsTheirLength() throws Exception {
    ProcessResult result =
        RUNNER
            .start(
                sh(dir, "seq 1 100; head -c 10000 /dev/zero | tr '\\0' x; echo; printf 'no-eol'")
                    .build())
            .await();

    List<String> tail = result.tail();
    assertThat(tail).hasSize(ProcessRunner.TAIL_LINES);
    assertThat(tail.get(0)).isEqualTo("83");
    assertThat(tail.get(17)).isEqualTo("100");
    assertThat(tail.get(18))
        .startsWith("xxxx")
        .endsWith(" [… " + (10000 - LineAssembler.MAX_LINE_BYTES) + " more bytes in the log]");
    assertThat(tail.get(19)).isEqualTo("no-eol");
  }

  @Test
  void theListenerGetsEveryLineInTheOrderWrittenBeforeAwaitReturns() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    RUNNER
        .start(
            sh(dir, "echo one; echo two >&2; echo three; echo four >&2")
                .lineListener((source, line) -> seen.add(line))
                .build())
        .await();

    // Without a stdout copy, both streams share one file: their order is the order written.
    assertThat(seen).containsExactly("one", "two", "three", "four");
    assertThat(Files.readAllLines(dir.resolve("step.log")))
        .containsExactly("one", "two", "three", "four");
  }

  @Test
  void withAStdoutCopyEachStreamKeepsItsOrderAndTheCopyHasStdoutAlone() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    RUNNER
        .start(
            sh(dir, "echo one; echo two >&2; echo three; echo four >&2")
                .stdoutFile(dir.resolve("stdout"))
                .lineListener((source, line) -> seen.add(source + ":" + line))
                .build())
        .await();

    // Two files: the order between stdout and stderr is only as good as the timing.
    assertThat(seen)
        .containsExactlyInAnyOrder("STDOUT:one", "STDERR:two", "STDOUT:three", "STDERR:four");
    assertThat(seen.stream().filter(l -> l.startsWith("STDOUT")))
        .containsExactly("STDOUT:one", "STDOUT:three");
    assertThat(seen.stream().filter(l -> l.startsWith("STDERR")))
        .containsExactly("STDERR:two", "STDERR:four");
    assertThat(Files.readAllLines(dir.resolve("stdout"))).containsExactly("one", "three");
  }

  @Test
  void aSlowListenerDoesNotSlowTheProcess() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    long start = System.nanoTime();
    ProcessResult result =
        RUNNER
            .start(
                sh(dir, "seq 1 20000")
                    .lineListener(
                        (source, line) -> {
                          seen.add(line);
                          sleep(100);
                        })
                    .build())
            .await();

    assertThat(result.exitCode()).isZero();
    assertThat(System.nanoTime() - start).isLessThan(5_000_000_000L);
    assertThat(read(dir.resolve("step.log")).lines()).hasSize(20000);
    assertThat(seen.size()).isLessThan(20000);
  }

  @Test
  void aFailingListenerDoesNotFailTheRun() throws Exception {
    ProcessResult result =
        RUNNER
            .start(
                sh(dir, "seq 1 3")
                    .lineListener(
                        (source, line) -> {
                          throw new IllegalStateException("view broke");
                        })
                    .build())
            .await();

    assertThat(result.exitCode()).isZero();
    assertThat(result.tail()).containsExactly("1", "2", "3");
    assertThat(result.notes()).anySatisfy(n -> assertThat(n).contains("view broke"));
  }

  private ProcessSpec spec(String program) {
    return ProcessSpec.builder(List.of(program), dir, dir.resolve("step.log"))
        .environment(ENV)
        .build();
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
