package dev.runbook.runbooks.docker;

import dev.runbook.engine.internal.docker.DockerRequirement;
import dev.runbook.engine.internal.docker.PrivateDockerd;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Images of the seed applications for a {@link PrivateDockerd}: busybox, the host's {@code sqlite3}
 * with the libraries it links (so migrations and health reports work on a real SQLite file), and
 * the application's scripts from {@code src/test/resources/docker/<app>/}.
 */
final class TestImages {
  static final Path RESOURCES = Path.of("src/test/resources/docker");

  private TestImages() {}

  /** {@code /bin/sqlite3} and every library {@code ldd} names for it, by path in the image. */
  static Map<String, Path> sqlite3() {
    Path sqlite3 = Path.of("/usr/bin/sqlite3");
    DockerRequirement.need(
        Files.isExecutable(sqlite3), "sqlite3 is missing: run bin/install-test-deps");
    Map<String, Path> files = new LinkedHashMap<>();
    files.put("/bin/sqlite3", sqlite3);
    try {
      Process ldd = new ProcessBuilder("ldd", sqlite3.toString()).redirectErrorStream(true).start();
      String out = new String(ldd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (ldd.waitFor() != 0) {
        throw new IllegalStateException("ldd " + sqlite3 + " failed: " + out);
      }
      // "libz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x...)" and "/lib64/ld-linux-x86-64.so.2
      // (0x...)"
      Matcher m = Pattern.compile("(?m)^\\s*(?:\\S+ => )?(/\\S+) \\(0x").matcher(out);
      while (m.find()) {
        files.put(m.group(1), Path.of(m.group(1)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return files;
  }

  /** A resource of {@code app} as text. */
  static String resource(String app, String name) {
    try {
      return Files.readString(RESOURCES.resolve(app).resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
