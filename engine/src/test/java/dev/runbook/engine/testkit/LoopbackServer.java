package dev.runbook.engine.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A real HTTP server on 127.0.0.1 and a port the system picks, answering fixed responses by path
 * and recording every request it receives.
 */
public final class LoopbackServer implements AutoCloseable {
  /** One request as the server saw it; header names are lower case. */
  public record Request(String method, String path, Map<String, String> headers, String body) {}

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final CountDownLatch gate = new CountDownLatch(1);

  public LoopbackServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(executor);
    server.start();
  }

  /** Answers every request under {@code path} with {@code status} and {@code body}. */
  public LoopbackServer answer(String path, int status, String contentType, String body) {
    server.createContext(
        path,
        exchange -> {
          try (exchange) {
            record(exchange);
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", contentType);
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(bytes);
            }
          }
        });
    return this;
  }

  /**
   * Answers requests under {@code path} with {@code status} and {@code body}, but only once {@link
   * #open} is called: until then each request is read, recorded and left hanging, as by a service
   * that accepts connections and never answers.
   */
  public LoopbackServer answerOnceOpen(String path, int status, String body) {
    server.createContext(
        path,
        exchange -> {
          try (exchange) {
            record(exchange);
            gate.await();
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(bytes);
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the server is closing
          } catch (IOException e) {
            // The client gave up on this request (as an interrupted engine does): nothing to
            // answer.
          }
        });
    return this;
  }

  /** Lets the requests {@link #answerOnceOpen} holds, and all later ones, be answered. */
  public void open() {
    gate.countDown();
  }

  private void record(HttpExchange exchange) throws IOException {
    Map<String, String> headers = new java.util.TreeMap<>();
    exchange
        .getRequestHeaders()
        .forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), String.join(",", v)));
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    requests.add(
        new Request(
            exchange.getRequestMethod(), exchange.getRequestURI().getPath(), headers, body));
  }

  /** {@code http://127.0.0.1:PORT}, without a trailing slash. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public List<Request> requests() {
    return List.copyOf(requests);
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
