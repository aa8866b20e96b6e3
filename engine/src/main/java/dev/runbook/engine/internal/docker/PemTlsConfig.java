package dev.runbook.engine.internal.docker;

import com.github.dockerjava.transport.SSLConfig;
import dev.runbook.engine.internal.probe.PemCertificates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS to a remote engine the way {@code DOCKER_TLS_VERIFY} means it: the engine's certificate must
 * chain to {@code ca.pem}, and the client proves itself with {@code cert.pem} and {@code key.pem},
 * all from {@code DOCKER_CERT_PATH}. Built with the JDK alone (docker-java's own reader needs
 * BouncyCastle, which would triple the size of the CLI).
 */
final class PemTlsConfig implements SSLConfig {
  private final SSLContext context;

  private PemTlsConfig(SSLContext context) {
    this.context = context;
  }

  /**
   * Loads the three files now, so that a missing or unreadable one is reported before any request.
   *
   * @throws DockerActionException naming the file and what is wrong with it
   */
  static PemTlsConfig load(Path dir) {
    List<X509Certificate> ca = certificates(dir.resolve("ca.pem"));
    List<X509Certificate> chain = certificates(dir.resolve("cert.pem"));
    PrivateKey key;
    Path keyFile = dir.resolve("key.pem");
    try {
      key = PemPrivateKeys.parse(read(keyFile));
    } catch (GeneralSecurityException e) {
      throw new DockerActionException(keyFile + ": " + e.getMessage(), e);
    }
    try {
      char[] password = new char[0];
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry("client", key, password, chain.toArray(new X509Certificate[0]));
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, password);
      KeyStore trusted = KeyStore.getInstance("PKCS12");
      trusted.load(null, null);
      for (int i = 0; i < ca.size(); i++) {
        trusted.setCertificateEntry("ca-" + i, ca.get(i));
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trusted);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      return new PemTlsConfig(context);
    } catch (GeneralSecurityException | IOException e) {
      throw new DockerActionException(
          "cannot set up TLS from the certificates in "
              + dir
              + " (does key.pem belong to cert.pem?): "
              + e.getMessage(),
          e);
    }
  }

  private static List<X509Certificate> certificates(Path file) {
    try {
      List<X509Certificate> certificates = PemCertificates.parse(read(file));
      if (certificates.isEmpty()) {
        throw new DockerActionException(file + " holds no certificate (BEGIN CERTIFICATE)");
      }
      return certificates;
    } catch (GeneralSecurityException e) {
      throw new DockerActionException(file + ": " + e.getMessage(), e);
    }
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new DockerActionException(
          "DOCKER_TLS_VERIFY is set but "
              + file
              + " is missing: DOCKER_CERT_PATH must hold ca.pem, cert.pem and key.pem",
          e);
    } catch (IOException e) {
      throw new DockerActionException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public SSLContext getSSLContext() {
    return context;
  }
}
