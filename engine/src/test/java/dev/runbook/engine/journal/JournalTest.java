package dev.runbook.engine.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runbook.engine.RunbookException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {
  @TempDir Path dir;

  private void writeThree() {
    try (Journal journal = Journal.create(dir, Clock.systemUTC())) {
      journal.append(
          new JournalEvent.Unknown("run_started", new JSONObject().put("runbook", "demo")));
      journal.append(
          new JournalEvent.Unknown(
              "step_started", new JSONObject().put("step", "a").put("attempt", 1)));
      journal.append(new JournalEvent.Unknown("step_succeeded", new JSONObject().put("step", "a")));
    }
  }

  @Test
  void recordsComeBackInOrderWithTheirFields() {
    writeThree();
    Journal.Contents contents = Journal.read(dir.resolve(Journal.FILE_NAME));
    assertThat(contents.tornTail()).isFalse();
    assertThat(contents.records()).extracting(JournalRecord::seq).containsExactly(1L, 2L, 3L);
    assertThat(contents.records())
        .extracting(JournalRecord::type)
        .containsExactly("run_started", "step_started", "step_succeeded");
    assertThat(contents.records().get(1).field("step")).isEqualTo("a");
    assertThat(contents.records().get(1).data().getInt("attempt")).isEqualTo(1);
  }

  @Test
  void aRecordAppendedWithoutASyncIsInTheFileAtOnceAndInOrderWithTheNextOnes() {
    try (Journal journal = Journal.create(dir, Clock.systemUTC())) {
      journal.append(
          new JournalEvent.Unknown(
              "step_started", new JSONObject().put("step", "a").put("attempt", 1)));
      journal.appendUnsynced(
          new JournalEvent.Unknown("step_succeeded", new JSONObject().put("step", "a")));
      // What `status` or a resume after the engine died reads before any sync.
      assertThat(Journal.read(dir.resolve(Journal.FILE_NAME)).records())
          .extracting(JournalRecord::type)
          .containsExactly("step_started", "step_succeeded");
      journal.append(
          new JournalEvent.Unknown(
              "step_started", new JSONObject().put("step", "b").put("attempt", 1)));
      journal.appendUnsynced(
          new JournalEvent.Unknown("process_started", new JSONObject().put("pid", 42)));
    }
    Journal.Contents contents = Journal.read(dir.resolve(Journal.FILE_NAME));
    assertThat(contents.tornTail()).isFalse();
    assertThat(contents.records()).extracting(JournalRecord::seq).containsExactly(1L, 2L, 3L, 4L);
    assertThat(contents.records().get(3).data().getInt("pid")).isEqualTo(42);
  }

  @Test
  void aRecordMayHaveAFieldNamedLikeTheChecksum() {
    try (Journal journal = Journal.create(dir, Clock.systemUTC())) {
      journal.append(
          new JournalEvent.Unknown("run_started", new JSONObject().put("crc", "not the checksum")));
    }
    Journal.Contents contents = Journal.read(dir.resolve(Journal.FILE_NAME));
    assertThat(contents.tornTail()).isFalse();
    assertThat(contents.records().get(0).field("crc")).isEqualTo("not the checksum");
  }

  @Test
  void theFirstRecordIsReadAlone() throws IOException {
    writeThree();
    Path file = dir.resolve(Journal.FILE_NAME);
    // whatever follows the first line is not read: not even a corrupt line
    Files.writeString(file, "not a record\nnor this\n", StandardOpenOption.APPEND);

    assertThat(Journal.readFirst(file))
        .hasValueSatisfying(
            r -> {
              assertThat(r.seq()).isEqualTo(1);
              assertThat(r.type()).isEqualTo("run_started");
              assertThat(r.field("runbook")).isEqualTo("demo");
            });
  }

  @Test
  void aFirstLineThatIsNotAWholeValidRecordIsNoFirstRecord() throws IOException {
    Path file = dir.resolve(Journal.FILE_NAME);
    assertThat(Journal.readFirst(file)).isEmpty();
    Files.writeString(file, "");
    assertThat(Journal.readFirst(file)).isEmpty();
    Files.writeString(file, "{\"seq\":1,\"ts\":\"2026-");
    assertThat(Journal.readFirst(file)).isEmpty();
    Files.writeString(file, "{\"seq\":1}\n");
    assertThat(Journal.readFirst(file)).isEmpty();
  }

  @Test
  void journalFileIsReadableByItsOwnerOnly() throws IOException {
    writeThree();
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve(Journal.FILE_NAME))))
        .isEqualTo("rw-------");
  }

  @Test
  void tornLastLineIsDroppedAndCutOffWhenAppendingAgain() throws IOException {
    writeThree();
    Path file = dir.resolve(Journal.FILE_NAME);
    Files.writeString(file, "{\"seq\":4,\"ts\":\"2026-", StandardOpenOption.APPEND);
    Journal.Contents contents = Journal.read(file);
    assertThat(contents.tornTail()).isTrue();
    assertThat(contents.records()).hasSize(3);

    try (Journal journal = Journal.reopen(dir, Clock.systemUTC())) {
      journal.append(new JournalEvent.Unknown("finished", new JSONObject()));
    }
    Journal.Contents after = Journal.read(file);
    assertThat(after.tornTail()).isFalse();
    assertThat(after.records()).extracting(JournalRecord::seq).containsExactly(1L, 2L, 3L, 4L);
  }

  @Test
  void reopeningWithAnEarlierReadOfAnUnchangedFileKeepsThatRead() {
    writeThree();
    Journal.Contents asRead = Journal.read(dir.resolve(Journal.FILE_NAME));

    try (Journal journal = Journal.reopen(dir, Clock.systemUTC(), asRead)) {
      assertThat(journal.contents()).isSameAs(asRead);
      assertThat(journal.append(new JournalEvent.Unknown("resumed", new JSONObject())).seq())
          .isEqualTo(4);
    }
  }

  @Test
  void reopeningWithAnEarlierReadOfAJournalThatGrewSinceReadsItAgain() {
    writeThree();
    Journal.Contents asRead = Journal.read(dir.resolve(Journal.FILE_NAME));
    try (Journal other = Journal.reopen(dir, Clock.systemUTC())) {
      other.append(
          new JournalEvent.Unknown(
              "step_started", new JSONObject().put("step", "b").put("attempt", 1)));
    }

    try (Journal journal = Journal.reopen(dir, Clock.systemUTC(), asRead)) {
      assertThat(journal.contents().records())
          .extracting(r -> r.field("step"))
          .containsExactly(null, "a", "a", "b");
      assertThat(journal.append(new JournalEvent.Unknown("resumed", new JSONObject())).seq())
          .isEqualTo(5);
    }
    assertThat(Journal.read(dir.resolve(Journal.FILE_NAME)).records())
        .extracting(JournalRecord::seq)
        .containsExactly(1L, 2L, 3L, 4L, 5L);
  }

  @Test
  void reopeningWithAnEarlierReadThatFoundATornTailCutsItOff() throws IOException {
    writeThree();
    Path file = dir.resolve(Journal.FILE_NAME);
    Files.writeString(file, "{\"seq\":4,\"ts\":\"2026-", StandardOpenOption.APPEND);
    Journal.Contents asRead = Journal.read(file);

    try (Journal journal = Journal.reopen(dir, Clock.systemUTC(), asRead)) {
      journal.append(new JournalEvent.Unknown("finished", new JSONObject()));
    }
    Journal.Contents after = Journal.read(file);
    assertThat(after.tornTail()).isFalse();
    assertThat(after.records()).extracting(JournalRecord::seq).containsExactly(1L, 2L, 3L, 4L);
  }

  @Test
  void corruptLastCompleteLineIsDamageNotATornTailAndIsKept() throws IOException {
    writeThree();
    Path file = dir.resolve(Journal.FILE_NAME);
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    lines.set(2, lines.get(2).replace("\"a\"", "\"b\""));
    Files.write(file, lines, StandardCharsets.UTF_8);
    long size = Files.size(file);

    Journal.Contents contents = Journal.read(file);

    assertThat(contents.tornTail()).isFalse();
    assertThat(contents.records()).hasSize(2);
    assertThat(contents.damage())
        .contains(new Journal.Damage(3, "the checksum does not match the line"));
    // a resume must neither append after it nor cut it off
    assertThatThrownBy(() -> Journal.reopen(dir, Clock.systemUTC()))
        .isInstanceOf(RunbookException.class)
        .hasMessageContaining("damaged at line 3")
        .satisfies(
            e ->
                assertThat(((RunbookException) e).details())
                    .containsExactly(
                        file
                            + ":3: error: damaged journal line: the checksum does not match"
                            + " the line"));
    assertThat(Files.size(file)).isEqualTo(size);
  }

  @Test
  void corruptionBeforeTheLastLineIsDamageNamingTheLineAndKeepsWhatPrecedesIt() throws IOException {
    writeThree();
    Path file = dir.resolve(Journal.FILE_NAME);
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    lines.set(1, lines.get(1).replace("\"attempt\":1", "\"attempt\":2"));
    Files.write(file, lines, StandardCharsets.UTF_8);

    Journal.Contents contents = Journal.read(file);

    assertThat(contents.records()).extracting(JournalRecord::type).containsExactly("run_started");
    assertThat(contents.damage()).map(Journal.Damage::line).contains(2L);
  }

  @Test
  void aLineOutOfSequenceIsDamage() throws IOException {
    writeThree();
    Path file = dir.resolve(Journal.FILE_NAME);
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    Files.write(file, List.of(lines.get(0), lines.get(2), lines.get(1)), StandardCharsets.UTF_8);
    assertThat(Journal.read(file).damage())
        .contains(new Journal.Damage(2, "sequence number 3 where 2 was expected"));
  }

  @Test
  void anEmptyCompleteLastLineIsDamageButAMissingNewlineIsATornTail() throws IOException {
    writeThree();
    Path file = dir.resolve(Journal.FILE_NAME);
    Files.writeString(file, "\n", StandardOpenOption.APPEND);
    assertThat(Journal.read(file).damage()).contains(new Journal.Damage(4, "an empty line"));
  }

  @Test
  void aJournalThatIsADeviceIsRefusedNamingItWithoutReadingIt() throws IOException {
    Path file = dir.resolve("run").resolve(Journal.FILE_NAME);
    Files.createDirectories(file.getParent());
    Files.createSymbolicLink(file, Path.of("/dev/zero"));
    assertThatThrownBy(() -> Journal.read(file))
        .isInstanceOf(RunbookException.class)
        .hasMessage(
            "cannot read the journal " + file + ": is a character device, not a regular file");
    assertThat(Journal.readFirst(file)).isEmpty();
  }
}
