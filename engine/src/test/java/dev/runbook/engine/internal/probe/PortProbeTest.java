package dev.runbook.engine.internal.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.runbook.dsl.model.PortState;
import dev.runbook.engine.CheckOutcome;
import dev.runbook.engine.CheckOutcome.Status;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PortProbeTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(2);

  private final PortProbe probe = new PortProbe();

  @Test
  void aListeningPortIsOpen() throws IOException {
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      int port = server.getLocalPort();

      assertThat(probe.check("127.0.0.1", port, PortState.OPEN, TIMEOUT))
          .isEqualTo(CheckOutcome.holds("127.0.0.1:" + port + " is open"));
      assertThat(probe.check("127.0.0.1", port, PortState.CLOSED, TIMEOUT))
          .isEqualTo(CheckOutcome.failed("127.0.0.1:" + port + " is open, expected closed"));
    }
  }

  @Test
  void aRefusingPortIsClosed() throws IOException {
    int port = freePort();

    assertThat(probe.check("127.0.0.1", port, PortState.CLOSED, TIMEOUT))
        .isEqualTo(CheckOutcome.holds("127.0.0.1:" + port + " is closed (connection refused)"));
    assertThat(probe.check("127.0.0.1", port, PortState.OPEN, TIMEOUT))
        .isEqualTo(
            CheckOutcome.failed(
                "127.0.0.1:" + port + " is closed (connection refused), expected open"));
  }

  @Test
  void aHostNameIsResolvedBeforeConnecting() throws IOException {
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      assertThat(probe.check("localhost", server.getLocalPort(), PortState.OPEN, TIMEOUT).status())
          .isEqualTo(Status.HOLDS);
    }
  }

  @Test
  void aPortThatNeverAnswersCountsAsClosedButNotAsOpen() throws IOException {
    List<Socket> held = new ArrayList<>();
    // Linux drops a SYN when the accept queue is full, so a listener that never accepts goes
    // silent once a couple of connections wait in its backlog.
    try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      var address = new InetSocketAddress(InetAddress.getLoopbackAddress(), silent.getLocalPort());
      boolean full = false;
      for (int i = 0; i < 10 && !full; i++) {
        Socket socket = new Socket();
        held.add(socket);
        try {
          socket.connect(address, 200);
        } catch (SocketTimeoutException e) {
          full = true;
        }
      }
      assumeTrue(full, "this platform does not drop connections to a full backlog");
      int port = silent.getLocalPort();
      Duration shortTimeout = Duration.ofMillis(200);

      assertThat(probe.check("127.0.0.1", port, PortState.CLOSED, shortTimeout))
          .isEqualTo(
              CheckOutcome.holds(
                  "127.0.0.1:" + port + " did not answer within 200ms; counted as closed"));
      assertThat(probe.check("127.0.0.1", port, PortState.OPEN, shortTimeout))
          .isEqualTo(
              CheckOutcome.failed(
                  "127.0.0.1:" + port + " did not answer within 200ms, expected open"));
    } finally {
      for (Socket socket : held) {
        socket.close();
      }
    }
  }

  @Test
  void aRaisedStopEndsAConnectThatWouldWaitForItsTimeout() throws Exception {
    List<Socket> held = new ArrayList<>();
    try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      var address = new InetSocketAddress(InetAddress.getLoopbackAddress(), silent.getLocalPort());
      boolean full = false;
      for (int i = 0; i < 10 && !full; i++) {
        Socket socket = new Socket();
        held.add(socket);
        try {
          socket.connect(address, 200);
        } catch (SocketTimeoutException e) {
          full = true;
        }
      }
      assumeTrue(full, "this platform does not drop connections to a full backlog");
      StopSignal stop = new StopSignal();
      ExecutorService caller = Executors.newSingleThreadExecutor();
      try {
        Future<CheckOutcome> pending =
            caller.submit(
                () ->
                    probe.check(
                        "127.0.0.1",
                        silent.getLocalPort(),
                        PortState.OPEN,
                        Duration.ofSeconds(30),
                        stop));
        Thread.sleep(300); // well into the connect, which would wait 30s
        long start = System.nanoTime();
        stop.raise();

        assertThat(pending.get(5, TimeUnit.SECONDS)).isEqualTo(CheckOutcome.errored("interrupted"));
        // Far below the timeout; not tighter, as the machine running the tests may be loaded.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
      } finally {
        caller.shutdownNow();
      }
    } finally {
      for (Socket socket : held) {
        socket.close();
      }
    }
  }

  @Test
  void anIpv6LiteralIsBracketedInTheDetail() {
    assertThat(PortProbe.hostAndPort("::1", 5432)).isEqualTo("[::1]:5432");
    assertThat(PortProbe.hostAndPort("db", 5432)).isEqualTo("db:5432");
  }

  @Test
  void aPortOutOfRangeIsAnError() {
    assertThat(probe.check("127.0.0.1", 70000, PortState.OPEN, TIMEOUT))
        .isEqualTo(CheckOutcome.errored("port 70000 is out of range 1-65535"));
    assertThat(probe.check("127.0.0.1", 0, PortState.CLOSED, TIMEOUT).status())
        .isEqualTo(Status.ERRORED);
  }

  @Test
  void anUnresolvableHostIsAnErrorNotAClosedPort() {
    assertThat(probe.check("no-such-host.invalid", 80, PortState.CLOSED, TIMEOUT))
        .isEqualTo(CheckOutcome.errored("cannot resolve host \"no-such-host.invalid\""));
  }

  /** A loopback port that nothing listens on, as far as anything on this machine can know. */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
