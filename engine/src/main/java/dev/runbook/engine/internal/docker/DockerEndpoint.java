package dev.runbook.engine.internal.docker;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Which Docker Engine the docker steps and checks talk to, read from the engine's environment the
 * way the {@code docker} command reads it: {@code DOCKER_HOST} ({@code unix:///path} or {@code
 * tcp://host:port}; default {@value #DEFAULT_HOST}), and for {@code tcp://}, {@code
 * DOCKER_TLS_VERIFY} (TLS with both sides verified when set to anything but empty, {@code 0} or
 * {@code false}) with the certificates in {@code DOCKER_CERT_PATH} (default {@code ~/.docker}).
 *
 * @param host {@code unix:///path} or {@code tcp://host:port}
 * @param tlsCertDir the directory of {@code ca.pem}, {@code cert.pem} and {@code key.pem} when TLS
 *     is on; empty for plain {@code tcp://} and for {@code unix://}
 * @param fromEnvironment whether {@code DOCKER_HOST} named the host (else the default socket)
 */
public record DockerEndpoint(URI host, Optional<Path> tlsCertDir, boolean fromEnvironment) {
  public static final String DEFAULT_HOST = "unix:///var/run/docker.sock";

  /**
   * Reads the endpoint from {@code env}.
   *
   * @throws DockerActionException if {@code DOCKER_HOST} is malformed or of a kind runbook does not
   *     reach (ssh://, npipe://)
   */
  public static DockerEndpoint from(Map<String, String> env) {
    String value = env.getOrDefault("DOCKER_HOST", "").strip();
    boolean given = !value.isEmpty();
    String text = given ? value : DEFAULT_HOST;
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new DockerActionException(
          "DOCKER_HOST `" + text + "` is not a valid address: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    switch (scheme) {
      case "unix" -> {
        String path = uri.getPath();
        if (path == null || !path.startsWith("/")) {
          throw new DockerActionException(
              "DOCKER_HOST `" + text + "` names no socket: write unix:///path/to/docker.sock");
        }
        return new DockerEndpoint(URI.create("unix://" + path), Optional.empty(), given);
      }
      case "tcp" -> {
        if (uri.getHost() == null || uri.getPort() < 0) {
          throw new DockerActionException(
              "DOCKER_HOST `" + text + "` needs a host and a port: write tcp://HOST:PORT");
        }
        Optional<Path> certs = Optional.empty();
        if (tlsVerify(env.getOrDefault("DOCKER_TLS_VERIFY", ""))) {
          String dir = env.getOrDefault("DOCKER_CERT_PATH", "").strip();
          if (dir.isEmpty()) {
            dir = env.getOrDefault("HOME", System.getProperty("user.home")) + "/.docker";
          }
          certs = Optional.of(Path.of(dir));
        }
        return new DockerEndpoint(
            URI.create("tcp://" + uri.getHost() + ":" + uri.getPort()), certs, given);
      }
      case "ssh" ->
          throw new DockerActionException(
              "DOCKER_HOST `"
                  + text
                  + "`: runbook reaches a Docker Engine over unix:// or tcp://, not ssh://;"
                  + " forward the remote socket (ssh -nNT -L /tmp/docker.sock:/var/run/docker.sock"
                  + " HOST) and set DOCKER_HOST=unix:///tmp/docker.sock");
      default ->
          throw new DockerActionException(
              "DOCKER_HOST `"
                  + text
                  + "` is not an address runbook can reach: use unix:///path/to/docker.sock"
                  + " or tcp://HOST:PORT");
    }
  }

  private static boolean tlsVerify(String value) {
    String v = value.strip().toLowerCase(Locale.ROOT);
    return !v.isEmpty() && !v.equals("0") && !v.equals("false");
  }

  /** Whether this is a unix socket. */
  public boolean isUnixSocket() {
    return host.getScheme().equals("unix");
  }

  /**
   * The engine, for messages and plans: {@code unix:///var/run/docker.sock (the default;
   * DOCKER_HOST is not set)} or {@code tcp://10.0.0.5:2376 (TLS, certificates in /root/.docker)}.
   */
  public String describe() {
    StringBuilder out = new StringBuilder(host.toString());
    if (!fromEnvironment) {
      out.append(" (the default; DOCKER_HOST is not set)");
    } else if (tlsCertDir.isPresent()) {
      out.append(" (TLS, certificates in ").append(tlsCertDir.get()).append(')');
    } else if (!isUnixSocket()) {
      out.append(" (plain TCP, no TLS: DOCKER_TLS_VERIFY is not set)");
    }
    return out.toString();
  }
}
