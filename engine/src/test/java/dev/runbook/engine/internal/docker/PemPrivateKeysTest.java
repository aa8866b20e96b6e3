package dev.runbook.engine.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Private keys in the PEM forms openssl writes, read with the JDK alone. */
class PemPrivateKeysTest {
  @TempDir Path dir;

  /** Signs with the parsed key and verifies with the public key openssl derives from the file. */
  private void assertReadsAs(String file, String algorithm, String signature) throws Exception {
    OpenSsl openssl = new OpenSsl(dir);
    openssl.run("pkey", "-in", file, "-pubout", "-out", file + ".pub");
    PrivateKey key = PemPrivateKeys.parse(Files.readAllBytes(dir.resolve(file)));
    assertThat(key.getAlgorithm()).isEqualTo(algorithm);
    String pub =
        Files.readString(dir.resolve(file + ".pub"), StandardCharsets.US_ASCII)
            .replaceAll("-----[A-Z ]+-----", "")
            .replaceAll("\\s", "");
    PublicKey publicKey =
        KeyFactory.getInstance(algorithm)
            .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(pub)));
    Signature signer = Signature.getInstance(signature);
    signer.initSign(key);
    signer.update(new byte[] {1, 2, 3});
    byte[] signed = signer.sign();
    Signature verifier = Signature.getInstance(signature);
    verifier.initVerify(publicKey);
    verifier.update(new byte[] {1, 2, 3});
    assertThat(verifier.verify(signed)).isTrue();
  }

  @Test
  void readsPkcs8() throws Exception {
    new OpenSsl(dir).run("genpkey", "-algorithm", "RSA", "-out", "key.pem");
    assertThat(Files.readString(dir.resolve("key.pem"))).startsWith("-----BEGIN PRIVATE KEY-----");
    assertReadsAs("key.pem", "RSA", "SHA256withRSA");
  }

  @Test
  void readsPkcs1Rsa() throws Exception {
    new OpenSsl(dir).run("genrsa", "-traditional", "-out", "key.pem", "2048");
    assertThat(Files.readString(dir.resolve("key.pem")))
        .startsWith("-----BEGIN RSA PRIVATE KEY-----");
    assertReadsAs("key.pem", "RSA", "SHA256withRSA");
  }

  @Test
  void readsSec1EcWithItsParametersBlockBeforeIt() throws Exception {
    new OpenSsl(dir).run("ecparam", "-name", "secp384r1", "-genkey", "-out", "key.pem");
    assertThat(Files.readString(dir.resolve("key.pem")))
        .startsWith("-----BEGIN EC PARAMETERS-----")
        .contains("-----BEGIN EC PRIVATE KEY-----");
    assertReadsAs("key.pem", "EC", "SHA256withECDSA");
  }

  @Test
  void readsPkcs8Ec() throws Exception {
    new OpenSsl(dir)
        .run(
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            "key.pem");
    assertReadsAs("key.pem", "EC", "SHA256withECDSA");
  }

  @Test
  void refusesAnEncryptedKeyWithAWayOut() throws Exception {
    new OpenSsl(dir)
        .run("genpkey", "-algorithm", "RSA", "-aes-128-cbc", "-pass", "pass:pw", "-out", "key.pem");
    byte[] pem = Files.readAllBytes(dir.resolve("key.pem"));
    assertThatThrownBy(() -> PemPrivateKeys.parse(pem))
        .isInstanceOf(GeneralSecurityException.class)
        .hasMessage(
            "the private key is encrypted; decrypt it first (openssl pkey -in key.pem -out"
                + " key.pem)");
  }

  @Test
  void saysSoWhenThereIsNoKey() {
    assertThatThrownBy(
            () ->
                PemPrivateKeys.parse(
                    "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n"
                        .getBytes(StandardCharsets.US_ASCII)))
        .hasMessage("no private key found (expected a BEGIN ... PRIVATE KEY block)");
  }
}
