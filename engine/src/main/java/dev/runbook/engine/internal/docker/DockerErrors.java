package dev.runbook.engine.internal.docker;

import com.github.dockerjava.api.exception.DockerClientException;
import com.github.dockerjava.api.exception.DockerException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import org.json.JSONException;
import org.json.JSONObject;

/**
 * Turns what docker-java throws into one sentence for the operator: an engine that cannot be
 * reached (which host, which socket, and the likely cause), or what the engine answered.
 */
final class DockerErrors {
  private static final Pattern STATUS = Pattern.compile("(?s)Status (\\d+): (.*)");

  private DockerErrors() {}

  static DockerActionException translate(String what, Throwable e, DockerEndpoint endpoint) {
    String unreachable = unreachable(e, endpoint);
    if (unreachable != null) {
      return new DockerActionException(
          "cannot reach the Docker Engine at " + endpoint.describe() + ": " + unreachable, e);
    }
    if (e instanceof DockerException d) {
      if (engineMessage(d).contains("HTTP request to an HTTPS server")) {
        return new DockerActionException(
            "cannot reach the Docker Engine at "
                + endpoint.describe()
                + ": it speaks TLS; set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH to the directory"
                + " of ca.pem, cert.pem and key.pem",
            e);
      }
      return new DockerActionException(
          what + ": the Docker Engine answered: " + engineMessage(d), e);
    }
    if (e instanceof DockerClientException) {
      return new DockerActionException(what + ": " + e.getMessage(), e);
    }
    return new DockerActionException(what + " failed: " + e, e);
  }

  /** What the engine said, without docker-java's {@code Status 404: {"message": ...}} wrapping. */
  static String engineMessage(DockerException e) {
    String text = String.valueOf(e.getMessage()).strip();
    Matcher m = STATUS.matcher(text);
    if (m.matches()) {
      String body = m.group(2).strip();
      try {
        return new JSONObject(body).optString("message", body).strip();
      } catch (JSONException notJson) {
        return body.isEmpty() ? "HTTP status " + m.group(1) : body;
      }
    }
    return text;
  }

  /** Why the engine could not be reached, or null if it was reached. */
  private static String unreachable(Throwable e, DockerEndpoint endpoint) {
    String socket = endpoint.host().getPath();
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (endpoint.isUnixSocket() && t instanceof java.net.SocketException) {
        // The JDK's unix sockets report errno as text: ENOENT, EACCES, ECONNREFUSED.
        String m = String.valueOf(t.getMessage());
        if (m.contains("No such file or directory")) {
          return "there is no socket at "
              + socket
              + " (is dockerd running? to reach another engine, set DOCKER_HOST)";
        }
        if (m.contains("Permission denied")) {
          return "permission denied on "
              + socket
              + " (run as root, or as a member of the socket's group, usually `docker`)";
        }
        if (m.contains("Connection refused")) {
          return "nothing accepts connections on " + socket + " (is dockerd running?)";
        }
        return "the socket " + socket + " failed: " + m;
      }
      if (t instanceof ConnectException) {
        return "connection refused (is dockerd listening on "
            + endpoint.host().getAuthority()
            + "?)";
      }
      if (t instanceof UnknownHostException) {
        return "unknown host " + endpoint.host().getHost();
      }
      if (t instanceof SSLException) {
        return "the TLS handshake failed ("
            + t.getMessage()
            + "); check DOCKER_CERT_PATH and that the engine's certificate names this host";
      }
      if (t instanceof InterruptedIOException
          && String.valueOf(t.getMessage())
              .toLowerCase(java.util.Locale.ROOT)
              .contains("connect")) {
        return "no answer to the connection within "
            + DockerConnection.CONNECT_TIMEOUT.toSeconds()
            + "s";
      }
      if (t instanceof java.net.SocketException
          && String.valueOf(t.getMessage()).contains("Connection refused")) {
        return "connection refused";
      }
    }
    return null;
  }
}
