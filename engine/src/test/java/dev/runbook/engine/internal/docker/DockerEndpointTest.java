package dev.runbook.engine.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Reading DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH as the docker command does. */
class DockerEndpointTest {
  @Test
  void withoutDockerHostTheDefaultSocketIsUsedAndSaidSo() {
    DockerEndpoint e = DockerEndpoint.from(Map.of());
    assertThat(e.host()).isEqualTo(URI.create("unix:///var/run/docker.sock"));
    assertThat(e.describe())
        .isEqualTo("unix:///var/run/docker.sock (the default; DOCKER_HOST is not set)");
  }

  @Test
  void aUnixSocketIsTakenAsGiven() {
    DockerEndpoint e =
        DockerEndpoint.from(Map.of("DOCKER_HOST", "unix:///run/user/1000/docker.sock"));
    assertThat(e.isUnixSocket()).isTrue();
    assertThat(e.describe()).isEqualTo("unix:///run/user/1000/docker.sock");
  }

  @Test
  void tcpIsPlainUnlessTlsVerifyIsSet() {
    assertThat(DockerEndpoint.from(Map.of("DOCKER_HOST", "tcp://10.1.2.3:2375")).describe())
        .isEqualTo("tcp://10.1.2.3:2375 (plain TCP, no TLS: DOCKER_TLS_VERIFY is not set)");
    assertThat(
            DockerEndpoint.from(
                    Map.of("DOCKER_HOST", "tcp://10.1.2.3:2375", "DOCKER_TLS_VERIFY", "0"))
                .tlsCertDir())
        .isEmpty();
  }

  @Test
  void tlsVerifyTakesTheCertificatesFromDockerCertPathElseHomeDotDocker() {
    DockerEndpoint given =
        DockerEndpoint.from(
            Map.of(
                "DOCKER_HOST", "tcp://docker.example:2376",
                "DOCKER_TLS_VERIFY", "1",
                "DOCKER_CERT_PATH", "/etc/runbook/docker-certs"));
    assertThat(given.tlsCertDir()).contains(Path.of("/etc/runbook/docker-certs"));
    assertThat(given.describe())
        .isEqualTo("tcp://docker.example:2376 (TLS, certificates in /etc/runbook/docker-certs)");
    DockerEndpoint home =
        DockerEndpoint.from(
            Map.of(
                "DOCKER_HOST", "tcp://docker.example:2376",
                "DOCKER_TLS_VERIFY", "1",
                "HOME", "/home/ops"));
    assertThat(home.tlsCertDir()).isEqualTo(Optional.of(Path.of("/home/ops/.docker")));
  }

  @Test
  void sshIsRefusedWithAWayToReachTheEngineAnyway() {
    assertThatThrownBy(() -> DockerEndpoint.from(Map.of("DOCKER_HOST", "ssh://ops@box")))
        .isInstanceOf(DockerActionException.class)
        .hasMessage(
            "DOCKER_HOST `ssh://ops@box`: runbook reaches a Docker Engine over unix:// or tcp://,"
                + " not ssh://; forward the remote socket (ssh -nNT -L"
                + " /tmp/docker.sock:/var/run/docker.sock HOST) and set"
                + " DOCKER_HOST=unix:///tmp/docker.sock");
  }

  @Test
  void malformedAddressesSayWhatToWrite() {
    assertThatThrownBy(() -> DockerEndpoint.from(Map.of("DOCKER_HOST", "tcp://box")))
        .hasMessage("DOCKER_HOST `tcp://box` needs a host and a port: write tcp://HOST:PORT");
    assertThatThrownBy(() -> DockerEndpoint.from(Map.of("DOCKER_HOST", "/var/run/docker.sock")))
        .hasMessage(
            "DOCKER_HOST `/var/run/docker.sock` is not an address runbook can reach: use"
                + " unix:///path/to/docker.sock or tcp://HOST:PORT");
    assertThatThrownBy(() -> DockerEndpoint.from(Map.of("DOCKER_HOST", "unix://docker.sock")))
        .hasMessage(
            "DOCKER_HOST `unix://docker.sock` names no socket: write unix:///path/to/docker.sock");
  }
}
