package dev.runbook.engine.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A remote engine over {@code tcp://} with {@code DOCKER_TLS_VERIFY}: the private dockerd also
 * listens on a loopback port with TLS, both sides verified, with certificates made on the spot.
 */
class DockerTlsTest {
  static PrivateDockerd dockerd;
  static OpenSsl openssl;
  static int port;
  static Path certs;

  @BeforeAll
  static void startEngine(@TempDir Path dir) throws Exception {
    openssl = new OpenSsl(dir);
    openssl.ca("ca");
    openssl.run("genrsa", "-traditional", "-out", "server-key.pem", "2048");
    openssl.certificate(
        "server",
        "server-key.pem",
        "ca",
        "127.0.0.1",
        "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth");
    // The client's key in the SEC1 EC form that `openssl ecparam -genkey` writes.
    openssl.run("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "client-key.pem");
    openssl.certificate("client", "client-key.pem", "ca", "runbook", "extendedKeyUsage=clientAuth");
    certs = Files.createDirectories(dir.resolve("certs"));
    Files.copy(dir.resolve("ca.pem"), certs.resolve("ca.pem"));
    Files.copy(dir.resolve("client-cert.pem"), certs.resolve("cert.pem"));
    Files.copy(dir.resolve("client-key.pem"), certs.resolve("key.pem"));
    port = PrivateDockerd.freePort();
    dockerd =
        PrivateDockerd.start(
            List.of(
                "-H",
                "tcp://127.0.0.1:" + port,
                "--tlsverify",
                "--tlscacert",
                dir.resolve("ca.pem").toString(),
                "--tlscert",
                dir.resolve("server-cert.pem").toString(),
                "--tlskey",
                dir.resolve("server-key.pem").toString()));
    dockerd.importImage("rb-tls", "1", Map.of());
  }

  @AfterAll
  static void stopEngine() {
    if (dockerd != null) {
      dockerd.close();
    }
  }

  private static DockerProbe probe(Path certDir) {
    return new DockerProbe(
        new DockerConnection(
            Map.of(
                "DOCKER_HOST",
                "tcp://127.0.0.1:" + port,
                "DOCKER_TLS_VERIFY",
                "1",
                "DOCKER_CERT_PATH",
                certDir.toString())));
  }

  @Test
  void aRemoteEngineIsReachedOverTlsWithTheCertificatesOfDockerCertPath() {
    assertThat(probe(certs).image("rb-tls:1").holds()).isTrue();
  }

  @Test
  void aServerCertificateFromAnotherCaIsRefused(@TempDir Path other) throws Exception {
    OpenSsl elsewhere = new OpenSsl(other);
    elsewhere.ca("ca");
    Files.copy(certs.resolve("cert.pem"), other.resolve("cert.pem"));
    Files.copy(certs.resolve("key.pem"), other.resolve("key.pem"));

    var outcome = probe(other).image("rb-tls:1");

    assertThat(outcome.holds()).isFalse();
    assertThat(outcome.detail())
        .startsWith(
            "cannot reach the Docker Engine at tcp://127.0.0.1:"
                + port
                + " (TLS, certificates in "
                + other
                + "): the TLS handshake failed (")
        .endsWith("check DOCKER_CERT_PATH and that the engine's certificate names this host");
  }

  @Test
  void aMissingCertificateFileIsNamed(@TempDir Path empty) {
    var outcome = probe(empty).image("rb-tls:1");

    assertThat(outcome.detail())
        .isEqualTo(
            "DOCKER_TLS_VERIFY is set but "
                + empty.resolve("ca.pem")
                + " is missing: DOCKER_CERT_PATH must hold ca.pem, cert.pem and key.pem");
  }

  @Test
  void plainTcpToATlsEngineSaysToTurnTlsOn() {
    DockerActions plain =
        new DockerActions(new DockerConnection(Map.of("DOCKER_HOST", "tcp://127.0.0.1:" + port)));
    assertThatThrownBy(
            () ->
                plain.findImage("rb-tls:1", new StepOutput(certs.getParent(), "x", List.of()).io()))
        .isInstanceOf(DockerActionException.class)
        .hasMessage(
            "cannot reach the Docker Engine at tcp://127.0.0.1:"
                + port
                + " (plain TCP, no TLS: DOCKER_TLS_VERIFY is not set): it speaks TLS; set"
                + " DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH to the directory of ca.pem, cert.pem"
                + " and key.pem");
  }
}
