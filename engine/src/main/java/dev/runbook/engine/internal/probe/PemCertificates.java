package dev.runbook.engine.internal.probe;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the certificates of a PEM file: every {@code BEGIN CERTIFICATE} block in order; text around
 * the blocks (comments, {@code subject=} lines, private keys) is ignored.
 */
public final class PemCertificates {
  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\\s]*)-----END CERTIFICATE-----");

  private PemCertificates() {}

  /**
   * @param pem the file's bytes
   * @return the certificates, in file order; may be empty
   * @throws CertificateException if a block is not a valid X.509 certificate
   */
  public static List<X509Certificate> parse(byte[] pem) throws CertificateException {
    CertificateFactory factory = CertificateFactory.getInstance("X.509");
    List<X509Certificate> certificates = new ArrayList<>();
    // PEM is ASCII; Latin-1 decodes any byte, so stray non-ASCII text cannot break the read.
    Matcher block = BLOCK.matcher(new String(pem, StandardCharsets.ISO_8859_1));
    while (block.find()) {
      byte[] der;
      try {
        der = Base64.getMimeDecoder().decode(block.group(1));
      } catch (IllegalArgumentException e) {
        throw new CertificateException(
            "certificate " + (certificates.size() + 1) + " is not valid Base64", e);
      }
      try {
        certificates.add(
            (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
      } catch (CertificateException e) {
        throw new CertificateException(
            "certificate " + (certificates.size() + 1) + " is not valid: " + e.getMessage(), e);
      }
    }
    return certificates;
  }
}
