package dev.runbook.engine.internal.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.engine.CheckOutcome;
import dev.runbook.engine.CheckOutcome.Status;
import dev.runbook.engine.internal.probe.HttpProbe.Request;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real HTTPS server with a self-signed certificate for {@code localhost}, made by the JDK's
 * keytool, proves how {@code ca_file} and {@code insecure} change what the probe trusts.
 */
class HttpsProbeTest {
  private static final String PASSWORD = "changeit";

  @TempDir static Path dir;

  private static Path serverCert;
  private static Path otherCert;
  private static LoopbackHttpServer server;

  private final HttpProbe probe = new HttpProbe();

  @BeforeAll
  static void startServerWithSelfSignedCertificate() throws Exception {
    Path serverStore = dir.resolve("server.p12");
    Path otherStore = dir.resolve("other.p12");
    // Two independent key pairs: the server's, and an unrelated one that signs nothing we meet.
    Process server1 = genkeypair(serverStore, "CN=localhost", "SAN=dns:localhost");
    Process other1 = genkeypair(otherStore, "CN=unrelated", "SAN=dns:unrelated.example");
    awaitSuccess(server1);
    awaitSuccess(other1);
    serverCert = dir.resolve("server.pem");
    otherCert = dir.resolve("other.pem");
    Process server2 = exportPem(serverStore, serverCert);
    Process other2 = exportPem(otherStore, otherCert);
    awaitSuccess(server2);
    awaitSuccess(other2);

    server = LoopbackHttpServer.https(identity(serverStore));
    server.on("/health", 200, "application/json", "{\"status\":\"ok\"}");
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void theDefaultTrustStoreRefusesASelfSignedCertificate() {
    var outcome = probe.probe(Request.to(server.url("/health")).build()).outcome();

    assertThat(outcome.status()).isEqualTo(Status.FAILED);
    assertThat(outcome.detail())
        .startsWith("TLS handshake with localhost:" + server.port() + " failed: ")
        .contains("certificate is not trusted");
  }

  @Test
  void aCaFileWithTheCertificateMakesItTrusted() {
    var result =
        probe.probe(
            Request.to(server.url("/health")).caFile(serverCert).json("/status", "ok").build());

    assertThat(result.outcome()).isEqualTo(CheckOutcome.holds("status 200, /status is \"ok\""));
  }

  @Test
  void aCaFileMayHoldSeveralCertificatesAmidOtherText() throws IOException {
    Path bundle = dir.resolve("bundle.pem");
    Files.writeString(
        bundle,
        "# an unrelated CA first\n"
            + Files.readString(otherCert)
            + "\nsubject=CN = localhost\n"
            + Files.readString(serverCert));

    assertThat(probe.probe(Request.to(server.url("/health")).caFile(bundle).build()).outcome())
        .isEqualTo(CheckOutcome.holds("status 200"));
  }

  @Test
  void aCaFileTrustsOnlyItsOwnCertificatesNotTheDefaultOnes() {
    var outcome =
        probe.probe(Request.to(server.url("/health")).caFile(otherCert).build()).outcome();

    assertThat(outcome.status()).isEqualTo(Status.FAILED);
    assertThat(outcome.detail()).contains("certificate is not trusted");
  }

  @Test
  void aCaFileStillVerifiesTheHostName() {
    String byAddress = server.urlByAddress("/health");
    String host = byAddress.substring("https://".length(), byAddress.lastIndexOf(':'));

    var outcome = probe.probe(Request.to(byAddress).caFile(serverCert).build()).outcome();

    assertThat(outcome.status()).isEqualTo(Status.FAILED);
    assertThat(outcome.detail())
        .endsWith("the server's certificate is not for host \"" + host + "\"");
  }

  @Test
  void insecureAcceptsAnUntrustedCertificateForAnotherHost() {
    var outcome =
        probe.probe(Request.to(server.urlByAddress("/health")).insecure(true).build()).outcome();

    assertThat(outcome).isEqualTo(CheckOutcome.holds("status 200"));
  }

  @Test
  void insecureDoesNotLeakIntoProbesThatDidNotAskForIt() {
    probe.probe(Request.to(server.urlByAddress("/health")).insecure(true).build());

    var strict = probe.probe(Request.to(server.urlByAddress("/health")).caFile(serverCert).build());

    assertThat(strict.outcome().status()).isEqualTo(Status.FAILED);
  }

  @Test
  void insecureTogetherWithACaFileIsAnError() {
    var outcome =
        probe
            .probe(Request.to(server.url("/health")).insecure(true).caFile(serverCert).build())
            .outcome();

    assertThat(outcome)
        .isEqualTo(
            CheckOutcome.errored(
                "insecure: true and ca_file contradict each other; keep one of them"));
  }

  @Test
  void anUnreadableCaFileIsAnError() {
    Path missing = dir.resolve("missing.pem");

    var outcome = probe.probe(Request.to(server.url("/health")).caFile(missing).build()).outcome();

    assertThat(outcome)
        .isEqualTo(
            CheckOutcome.errored("cannot read ca_file " + missing + ": no such file or directory"));
  }

  @Test
  void aCaFileWithoutCertificatesIsAnError() throws IOException {
    Path empty = Files.writeString(dir.resolve("empty.pem"), "not a certificate\n");
    Path broken =
        Files.writeString(
            dir.resolve("broken.pem"),
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");

    assertThat(probe.probe(Request.to(server.url("/health")).caFile(empty).build()).outcome())
        .isEqualTo(
            CheckOutcome.errored(
                "ca_file " + empty + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)"));
    var outcome = probe.probe(Request.to(server.url("/health")).caFile(broken).build()).outcome();
    assertThat(outcome.status()).isEqualTo(Status.ERRORED);
    assertThat(outcome.detail()).startsWith("ca_file " + broken + ": certificate 1 is not valid");
  }

  @Test
  void oneClientServesEachTlsConfigurationEvenUnderAnotherPath() throws IOException {
    Path copy = Files.copy(serverCert, dir.resolve("copy-of-server.pem"));

    probe.probe(Request.to(server.url("/health")).build());
    probe.probe(Request.to(server.url("/health")).caFile(serverCert).build());
    probe.probe(Request.to(server.url("/health")).caFile(copy).build());
    probe.probe(Request.to(server.url("/health")).insecure(true).build());
    probe.probe(Request.to(server.url("/health")).insecure(true).build());

    assertThat(probe.cachedClients()).isEqualTo(3);
  }

  private static Process genkeypair(Path store, String dname, String san) throws IOException {
    return keytool(
        "-genkeypair",
        "-alias",
        "server",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        dname,
        "-ext",
        san,
        "-validity",
        "2",
        "-keystore",
        store.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        PASSWORD,
        "-keypass",
        PASSWORD);
  }

  private static Process exportPem(Path store, Path pem) throws IOException {
    return keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        "server",
        "-keystore",
        store.toString(),
        "-storepass",
        PASSWORD,
        "-file",
        pem.toString());
  }

  private static Process keytool(String... arguments) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    // A short-lived JVM starts about twice as fast without the optimising compiler.
    command.addAll(List.of("-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC"));
    command.addAll(List.of(arguments));
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }

  private static void awaitSuccess(Process process) throws IOException, InterruptedException {
    String output;
    try (InputStream out = process.getInputStream()) {
      output = new String(out.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("keytool finished").isTrue();
    assertThat(process.exitValue()).as("keytool: %s", output).isZero();
  }

  private static SSLContext identity(Path store) throws IOException, GeneralSecurityException {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keys.load(in, PASSWORD.toCharArray());
    }
    KeyManagerFactory factory =
        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    factory.init(keys, PASSWORD.toCharArray());
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(factory.getKeyManagers(), null, null);
    return context;
  }
}
