package dev.runbook.engine.internal.probe;

import java.net.Socket;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Accepts any server certificate and any host name: what {@code insecure: true} asks for.
 *
 * <p>It must be an {@link X509ExtendedTrustManager}. JSSE leaves the host-name check (endpoint
 * identification, which the JDK HTTP client turns on for every connection) to the trust manager: it
 * wraps a plain {@code X509TrustManager} in an adapter that checks the host name itself, but hands
 * an extended one the whole decision. So this class switches off certificate <em>and</em> host-name
 * verification for the connections of the client that uses it, and only those, without the JVM-wide
 * {@code jdk.internal.httpclient.disableHostnameVerification} property.
 */
final class TrustEverything extends X509ExtendedTrustManager {
  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) {}

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) {}

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }
}
