package dev.runbook.engine.internal.files;

import static dev.runbook.engine.internal.files.Trees.T1;
import static dev.runbook.engine.internal.files.Trees.T2;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TreeDigestTest {
  @TempDir Path tmp;

  @Test
  void followsTheDocumentedEncoding() throws Exception {
    Path root = Trees.dir(tmp.resolve("root"), 0755, T1);
    Trees.file(root.resolve("b.txt"), "hi\n", 0640, T1);
    Trees.link(root.resolve("a"), "b.txt", T1);
    Trees.dir(root.resolve("a.d"), 0700, T1);

    MessageDigest expected = MessageDigest.getInstance("SHA-256");
    String sha = Trees.sha256("hi\n".getBytes(StandardCharsets.UTF_8));
    for (String field :
        new String[] {
          "dir", ".", "0755", "0", "",
          "symlink", "a", "-", "0", "b.txt",
          "dir", "a.d", "0700", "0", "",
          "file", "b.txt", "0640", "3", sha
        }) {
      expected.update(field.getBytes(StandardCharsets.UTF_8));
      expected.update((byte) 0);
    }

    assertThat(TreeDigest.of(root))
        .isEqualTo("sha256:" + HexFormat.of().formatHex(expected.digest()));
  }

  @Test
  void ignoresTimesButCoversContentModesNamesAndLinkTexts() throws Exception {
    Path root = tmp.resolve("root");
    Trees.file(root.resolve("a.txt"), "hi", 0644, T1);
    Trees.link(root.resolve("link"), "a.txt", T1);
    String original = TreeDigest.of(root);

    Files.setLastModifiedTime(root.resolve("a.txt"), java.nio.file.attribute.FileTime.from(T2));
    assertThat(TreeDigest.of(root)).isEqualTo(original);

    Files.setAttribute(root.resolve("a.txt"), "unix:mode", 0600);
    assertThat(TreeDigest.of(root)).isNotEqualTo(original);
    Files.setAttribute(root.resolve("a.txt"), "unix:mode", 0644);

    Files.writeString(root.resolve("a.txt"), "ho");
    assertThat(TreeDigest.of(root)).isNotEqualTo(original);
    Files.writeString(root.resolve("a.txt"), "hi");
    assertThat(TreeDigest.of(root)).isEqualTo(original);

    Files.delete(root.resolve("link"));
    Files.createSymbolicLink(root.resolve("link"), Path.of("b.txt"));
    assertThat(TreeDigest.of(root)).isNotEqualTo(original);
  }

  @Test
  void ordersADirectoryBeforeItsContentsAndNamesByTheirBytes() {
    assertThat(EntryPath.PRE_ORDER.compare("a/b", "a.b")).isNegative();
    assertThat(EntryPath.PRE_ORDER.compare("a", "a/b")).isNegative();
    assertThat(EntryPath.PRE_ORDER.compare("B", "a")).isNegative();
    assertThat(EntryPath.PRE_ORDER.compare("z", "é")).isNegative();
  }
}
