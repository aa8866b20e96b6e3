package dev.runbook.engine.internal.docker;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an unencrypted private key from PEM with the JDK alone: PKCS#8 ({@code BEGIN PRIVATE KEY}),
 * PKCS#1 RSA ({@code BEGIN RSA PRIVATE KEY}) and SEC1 EC ({@code BEGIN EC PRIVATE KEY}), the forms
 * {@code openssl} and Docker's TLS guides produce. The last two are rewrapped as PKCS#8, which is
 * all the JDK's key factories read; that takes a few bytes of DER, written here rather than pulling
 * in a crypto library for it.
 */
final class PemPrivateKeys {
  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----\\s*(.*?)-----END \\1-----", Pattern.DOTALL);

  /** rsaEncryption, 1.2.840.113549.1.1.1. */
  private static final byte[] RSA_OID = {
    0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01
  };

  /** id-ecPublicKey, 1.2.840.10045.2.1. */
  private static final byte[] EC_OID = {
    0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01
  };

  private PemPrivateKeys() {}

  /**
   * The first private key in {@code pem}.
   *
   * @throws GeneralSecurityException with a message for the operator if there is none, it is
   *     encrypted, or it cannot be read
   */
  static PrivateKey parse(byte[] pem) throws GeneralSecurityException {
    String text = new String(pem, StandardCharsets.ISO_8859_1);
    Matcher block = BLOCK.matcher(text);
    while (block.find()) {
      String type = block.group(1);
      if (!type.endsWith("PRIVATE KEY")) {
        continue;
      }
      String body = block.group(2);
      if (type.startsWith("ENCRYPTED") || body.contains("Proc-Type: 4,ENCRYPTED")) {
        throw new GeneralSecurityException(
            "the private key is encrypted; decrypt it first (openssl pkey -in key.pem -out"
                + " key.pem)");
      }
      byte[] der;
      try {
        der = Base64.getMimeDecoder().decode(body.strip());
      } catch (IllegalArgumentException e) {
        throw new GeneralSecurityException("the private key is not valid Base64", e);
      }
      return switch (type) {
        case "PRIVATE KEY" -> pkcs8(der);
        case "RSA PRIVATE KEY" ->
            generate("RSA", wrap(sequence(RSA_OID, new byte[] {0x05, 0x00}), der));
        case "EC PRIVATE KEY" -> generate("EC", wrap(sequence(EC_OID, curveOf(der)), der));
        default -> throw new GeneralSecurityException("unsupported key type `" + type + "`");
      };
    }
    throw new GeneralSecurityException(
        "no private key found (expected a BEGIN ... PRIVATE KEY block)");
  }

  private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
    GeneralSecurityException last = null;
    for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "Ed448"}) {
      try {
        return generate(algorithm, der);
      } catch (GeneralSecurityException e) {
        last = e;
      }
    }
    throw new GeneralSecurityException(
        "the private key cannot be read: " + last.getMessage(), last);
  }

  private static PrivateKey generate(String algorithm, byte[] pkcs8)
      throws GeneralSecurityException {
    return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
  }

  /** PrivateKeyInfo: SEQUENCE { INTEGER 0, algorithm, OCTET STRING key }. */
  private static byte[] wrap(byte[] algorithm, byte[] key) {
    return tlv(0x30, concat(new byte[] {0x02, 0x01, 0x00}, algorithm, tlv(0x04, key)));
  }

  private static byte[] sequence(byte[]... parts) {
    return tlv(0x30, concat(parts));
  }

  /**
   * The named curve's OID (as a whole TLV) from a SEC1 ECPrivateKey: SEQUENCE { INTEGER 1, OCTET
   * STRING, [0] { OID } OPTIONAL, [1] OPTIONAL }.
   */
  static byte[] curveOf(byte[] sec1) throws GeneralSecurityException {
    Der outer = Der.read(sec1, 0);
    if (outer.tag != 0x30) {
      throw new GeneralSecurityException("the EC private key is not a DER sequence");
    }
    int at = outer.contentStart;
    while (at < outer.end) {
      Der item = Der.read(sec1, at);
      if (item.tag == (byte) 0xa0) {
        Der oid = Der.read(sec1, item.contentStart);
        if (oid.tag != 0x06) {
          break;
        }
        return Arrays.copyOfRange(sec1, item.contentStart, oid.end);
      }
      at = item.end;
    }
    throw new GeneralSecurityException(
        "the EC private key does not name its curve; convert it with"
            + " `openssl pkcs8 -topk8 -nocrypt -in key.pem -out key.pem`");
  }

  /** One DER element's tag and where its content lies. */
  private record Der(byte tag, int contentStart, int end) {
    static Der read(byte[] b, int at) throws GeneralSecurityException {
      try {
        byte tag = b[at];
        int first = b[at + 1] & 0xff;
        int length;
        int start;
        if (first < 0x80) {
          length = first;
          start = at + 2;
        } else {
          int n = first & 0x7f;
          if (n == 0 || n > 3) {
            throw new GeneralSecurityException("unsupported DER length in the private key");
          }
          length = 0;
          for (int i = 0; i < n; i++) {
            length = length << 8 | (b[at + 2 + i] & 0xff);
          }
          start = at + 2 + n;
        }
        if (start + length > b.length) {
          throw new GeneralSecurityException("the private key is truncated");
        }
        return new Der(tag, start, start + length);
      } catch (ArrayIndexOutOfBoundsException e) {
        throw new GeneralSecurityException("the private key is truncated", e);
      }
    }
  }

  private static byte[] tlv(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int n = content.length;
    if (n < 0x80) {
      out.write(n);
    } else if (n < 0x100) {
      out.write(0x81);
      out.write(n);
    } else if (n < 0x10000) {
      out.write(0x82);
      out.write(n >> 8);
      out.write(n);
    } else {
      out.write(0x83);
      out.write(n >> 16);
      out.write(n >> 8);
      out.write(n);
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
