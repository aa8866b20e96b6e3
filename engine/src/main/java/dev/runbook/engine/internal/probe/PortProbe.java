package dev.runbook.engine.internal.probe;

import dev.runbook.dsl.Durations;
import dev.runbook.dsl.model.PortState;
import dev.runbook.engine.CheckOutcome;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Tests whether a TCP port accepts connections.
 *
 * <p>The probe opens a connection and closes it at once; it sends no data. Every address the host
 * name resolves to is tried in turn (so {@code localhost} answering on 127.0.0.1 but not on ::1 is
 * open), all within one timeout. The port is <em>open</em> when any address accepts.
 *
 * <p>When none accepts, the port is <em>closed</em> whether the connection was refused or got no
 * answer within the timeout (a firewall dropping packets, a host that is down): in both cases
 * nothing can reach a service there, which is what {@code is: closed} asks. The detail says which
 * it was. An {@code is: open} check fails in both cases. A host name that does not resolve is
 * ERRORED, not closed: a typo must not pass for a stopped service. Name resolution itself is left
 * to the system resolver and its own timeout.
 *
 * <p>Thread-safe and stateless.
 */
public final class PortProbe {
  /**
   * Checks that {@code host:port} is in the {@code expected} state.
   *
   * @param host a host name or address literal, never empty
   * @param port 1 to 65535; anything else is ERRORED
   * @param timeout the limit for the whole check, positive
   * @return never null
   */
  public CheckOutcome check(String host, int port, PortState expected, Duration timeout) {
    return check(host, port, expected, timeout, StopSignal.NEVER);
  }

  /**
   * Checks that {@code host:port} is in the {@code expected} state, unless {@code stop} ends the
   * connection attempt first: then the outcome is ERRORED "interrupted", at once.
   */
  public CheckOutcome check(
      String host, int port, PortState expected, Duration timeout, StopSignal stop) {
    Objects.requireNonNull(stop, "stop");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(expected, "expected");
    Objects.requireNonNull(timeout, "timeout");
    if (host.isBlank()) {
      return CheckOutcome.errored("host is empty");
    }
    if (port < 1 || port > 65535) {
      return CheckOutcome.errored("port " + port + " is out of range 1-65535");
    }
    if (timeout.isZero() || timeout.isNegative()) {
      return CheckOutcome.errored("timeout must be positive, got " + Durations.format(timeout));
    }
    String target = hostAndPort(host, port);
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      return CheckOutcome.errored("cannot resolve host \"" + host + "\"");
    }
    if (stop.raised()) {
      return CheckOutcome.errored(StopSignal.INTERRUPTED);
    }
    AtomicBoolean aborted = new AtomicBoolean();
    AtomicReference<Socket> connecting = new AtomicReference<>();
    Runnable abort =
        () -> {
          aborted.set(true);
          Socket socket = connecting.get();
          if (socket != null) {
            closeQuietly(socket); // a blocked connect() then throws at once
          }
        };
    Answer answer;
    StopSignal.Registration registration = stop.whileBlocked(abort);
    try {
      answer = knock(addresses, port, timeout, connecting, aborted);
    } finally {
      registration.close();
    }
    if (aborted.get()) {
      return CheckOutcome.errored(StopSignal.INTERRUPTED);
    }
    String seen =
        switch (answer) {
          case ACCEPTED -> target + " is open";
          case REFUSED -> target + " is closed (connection refused)";
          case UNREACHABLE -> target + " is unreachable (no route to host)";
          case SILENT -> target + " did not answer within " + Durations.format(timeout);
        };
    return switch (expected) {
      case OPEN ->
          answer == Answer.ACCEPTED
              ? CheckOutcome.holds(seen)
              : CheckOutcome.failed(seen + ", expected open");
      case CLOSED ->
          switch (answer) {
            case ACCEPTED -> CheckOutcome.failed(seen + ", expected closed");
            case REFUSED -> CheckOutcome.holds(seen);
            case UNREACHABLE, SILENT -> CheckOutcome.holds(seen + "; counted as closed");
          };
    };
  }

  /**
   * The best answer over all addresses: one that accepts wins, then refused, then the rest.
   *
   * @param connecting holds the socket that connects now, for an abort to close
   * @param aborted set by an abort; no further address is tried once it is
   */
  private static Answer knock(
      InetAddress[] addresses,
      int port,
      Duration timeout,
      AtomicReference<Socket> connecting,
      AtomicBoolean aborted) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Answer best = Answer.SILENT;
    for (InetAddress address : addresses) {
      long remainingMillis = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
      Answer answer =
          knock(
              new InetSocketAddress(address, port),
              (int) Math.min(remainingMillis, Integer.MAX_VALUE),
              connecting,
              aborted);
      if (answer == Answer.ACCEPTED || aborted.get()) {
        return answer;
      }
      if (answer.ordinal() < best.ordinal()) {
        best = answer;
      }
      if (System.nanoTime() >= deadline) {
        break;
      }
    }
    return best;
  }

  private static Answer knock(
      InetSocketAddress address,
      int timeoutMillis,
      AtomicReference<Socket> connecting,
      AtomicBoolean aborted) {
    try (Socket socket = new Socket()) {
      connecting.set(socket);
      // Set before this read, so an abort either sees the socket or is seen here.
      if (aborted.get()) {
        return Answer.SILENT;
      }
      socket.connect(address, timeoutMillis);
      return Answer.ACCEPTED;
    } catch (SocketTimeoutException e) {
      return Answer.SILENT;
    } catch (NoRouteToHostException e) {
      return Answer.UNREACHABLE;
    } catch (ConnectException e) {
      // ECONNREFUSED and ENETUNREACH both arrive as ConnectException; the message tells them apart.
      String message = e.getMessage() == null ? "" : e.getMessage();
      return message.contains("refused") ? Answer.REFUSED : Answer.UNREACHABLE;
    } catch (IOException e) {
      return Answer.UNREACHABLE;
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // Closed only to end a connect(): nothing was sent, nothing is lost.
    }
  }

  static String hostAndPort(String host, int port) {
    boolean ipv6Literal = host.indexOf(':') >= 0 && !host.startsWith("[");
    return (ipv6Literal ? "[" + host + "]" : host) + ":" + port;
  }

  /** Ordered from the most to the least telling. */
  private enum Answer {
    ACCEPTED,
    REFUSED,
    UNREACHABLE,
    SILENT
  }
}
