package dev.runbook.engine.internal.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.engine.CheckOutcome;
import dev.runbook.engine.CheckOutcome.Status;
import dev.runbook.engine.internal.probe.HttpProbe.Request;
import dev.runbook.engine.internal.probe.HttpProbe.Result;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpProbeTest {
  private static final String HEALTH =
      "{\"database\":\"down\",\"connections\":200,\"ready\":true,\"ratio\":0.5,"
          + "\"items\":[{\"id\":7}],\"nothing\":null,\"version\":\"1.4\"}";

  private final HttpProbe probe = new HttpProbe();
  private LoopbackHttpServer server;

  @BeforeEach
  void startServer() throws IOException {
    server = LoopbackHttpServer.http();
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  @Test
  void theExpectedStatusHoldsAndTheResponseIsKept() {
    server.on("/health", 200, "text/plain", "all ok");

    Result result = probe.probe(Request.to(server.url("/health")).build());

    assertThat(result.outcome()).isEqualTo(CheckOutcome.holds("status 200"));
    assertThat(result.status()).hasValue(200);
    assertThat(result.body()).isEqualTo("all ok");
    assertThat(result.truncated()).isFalse();
    assertThat(result.elapsed()).isPositive();
  }

  @Test
  void anotherStatusFailsWithBothCodes() {
    server.on("/health", 503, "text/plain", "maintenance");

    Result result = probe.probe(Request.to(server.url("/health")).build());

    assertThat(result.outcome()).isEqualTo(CheckOutcome.failed("status 503, expected 200"));
    assertThat(result.status()).hasValue(503);
    assertThat(result.body()).isEqualTo("maintenance");
  }

  @Test
  void aRedirectIsNotFollowedAndTheDetailSaysWhereItPointed() {
    server.on(
        "/app",
        exchange -> {
          exchange.getResponseHeaders().set("Location", "/login");
          exchange.sendResponseHeaders(302, -1);
        });
    server.on("/login", 200, "text/html", "<form>");

    Result result = probe.probe(Request.to(server.url("/app")).build());

    assertThat(result.outcome())
        .isEqualTo(
            CheckOutcome.failed("status 302, expected 200 (redirect to \"/login\", not followed)"));
    assertThat(server.received())
        .extracting(LoopbackHttpServer.Received::path)
        .containsExactly("/app");
  }

  @Test
  void anExpectedRedirectHolds() {
    server.on(
        "/old",
        exchange -> {
          exchange.getResponseHeaders().set("Location", "/new");
          exchange.sendResponseHeaders(301, -1);
        });

    assertThat(probe.probe(Request.to(server.url("/old")).status(301).build()).outcome().status())
        .isEqualTo(Status.HOLDS);
  }

  @Test
  void aBodyContainingTheTextHoldsAndOneWithoutItFails() {
    server.on("/health", 200, "text/plain", "status: ok");

    assertThat(probe.probe(Request.to(server.url("/health")).contains("ok").build()).outcome())
        .isEqualTo(CheckOutcome.holds("status 200, body contains \"ok\""));
    assertThat(probe.probe(Request.to(server.url("/health")).contains("ready").build()).outcome())
        .isEqualTo(CheckOutcome.failed("body does not contain \"ready\""));
  }

  @Test
  void theStatusIsJudgedBeforeTheBody() {
    server.on("/health", 500, "text/plain", "error");

    assertThat(probe.probe(Request.to(server.url("/health")).contains("ok").build()).outcome())
        .isEqualTo(CheckOutcome.failed("status 500, expected 200"));
  }

  @Test
  void jsonFieldsMatchTheirYamlSpelling() {
    server.on("/health", 200, "application/json", HEALTH);

    Request request =
        Request.to(server.url("/health"))
            .json("/connections", "200")
            .json("/ready", "true")
            .json("/ratio", "0.50")
            .json("/items/0/id", "7")
            .json("/nothing", "null")
            .json("/version", "1.4")
            .build();

    assertThat(probe.probe(request).outcome())
        .isEqualTo(
            CheckOutcome.holds(
                "status 200, /connections is 200, /ready is true, /ratio is 0.5, /items/0/id is 7,"
                    + " /nothing is null, /version is \"1.4\""));
  }

  @Test
  void aJsonFieldWithAnotherValueFailsWithBothValues() {
    server.on("/health", 200, "application/json", HEALTH);

    assertThat(
            probe
                .probe(Request.to(server.url("/health")).json("/database", "ok").build())
                .outcome())
        .isEqualTo(CheckOutcome.failed("/database is \"down\", expected \"ok\""));
    assertThat(
            probe
                .probe(Request.to(server.url("/health")).json("/connections", "201").build())
                .outcome())
        .isEqualTo(CheckOutcome.failed("/connections is 200, expected 201"));
    assertThat(
            probe.probe(Request.to(server.url("/health")).json("/ready", "yes").build()).outcome())
        .isEqualTo(CheckOutcome.failed("/ready is true, expected \"yes\""));
  }

  @Test
  void aNumberIsNotMatchedByAStringOfAnotherNumberAndAStringIsComparedExactly() {
    server.on("/health", 200, "application/json", HEALTH);

    assertThat(
            probe
                .probe(Request.to(server.url("/health")).json("/version", "1.40").build())
                .outcome())
        .isEqualTo(CheckOutcome.failed("/version is \"1.4\", expected 1.40"));
  }

  @Test
  void anObjectMatchesTheSameJsonWrittenAsText() {
    server.on("/health", 200, "application/json", HEALTH);

    assertThat(
            probe
                .probe(Request.to(server.url("/health")).json("/items", "[{\"id\": 7}]").build())
                .outcome()
                .status())
        .isEqualTo(Status.HOLDS);
  }

  @Test
  void aMissingJsonFieldFailsAsNotFound() {
    server.on("/health", 200, "application/json", HEALTH);

    assertThat(probe.probe(Request.to(server.url("/health")).json("/x", "ok").build()).outcome())
        .isEqualTo(CheckOutcome.failed("/x not found in the JSON body"));
    assertThat(
            probe
                .probe(Request.to(server.url("/health")).json("/items/5/id", "7").build())
                .outcome())
        .isEqualTo(CheckOutcome.failed("/items/5/id not found in the JSON body"));
    assertThat(
            probe
                .probe(Request.to(server.url("/health")).json("/database/x", "ok").build())
                .outcome())
        .isEqualTo(CheckOutcome.failed("/database/x not found in the JSON body"));
  }

  @Test
  void aBodyThatIsNotJsonFailsJsonExpectations() {
    server.on("/html", 200, "text/html", "<html><body>ok</body></html>");
    server.on("/empty", 200, "application/json", "");
    server.on("/lenient", 200, "application/json", "{status: ok}");

    assertThat(probe.probe(Request.to(server.url("/html")).json("/status", "ok").build()).outcome())
        .isEqualTo(
            CheckOutcome.failed(
                "body is not JSON (it starts with \"<html><body>ok<\\/body><\\/html>\")"));
    assertThat(
            probe.probe(Request.to(server.url("/empty")).json("/status", "ok").build()).outcome())
        .isEqualTo(CheckOutcome.failed("body is empty, not JSON"));
    assertThat(
            probe
                .probe(Request.to(server.url("/lenient")).json("/status", "ok").build())
                .outcome()
                .detail())
        .startsWith("body is not JSON");
  }

  @Test
  void anInvalidJsonPointerIsAnErrorFoundBeforeSending() {
    server.on("/health", 200, "application/json", HEALTH);

    Result result = probe.probe(Request.to(server.url("/health")).json("database", "ok").build());

    assertThat(result.outcome())
        .isEqualTo(CheckOutcome.errored("invalid JSON Pointer \"database\": it must start with /"));
    assertThat(result.status()).isEmpty();
    assertThat(server.received()).isEmpty();
  }

  @Test
  void headersReachTheServer() {
    server.on("/api", 200, "text/plain", "");

    probe.probe(
        Request.to(server.url("/api"))
            .header("X-Token", "s3cret")
            .header("Accept", "application/json")
            .build());

    var headers = server.received().get(0).headers();
    assertThat(headers.getFirst("X-Token")).isEqualTo("s3cret");
    assertThat(headers.getFirst("Accept")).isEqualTo("application/json");
  }

  @Test
  void aPostSendsItsMethodAndBody() {
    server.on("/deploy", 201, "application/json", "{\"status\":\"queued\"}");

    Result result =
        probe.probe(
            Request.to(server.url("/deploy"))
                .method("POST")
                .header("Content-Type", "application/json")
                .body("{\"version\":\"1.4\"}")
                .status(201)
                .json("/status", "queued")
                .build());

    assertThat(result.outcome().status()).isEqualTo(Status.HOLDS);
    var received = server.received().get(0);
    assertThat(received.method()).isEqualTo("POST");
    assertThat(received.body()).isEqualTo("{\"version\":\"1.4\"}");
  }

  @Test
  void aSlowResponseFailsAtTheTimeout() {
    server.on(
        "/slow",
        exchange -> {
          Thread.sleep(5_000);
          LoopbackHttpServer.send(exchange, 200, "text/plain", "late");
        });

    Result result =
        probe.probe(Request.to(server.url("/slow")).timeout(Duration.ofMillis(300)).build());

    assertThat(result.outcome()).isEqualTo(CheckOutcome.failed("no response within 300ms"));
    assertThat(result.elapsed()).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void theTimeoutAlsoBoundsABodyThatTrickles() {
    server.on(
        "/trickle",
        exchange -> {
          exchange.sendResponseHeaders(200, 0); // chunked
          try (OutputStream out = exchange.getResponseBody()) {
            for (int i = 0; i < 50; i++) {
              out.write('.');
              out.flush();
              Thread.sleep(100);
            }
          }
        });

    Result result =
        probe.probe(Request.to(server.url("/trickle")).timeout(Duration.ofMillis(400)).build());

    assertThat(result.outcome()).isEqualTo(CheckOutcome.failed("no response within 400ms"));
    assertThat(result.elapsed()).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void aBigBodyIsReadOnlyUpToTheCap() {
    byte[] big = new byte[2 * HttpProbe.MAX_BODY_BYTES];
    Arrays.fill(big, (byte) 'a');
    byte[] tail = "needle".getBytes(StandardCharsets.UTF_8);
    System.arraycopy(tail, 0, big, big.length - tail.length, tail.length);
    server.on(
        "/big",
        exchange -> {
          exchange.sendResponseHeaders(200, big.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(big);
          } catch (IOException e) {
            // the probe hangs up after the cap, as it should
          }
        });

    Result found = probe.probe(Request.to(server.url("/big")).contains("aaaa").build());
    Result beyond = probe.probe(Request.to(server.url("/big")).contains("needle").build());
    Result json = probe.probe(Request.to(server.url("/big")).json("/x", "1").build());

    assertThat(found.outcome().status()).isEqualTo(Status.HOLDS);
    assertThat(found.body()).hasSize(HttpProbe.MAX_BODY_BYTES);
    assertThat(found.truncated()).isTrue();
    assertThat(beyond.outcome())
        .isEqualTo(
            CheckOutcome.errored(
                "body does not contain \"needle\" in its first 1 MiB; the rest was not read"));
    assertThat(json.outcome())
        .isEqualTo(
            CheckOutcome.errored("body is larger than 1 MiB, too large to check its JSON fields"));
  }

  @Test
  void aBodyOfExactlyTheCapIsNotTruncated() {
    HttpProbe small = new HttpProbe(16);
    server.on("/16", 200, "text/plain", "0123456789abcdef");
    server.on("/17", 200, "text/plain", "0123456789abcdefg");

    assertThat(small.probe(Request.to(server.url("/16")).build()).truncated()).isFalse();
    Result over = small.probe(Request.to(server.url("/17")).build());
    assertThat(over.truncated()).isTrue();
    assertThat(over.body()).isEqualTo("0123456789abcdef");
  }

  @Test
  void theBodyIsDecodedByItsDeclaredCharset() {
    server.on(
        "/latin",
        exchange -> {
          byte[] bytes = "café".getBytes(StandardCharsets.ISO_8859_1);
          exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=ISO-8859-1");
          exchange.sendResponseHeaders(200, bytes.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
          }
        });

    assertThat(probe.probe(Request.to(server.url("/latin")).contains("café").build()).body())
        .isEqualTo("café");
  }

  @Test
  void aRefusedConnectionFailsTheCheckOfAServiceThatIsDown() throws IOException {
    int port = PortProbeTest.freePort();

    Result result = probe.probe(Request.to("http://127.0.0.1:" + port + "/health").build());

    // The JDK client does not always say why a connection failed, so either wording may come.
    assertThat(result.outcome().status()).isEqualTo(Status.FAILED);
    assertThat(result.outcome().detail())
        .matches("(connection refused by|could not connect to) 127\\.0\\.0\\.1:" + port);
    assertThat(result.status()).isEmpty();
  }

  @Test
  void aMalformedUrlIsAnError() {
    assertThat(probe.probe(Request.to("http://local host/").build()).outcome())
        .isEqualTo(
            CheckOutcome.errored("malformed URL: Illegal character in authority at index 7"));
    assertThat(probe.probe(Request.to("localhost:8080/health").build()).outcome())
        .isEqualTo(CheckOutcome.errored("URL scheme is localhost, expected http or https"));
    assertThat(probe.probe(Request.to("/health").build()).outcome())
        .isEqualTo(CheckOutcome.errored("URL has no scheme; start it with http:// or https://"));
    assertThat(probe.probe(Request.to("http://my_service:8080/").build()).outcome().status())
        .isEqualTo(Status.ERRORED);
  }

  @Test
  void aHeaderTheJdkRefusesIsAnError() {
    Result result = probe.probe(Request.to(server.url("/")).header("Host", "example.org").build());

    assertThat(result.outcome())
        .isEqualTo(
            CheckOutcome.errored(
                "header \"Host\" cannot be sent: the JDK HTTP client does not let a request set"
                    + " it"));
    assertThat(server.received()).isEmpty();
  }

  @Test
  void anInvalidHeaderValueIsAnErrorThatDoesNotQuoteTheValue() {
    Result result =
        probe.probe(Request.to(server.url("/")).header("X-Token", "s3cret\nInjected: 1").build());

    assertThat(result.outcome().status()).isEqualTo(Status.ERRORED);
    assertThat(result.outcome().detail())
        .startsWith("header \"X-Token\" cannot be sent: its value holds characters")
        .doesNotContain("s3cret");
  }

  @Test
  void anInterruptedProbeIsAnErrorAndKeepsTheInterrupt() {
    server.on("/health", 200, "text/plain", "ok");
    Thread.currentThread().interrupt();
    try {
      Result result = probe.probe(Request.to(server.url("/health")).build());

      assertThat(result.outcome())
          .isEqualTo(CheckOutcome.errored("interrupted while waiting for the response"));
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void aRaisedStopEndsAnExchangeTheServerNeverAnswersAtOnce() throws Exception {
    CountDownLatch arrived = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    server.on(
        "/stuck",
        exchange -> {
          arrived.countDown();
          never.await();
        });
    StopSignal stop = new StopSignal();
    ExecutorService caller = Executors.newSingleThreadExecutor();
    try {
      Future<Result> pending =
          caller.submit(
              () ->
                  probe.probe(
                      Request.to(server.url("/stuck")).timeout(Duration.ofSeconds(60)).build(),
                      stop));
      assertThat(arrived.await(10, TimeUnit.SECONDS)).isTrue();

      long start = System.nanoTime();
      stop.raise();
      Result result = pending.get(5, TimeUnit.SECONDS);

      // Far below the timeout; not tighter, as the machine running the tests may be loaded.
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
      assertThat(result.outcome()).isEqualTo(CheckOutcome.errored("interrupted"));
      assertThat(result.status()).isEmpty();
    } finally {
      never.countDown();
      caller.shutdownNow();
    }
  }

  @Test
  void aProbeAfterTheStopWasRaisedSendsNothing() {
    server.on("/health", 200, "text/plain", "ok");
    StopSignal stop = new StopSignal();
    stop.raise();

    Result result = probe.probe(Request.to(server.url("/health")).build(), stop);

    assertThat(result.outcome()).isEqualTo(CheckOutcome.errored("interrupted"));
    assertThat(server.received()).isEmpty();
  }

  @Test
  void anAbortOfWhatIsInFlightLeavesLaterProbesAlone() throws Exception {
    CountDownLatch arrived = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    server.on(
        "/stuck",
        exchange -> {
          arrived.countDown();
          never.await();
        });
    server.on("/health", 200, "text/plain", "ok");
    StopSignal stop = new StopSignal();
    ExecutorService caller = Executors.newSingleThreadExecutor();
    try {
      Future<Result> pending =
          caller.submit(
              () ->
                  probe.probe(
                      Request.to(server.url("/stuck")).timeout(Duration.ofSeconds(60)).build(),
                      stop));
      assertThat(arrived.await(10, TimeUnit.SECONDS)).isTrue();
      stop.abortInFlight();

      assertThat(pending.get(5, TimeUnit.SECONDS).outcome())
          .isEqualTo(CheckOutcome.errored("interrupted"));
      assertThat(probe.probe(Request.to(server.url("/health")).build(), stop).outcome().holds())
          .isTrue();
    } finally {
      never.countDown();
      caller.shutdownNow();
    }
  }

  @Test
  void anUnresolvableHostIsAnError() {
    assertThat(probe.probe(Request.to("http://no-such-host.invalid/").build()).outcome())
        .isEqualTo(CheckOutcome.errored("cannot resolve host \"no-such-host.invalid\""));
  }

  @Test
  void repeatedProbesShareOneClient() {
    server.on("/health", 200, "text/plain", "ok");

    for (int i = 0; i < 3; i++) {
      probe.probe(Request.to(server.url("/health")).build());
    }

    assertThat(probe.cachedClients()).isEqualTo(1);
  }

  @Test
  void detailsNeverQuoteHeaderValuesOrTheRequestBody() {
    server.on("/health", 503, "text/plain", "");
    Result result =
        probe.probe(
            Request.to(server.url("/health"))
                .method("POST")
                .header("Authorization", "Bearer s3cret")
                .body("password=hunter2")
                .build());

    assertThat(result.outcome().detail()).doesNotContain("s3cret").doesNotContain("hunter2");
  }
}
