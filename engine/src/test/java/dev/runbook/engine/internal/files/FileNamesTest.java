package dev.runbook.engine.internal.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileNamesTest {
  @TempDir Path tmp;

  @Test
  void everyByteStringSurvivesTextAndBack() {
    Random random = new Random(17);
    for (int i = 0; i < 20_000; i++) {
      byte[] bytes = new byte[1 + random.nextInt(12)];
      random.nextBytes(bytes);
      for (int j = 0; j < bytes.length; j++) {
        if (bytes[j] == 0 || bytes[j] == '/') {
          bytes[j] = (byte) 0xE9;
        }
      }
      String text = FileNames.decode(bytes);
      assertThat(FileNames.encode(text)).isEqualTo(bytes);
      assertThat(FileNames.bytes(FileNames.path(text))).isEqualTo(bytes);
      assertThat(FileNames.bytes(FileNames.path("/srv/" + text)))
          .isEqualTo(concat("/srv/".getBytes(StandardCharsets.US_ASCII), bytes));
    }
  }

  @Test
  void validUtf8ReadsAsItselfAndOtherBytesAsEscapes() {
    assertThat(FileNames.decode("café 🚀".getBytes(StandardCharsets.UTF_8))).isEqualTo("café 🚀");
    String latin1 = FileNames.decode(new byte[] {'c', 'a', 'f', (byte) 0xE9});
    assertThat(latin1).isEqualTo("caf\uDCE9");
    assertThat(FileNames.isUtf8(latin1)).isFalse();
    assertThat(FileNames.shown(latin1)).isEqualTo("caf\\xE9");
    assertThat(FileNames.decode(new byte[] {'c', 'a', 'f', (byte) 0xEA})).isNotEqualTo(latin1);
  }

  @Test
  void textThatNoBytesDecodeToIsRefused() {
    assertThatThrownBy(() -> FileNames.encode("a\uD800b"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> FileNames.encode("a\0b")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void namesListedFromDiskKeepTheirBytes() throws Exception {
    RawTree.makeNonUtf8Names(tmp);
    List<String> names = new ArrayList<>();
    try (var children = Files.newDirectoryStream(tmp)) {
      children.forEach(child -> names.add(FileNames.text(child.getFileName())));
    }
    assertThat(names)
        .containsExactlyInAnyOrder("caf\uDCE9", "caf\uDCEA", "café", "d\uDCFF", "l\uDCE9");
    assertThat(Files.readString(FileNames.resolve(tmp, "caf\uDCE9"), StandardCharsets.ISO_8859_1))
        .isEqualTo("content of caf\u00e9");
    assertThat(FileNames.text(Files.readSymbolicLink(FileNames.resolve(tmp, "l\uDCE9"))))
        .isEqualTo("caf\uDCE9");
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
