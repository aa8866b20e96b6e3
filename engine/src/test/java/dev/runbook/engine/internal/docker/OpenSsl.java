package dev.runbook.engine.internal.docker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Keys and certificates made on the spot with the {@code openssl} command, for TLS tests. */
final class OpenSsl {
  private final Path dir;

  OpenSsl(Path dir) {
    DockerRequirement.need(
        Files.isExecutable(Path.of("/usr/bin/openssl")),
        "openssl is not installed: run bin/install-test-deps");
    this.dir = dir;
  }

  /** Runs {@code openssl args...} in the directory; fails the test if it fails. */
  void run(String... args) {
    List<String> command = new ArrayList<>(List.of("/usr/bin/openssl"));
    command.addAll(List.of(args));
    try {
      Process p =
          new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() != 0) {
        throw new AssertionError("openssl " + String.join(" ", args) + " failed:\n" + out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  Path file(String name) {
    return dir.resolve(name);
  }

  /** A CA ({@code ca.pem}, {@code ca-key.pem}). */
  void ca(String name) {
    run(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        name + "-key.pem",
        "-out",
        name + ".pem",
        "-days",
        "2",
        "-subj",
        "/CN=" + name);
  }

  /**
   * A certificate {@code name-cert.pem} signed by the CA {@code ca}, for the key in {@code key}.
   *
   * @param extensions such as {@code subjectAltName=IP:127.0.0.1}, one per line
   */
  void certificate(String name, String key, String ca, String subject, String extensions) {
    try {
      Files.writeString(dir.resolve(name + ".ext"), extensions + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    run("req", "-new", "-key", key, "-out", name + ".csr", "-subj", "/CN=" + subject);
    run(
        "x509",
        "-req",
        "-in",
        name + ".csr",
        "-CA",
        ca + ".pem",
        "-CAkey",
        ca + "-key.pem",
        "-CAcreateserial",
        "-out",
        name + "-cert.pem",
        "-days",
        "2",
        "-extfile",
        name + ".ext");
  }
}
