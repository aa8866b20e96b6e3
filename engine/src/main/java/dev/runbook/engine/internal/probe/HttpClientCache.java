package dev.runbook.engine.internal.probe;

import dev.runbook.dsl.Sizes;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * One {@link HttpClient} per TLS configuration, so a {@code wait} loop that probes every few
 * seconds reuses connections and never rebuilds an SSL context.
 *
 * <p>A CA file is read on every call and the client is keyed by a digest of its contents: a
 * certificate replaced during a run is picked up, and the same bundle under two paths shares one
 * client. Every client speaks HTTP/1.1 and never follows redirects. Thread-safe.
 */
final class HttpClientCache {
  /** Bigger than any real CA bundle (the system one is about 200 KiB), small enough to read. */
  static final int MAX_CA_FILE_BYTES = 4 << 20;

  private record TlsKey(boolean insecure, String caDigest) {}

  private final ConcurrentMap<TlsKey, HttpClient> clients = new ConcurrentHashMap<>();

  /**
   * The client for a TLS configuration: the JDK's default trust, only the certificates of {@code
   * caFile}, or (when {@code insecure}) any certificate for any host.
   *
   * @throws ProbeSetupException if both are given, or the CA file is unreadable or holds no
   *     certificate
   */
  HttpClient clientFor(boolean insecure, Optional<Path> caFile) throws ProbeSetupException {
    if (insecure && caFile.isPresent()) {
      throw new ProbeSetupException(
          "insecure: true and ca_file contradict each other; keep one of them");
    }
    if (insecure) {
      return clients.computeIfAbsent(
          new TlsKey(true, ""), key -> build(Optional.of(insecureContext())));
    }
    if (caFile.isEmpty()) {
      return clients.computeIfAbsent(new TlsKey(false, ""), key -> build(Optional.empty()));
    }
    byte[] pem = read(caFile.get());
    TlsKey key = new TlsKey(false, sha256(pem));
    HttpClient client = clients.get(key);
    if (client == null) {
      client = build(Optional.of(trusting(caFile.get(), pem)));
      HttpClient raced = clients.putIfAbsent(key, client);
      client = raced == null ? client : raced;
    }
    return client;
  }

  /** How many clients are cached; for tests. */
  int size() {
    return clients.size();
  }

  private static HttpClient build(Optional<SSLContext> ssl) {
    HttpClient.Builder builder =
        HttpClient.newBuilder()
            // Health endpoints gain nothing from HTTP/2, and the plain-text upgrade dance it
            // starts (h2c) confuses some servers.
            .version(HttpClient.Version.HTTP_1_1)
            // A check must see what the URL answers: a 302 to a login page is not a 200.
            .followRedirects(HttpClient.Redirect.NEVER);
    ssl.ifPresent(builder::sslContext);
    return builder.build();
  }

  private static byte[] read(Path caFile) throws ProbeSetupException {
    try (InputStream in = Files.newInputStream(caFile)) {
      byte[] bytes = in.readNBytes(MAX_CA_FILE_BYTES + 1);
      if (bytes.length > MAX_CA_FILE_BYTES) {
        throw new ProbeSetupException(
            "ca_file "
                + caFile
                + " is larger than "
                + Sizes.format(MAX_CA_FILE_BYTES)
                + "; expected PEM certificates");
      }
      return bytes;
    } catch (IOException e) {
      throw new ProbeSetupException("cannot read ca_file " + caFile + ": " + PathProbe.reason(e));
    }
  }

  private static SSLContext trusting(Path caFile, byte[] pem) throws ProbeSetupException {
    List<X509Certificate> certificates;
    try {
      certificates = PemCertificates.parse(pem);
    } catch (CertificateException e) {
      throw new ProbeSetupException("ca_file " + caFile + ": " + e.getMessage());
    }
    if (certificates.isEmpty()) {
      throw new ProbeSetupException(
          "ca_file " + caFile + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
    }
    try {
      KeyStore trusted = KeyStore.getInstance("PKCS12");
      trusted.load(null, null);
      for (int i = 0; i < certificates.size(); i++) {
        trusted.setCertificateEntry("ca-" + i, certificates.get(i));
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trusted);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, factory.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new ProbeSetupException("cannot trust ca_file " + caFile + ": " + e.getMessage());
    }
  }

  private static SSLContext insecureContext() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {new TrustEverything()}, null);
      return context;
    } catch (GeneralSecurityException e) {
      // Every Java 17 runtime provides TLS; reaching this is a broken JDK.
      throw new IllegalStateException("TLS is not available", e);
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
