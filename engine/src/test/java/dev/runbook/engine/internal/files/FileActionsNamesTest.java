package dev.runbook.engine.internal.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Names that are not valid UTF-8 are copied, backed up and restored byte for byte. */
class FileActionsNamesTest {
  @TempDir Path tmp;

  private final FileActions actions = new FileActions();
  private Path data;
  private String before;

  @BeforeEach
  void makeTree() throws Exception {
    data = tmp.resolve("app/data");
    RawTree.makeNonUtf8Names(data);
    before = RawTree.describe(data);
  }

  @Test
  void backupThenRestoreGivesBackTheSameBytesAndNames() throws Exception {
    Path backup = tmp.resolve("backup");
    BackupResult made = actions.backup(List.of(data), tmp.resolve("app"), backup);
    assertThat(made.manifest().entries()).hasSize(7);
    assertThat(RawTree.describe(backup.resolve("data"))).isEqualTo(before);

    TreeDeleter.delete(data);
    actions.restore(backup, tmp.resolve("app"));

    assertThat(RawTree.describe(data)).isEqualTo(before);
  }

  @Test
  void copyKeepsEveryNameAndTwoLatin1NamesDoNotCollide() throws Exception {
    CopyResult copied = actions.copy(data, tmp.resolve("copy"));

    assertThat(RawTree.describe(tmp.resolve("copy"))).isEqualTo(before);
    assertThat(copied.entries()).extracting(FileEntry::path).doesNotHaveDuplicates().hasSize(7);
  }

  @Test
  void theManifestHoldsTheBytesOfEveryNameThatIsNotUtf8() throws Exception {
    Path backup = tmp.resolve("backup");
    actions.backup(List.of(data), tmp.resolve("app"), backup);

    JSONArray entries =
        new JSONObject(Files.readString(backup.resolve("manifest.json"))).getJSONArray("entries");
    List<Object> paths = new ArrayList<>();
    for (int i = 0; i < entries.length(); i++) {
      paths.add(entries.getJSONObject(i).toMap().get("path"));
    }
    assertThat(paths)
        .contains("data/café")
        .contains(Map.of("base64", "ZGF0YS9jYWbp")) // data/caf\xE9
        .contains(Map.of("base64", "ZGF0YS9jYWbq")); // data/caf\xEA
    JSONObject link = entries.getJSONObject(paths.indexOf(Map.of("base64", "ZGF0YS9s6Q==")));
    assertThat(link.getJSONObject("target").getString("base64")).isEqualTo("Y2Fm6Q==");
  }
}
