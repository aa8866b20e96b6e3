package dev.runbook.engine.internal.probe;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;

/** A real HTTP(S) server on a loopback port chosen by the system; records what it receives. */
final class LoopbackHttpServer implements AutoCloseable {
  /** One request as the server saw it. */
  record Received(String method, String path, Headers headers, String body) {}

  /** Writes a response to an exchange whose request has already been read. */
  interface Responder {
    void respond(HttpExchange exchange) throws IOException, InterruptedException;
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final String scheme;

  private LoopbackHttpServer(HttpServer server, String scheme) {
    this.server = server;
    this.scheme = scheme;
    server.setExecutor(executor);
    server.start();
  }

  static LoopbackHttpServer http() throws IOException {
    return new LoopbackHttpServer(
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0), "http");
  }

  /** An HTTPS server on the address {@code localhost} resolves to, with the given identity. */
  static LoopbackHttpServer https(SSLContext identity) throws IOException {
    HttpsServer server =
        HttpsServer.create(new InetSocketAddress(InetAddress.getByName("localhost"), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(identity));
    return new LoopbackHttpServer(server, "https");
  }

  /** Answers requests under {@code path}. */
  LoopbackHttpServer on(String path, Responder responder) {
    HttpHandler handler =
        exchange -> {
          try (exchange) {
            String body =
                new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            received.add(
                new Received(
                    exchange.getRequestMethod(),
                    exchange.getRequestURI().getPath(),
                    exchange.getRequestHeaders(),
                    body));
            responder.respond(exchange);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        };
    server.createContext(path, handler);
    return this;
  }

  /** Answers requests under {@code path} with a fixed status and body. */
  LoopbackHttpServer on(String path, int status, String contentType, String body) {
    return on(path, exchange -> send(exchange, status, contentType, body));
  }

  static void send(HttpExchange exchange, int status, String contentType, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  List<Received> received() {
    return List.copyOf(received);
  }

  int port() {
    return server.getAddress().getPort();
  }

  /** A URL on the host name {@code localhost}. */
  String url(String path) {
    return scheme + "://localhost:" + port() + path;
  }

  /** A URL on the bound address literal, which is not a name a certificate was issued for. */
  String urlByAddress(String path) {
    InetAddress address = server.getAddress().getAddress();
    String host =
        address instanceof Inet6Address
            ? "[" + address.getHostAddress() + "]"
            : address.getHostAddress();
    return scheme + "://" + host + ":" + port() + path;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
