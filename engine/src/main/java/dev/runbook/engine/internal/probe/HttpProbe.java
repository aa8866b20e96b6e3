package dev.runbook.engine.internal.probe;

import dev.runbook.dsl.Durations;
import dev.runbook.dsl.Sizes;
import dev.runbook.engine.CheckOutcome;
import dev.runbook.engine.internal.secret.Masking;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLException;
import org.json.JSONException;
import org.json.JSONPointer;
import org.json.JSONPointerException;

/**
 * Sends one HTTP request and judges the response: the probe behind the {@code http} check and the
 * {@code http} action.
 *
 * <p>The response must have the expected status; then, if asked, its body must contain a text; then
 * each JSON Pointer must find the expected value. The first expectation that is not met is the
 * detail of a FAILED outcome. What counts as FAILED and what as ERRORED is the package's rule (see
 * {@code package-info}): a service that refuses the connection, does not answer in time or presents
 * a certificate the probe does not trust is FAILED; a malformed URL, an unreadable CA file or an
 * invalid JSON Pointer is ERRORED, and is found before anything is sent.
 *
 * <p>Behaviour worth knowing:
 *
 * <ul>
 *   <li>Redirects are never followed: a check must see what the URL itself answers, so a {@code
 *       302} to a login page fails a {@code status: 200} check, and the detail names where it
 *       pointed.
 *   <li>The timeout bounds the whole exchange: connecting, the TLS handshake, the headers and the
 *       body.
 *   <li>At most {@link #MAX_BODY_BYTES} of the body are read; the rest is not downloaded. {@code
 *       contains} found in that part holds; not found there, or any JSON expectation on a longer
 *       body, is ERRORED (the probe cannot tell).
 *   <li>{@code ca_file} trusts only the PEM certificates in that file, and host names are still
 *       verified. {@code insecure: true} trusts any certificate and skips the host-name check for
 *       this probe's connections only (see {@link TrustEverything}); no JVM-wide setting changes.
 *   <li>HTTP/1.1; the JVM's proxy settings apply as to any JDK client.
 *   <li>Details never quote header values or the request body, which may hold secrets.
 * </ul>
 *
 * <p>Thread-safe. Keep one instance for a run: it caches one HTTP client per TLS configuration.
 */
public final class HttpProbe {
  /** How much of a response body is read and kept: 1 MiB. */
  public static final int MAX_BODY_BYTES = 1 << 20;

  private final HttpClientCache clients = new HttpClientCache();
  private final int maxBodyBytes;

  /** A probe that reads at most {@link #MAX_BODY_BYTES} of each body. */
  public HttpProbe() {
    this(MAX_BODY_BYTES);
  }

  HttpProbe(int maxBodyBytes) {
    if (maxBodyBytes < 0) {
      throw new IllegalArgumentException("negative body limit: " + maxBodyBytes);
    }
    this.maxBodyBytes = maxBodyBytes;
  }

  /**
   * A request with every template resolved, and what its response must show.
   *
   * @param url absolute {@code http} or {@code https} URL; checked by the probe, not here
   * @param method upper-case HTTP method
   * @param headers sent in order; may be empty
   * @param body sent as UTF-8 when present
   * @param status the expected status code
   * @param contains text the body must contain
   * @param json expected values as text, by JSON Pointer, checked in order; may be empty
   * @param timeout limit for the whole exchange, positive
   * @param insecure trust any certificate and any host name
   * @param caFile PEM file of the only certificates to trust
   */
  public record Request(
      String url,
      String method,
      Map<String, String> headers,
      Optional<String> body,
      int status,
      Optional<String> contains,
      Map<String, String> json,
      Duration timeout,
      boolean insecure,
      Optional<Path> caFile) {
    public Request {
      Objects.requireNonNull(url, "url");
      Objects.requireNonNull(method, "method");
      Objects.requireNonNull(body, "body");
      Objects.requireNonNull(contains, "contains");
      Objects.requireNonNull(timeout, "timeout");
      Objects.requireNonNull(caFile, "caFile");
      if (method.isBlank()) {
        throw new IllegalArgumentException("method is blank");
      }
      if (timeout.isZero() || timeout.isNegative()) {
        throw new IllegalArgumentException("timeout must be positive: " + timeout);
      }
      headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
      json = Collections.unmodifiableMap(new LinkedHashMap<>(json));
    }

    /** A GET of {@code url} expecting 200 within 10 seconds; refine with the builder. */
    public static Builder to(String url) {
      return new Builder(url);
    }

    /** Builds a {@link Request}; defaults: GET, status 200, timeout 10s, default trust. */
    public static final class Builder {
      private final String url;
      private String method = "GET";
      private final Map<String, String> headers = new LinkedHashMap<>();
      private Optional<String> body = Optional.empty();
      private int status = 200;
      private Optional<String> contains = Optional.empty();
      private final Map<String, String> json = new LinkedHashMap<>();
      private Duration timeout = Duration.ofSeconds(10);
      private boolean insecure;
      private Optional<Path> caFile = Optional.empty();

      private Builder(String url) {
        this.url = Objects.requireNonNull(url, "url");
      }

      public Builder method(String method) {
        this.method = method;
        return this;
      }

      public Builder header(String name, String value) {
        headers.put(name, value);
        return this;
      }

      public Builder body(String body) {
        this.body = Optional.of(body);
        return this;
      }

      public Builder status(int status) {
        this.status = status;
        return this;
      }

      public Builder contains(String text) {
        this.contains = Optional.of(text);
        return this;
      }

      public Builder json(String pointer, String expected) {
        json.put(pointer, expected);
        return this;
      }

      public Builder timeout(Duration timeout) {
        this.timeout = timeout;
        return this;
      }

      public Builder insecure(boolean insecure) {
        this.insecure = insecure;
        return this;
      }

      public Builder caFile(Path caFile) {
        this.caFile = Optional.of(caFile);
        return this;
      }

      public Request build() {
        return new Request(
            url, method, headers, body, status, contains, json, timeout, insecure, caFile);
      }
    }
  }

  /**
   * What the probe saw and how it judged it.
   *
   * @param outcome never null
   * @param status the response's status code; empty when no response arrived
   * @param body the body decoded by its declared charset (UTF-8 if none), at most {@link
   *     #MAX_BODY_BYTES} of it; empty when no response arrived
   * @param truncated the body went on past what was read
   * @param elapsed from sending the request to the end of the body (or of the attempt)
   */
  public record Result(
      CheckOutcome outcome, OptionalInt status, String body, boolean truncated, Duration elapsed) {
    public Result {
      Objects.requireNonNull(outcome, "outcome");
      Objects.requireNonNull(status, "status");
      Objects.requireNonNull(body, "body");
      Objects.requireNonNull(elapsed, "elapsed");
    }

    /** A result without a response: the request was not made, or got none. */
    public static Result without(CheckOutcome outcome, Duration elapsed) {
      return new Result(outcome, OptionalInt.empty(), "", false, elapsed);
    }
  }

  /**
   * Sends the request and judges the response.
   *
   * <p>Blocks for at most about the request's timeout. If the calling thread is interrupted, the
   * exchange is abandoned, the interrupt flag is set again, and the outcome is ERRORED.
   *
   * @return never null; never throws for a problem with the request, the network or the server
   */
  public Result probe(Request request) {
    return probe(request, StopSignal.NEVER);
  }

  /**
   * Sends the request and judges the response, unless {@code stop} ends the exchange first.
   *
   * <p>When {@code stop} is raised or aborts what is in flight, the exchange is cancelled at once
   * (not after the timeout) and the outcome is ERRORED "interrupted"; a raised signal also keeps
   * the request from being sent at all. Whether the server acted on a request cut short cannot be
   * known.
   *
   * @return never null; never throws for a problem with the request, the network or the server
   */
  public Result probe(Request request, StopSignal stop) {
    return probe(request, stop, Masking.NONE);
  }

  /**
   * As {@link #probe(Request, StopSignal)}, with {@code masking}'s secrets masked in every value
   * the outcome's detail quotes (the expected text, the body, a JSON field, a redirect), before it
   * is escaped or shortened.
   */
  public Result probe(Request request, StopSignal stop, Masking masking) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(stop, "stop");
    URI uri;
    List<JSONPointer> pointers;
    HttpRequest httpRequest;
    HttpClient client;
    try {
      uri = parseUrl(request.url());
      pointers = compilePointers(request.json());
      httpRequest = buildRequest(uri, request);
      client = clients.clientFor(request.insecure(), request.caFile());
    } catch (ProbeSetupException e) {
      return Result.without(CheckOutcome.errored(e.getMessage()), Duration.ZERO);
    }

    if (stop.raised()) {
      return Result.without(CheckOutcome.errored(StopSignal.INTERRUPTED), Duration.ZERO);
    }
    long start = System.nanoTime();
    CompletableFuture<HttpResponse<CappedBodySubscriber.Body>> exchange =
        client.sendAsync(httpRequest, info -> new CappedBodySubscriber(maxBodyBytes));
    HttpResponse<CappedBodySubscriber.Body> response;
    AtomicBoolean aborted = new AtomicBoolean();
    Runnable abort =
        () -> {
          aborted.set(true);
          // Wakes the wait below at once and lets the client drop the exchange.
          exchange.cancel(true);
        };
    StopSignal.Registration registration = stop.whileBlocked(abort);
    try {
      // The request's own timeout stops at the headers; this one also covers the body.
      response = exchange.get(request.timeout().toNanos(), TimeUnit.NANOSECONDS);
    } catch (CancellationException e) {
      return Result.without(CheckOutcome.errored(StopSignal.INTERRUPTED), since(start));
    } catch (TimeoutException e) {
      exchange.cancel(true);
      return Result.without(
          CheckOutcome.failed("no response within " + Durations.format(request.timeout())),
          since(start));
    } catch (ExecutionException e) {
      if (aborted.get()) {
        // The exchange failed because it was cut short (a closed channel), not for its own reason.
        return Result.without(CheckOutcome.errored(StopSignal.INTERRUPTED), since(start));
      }
      return Result.without(unanswered(e.getCause(), uri, request.timeout()), since(start));
    } catch (InterruptedException e) {
      exchange.cancel(true);
      Thread.currentThread().interrupt();
      return Result.without(
          CheckOutcome.errored("interrupted while waiting for the response"), since(start));
    } finally {
      registration.close();
    }
    Duration elapsed = since(start);
    CappedBodySubscriber.Body raw = response.body();
    String body = new String(raw.bytes(), charsetOf(response));
    CheckOutcome outcome = judge(request, pointers, response, body, raw.truncated(), masking);
    return new Result(
        outcome, OptionalInt.of(response.statusCode()), body, raw.truncated(), elapsed);
  }

  /** How many HTTP clients this probe holds; for tests of the cache. */
  int cachedClients() {
    return clients.size();
  }

  private CheckOutcome judge(
      Request request,
      List<JSONPointer> pointers,
      HttpResponse<?> response,
      String body,
      boolean truncated,
      Masking masking) {
    int status = response.statusCode();
    if (status != request.status()) {
      String detail = "status " + status + ", expected " + request.status();
      Optional<String> location = response.headers().firstValue("Location");
      if (status / 100 == 3 && location.isPresent()) {
        detail += " (redirect to " + JsonFields.quote(location.get(), masking) + ", not followed)";
      }
      return CheckOutcome.failed(detail);
    }
    List<String> seen = new ArrayList<>();
    seen.add("status " + status);

    if (request.contains().isPresent()) {
      String text = request.contains().get();
      if (!body.contains(text)) {
        return truncated
            ? CheckOutcome.errored(
                "body does not contain "
                    + JsonFields.quote(text, masking)
                    + " in its first "
                    + Sizes.format(maxBodyBytes)
                    + "; the rest was not read")
            : CheckOutcome.failed("body does not contain " + JsonFields.quote(text, masking));
      }
      seen.add("body contains " + JsonFields.quote(text, masking));
    }

    if (!pointers.isEmpty()) {
      if (truncated) {
        return CheckOutcome.errored(
            "body is larger than "
                + Sizes.format(maxBodyBytes)
                + ", too large to check its JSON fields");
      }
      Object document;
      try {
        document = JsonFields.parse(body);
      } catch (JSONException e) {
        return CheckOutcome.failed(
            body.isBlank()
                ? "body is empty, not JSON"
                : "body is not JSON (it starts with "
                    + JsonFields.quote(body.strip(), masking)
                    + ")");
      }
      List<String> written = new ArrayList<>(request.json().keySet());
      List<String> expected = new ArrayList<>(request.json().values());
      for (int i = 0; i < pointers.size(); i++) {
        String pointer = written.get(i);
        Object actual;
        try {
          actual = pointers.get(i).queryFrom(document);
        } catch (JSONPointerException e) {
          actual = null; // an index out of bounds, or a step into a string or number
        }
        if (actual == null) {
          return CheckOutcome.failed(pointer + " not found in the JSON body");
        }
        String wanted = expected.get(i);
        if (!JsonFields.matches(actual, wanted)) {
          return CheckOutcome.failed(
              pointer
                  + " is "
                  + JsonFields.render(actual, masking)
                  + ", expected "
                  + JsonFields.renderExpected(wanted, masking));
        }
        seen.add(pointer + " is " + JsonFields.render(actual, masking));
      }
    }
    return CheckOutcome.holds(String.join(", ", seen));
  }

  private static URI parseUrl(String url) throws ProbeSetupException {
    URI uri;
    try {
      uri = new URI(url.strip());
    } catch (URISyntaxException e) {
      // The reason and index only: the URL itself may carry a token.
      throw new ProbeSetupException(
          "malformed URL: " + e.getReason() + " at index " + e.getIndex());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new ProbeSetupException(
          scheme.isEmpty()
              ? "URL has no scheme; start it with http:// or https://"
              : "URL scheme is " + scheme + ", expected http or https");
    }
    if (uri.getHost() == null) {
      throw new ProbeSetupException(
          "URL has no valid host name (letters, digits, dots and hyphens; no underscores)");
    }
    return uri;
  }

  private static List<JSONPointer> compilePointers(Map<String, String> json)
      throws ProbeSetupException {
    List<JSONPointer> pointers = new ArrayList<>();
    for (String pointer : json.keySet()) {
      try {
        pointers.add(new JSONPointer(pointer));
      } catch (IllegalArgumentException e) {
        throw new ProbeSetupException(
            "invalid JSON Pointer "
                + JsonFields.quote(pointer, Masking.NONE)
                + ": it must start with /");
      }
    }
    return pointers;
  }

  private static HttpRequest buildRequest(URI uri, Request request) throws ProbeSetupException {
    HttpRequest.Builder builder;
    try {
      builder = HttpRequest.newBuilder(uri).timeout(request.timeout());
    } catch (IllegalArgumentException e) {
      throw new ProbeSetupException("the URL cannot be requested: " + e.getMessage());
    }
    HttpRequest.BodyPublisher body =
        request
            .body()
            .map(text -> HttpRequest.BodyPublishers.ofString(text, StandardCharsets.UTF_8))
            .orElseGet(HttpRequest.BodyPublishers::noBody);
    try {
      builder.method(request.method(), body);
    } catch (IllegalArgumentException e) {
      throw new ProbeSetupException(
          "method "
              + JsonFields.quote(request.method(), Masking.NONE)
              + " cannot be sent: "
              + e.getMessage());
    }
    for (Map.Entry<String, String> header : request.headers().entrySet()) {
      try {
        builder.header(header.getKey(), header.getValue());
      } catch (IllegalArgumentException e) {
        throw new ProbeSetupException(
            "header "
                + JsonFields.quote(header.getKey(), Masking.NONE)
                + " cannot be sent: "
                + whyNot(e));
      }
    }
    return builder.build();
  }

  /**
   * Why the JDK refused a header, in our words: its own message quotes an invalid value, which may
   * be a secret, so it is never passed on.
   */
  private static String whyNot(IllegalArgumentException refusal) {
    String message = refusal.getMessage() == null ? "" : refusal.getMessage();
    if (message.startsWith("restricted header name")) {
      return "the JDK HTTP client does not let a request set it";
    }
    if (message.startsWith("invalid header name")) {
      return "not a valid header name";
    }
    return "its value holds characters a header cannot carry (line breaks, control characters,"
        + " non-ASCII)";
  }

  /** Judges an exchange that ended without a response. */
  private static CheckOutcome unanswered(Throwable error, URI uri, Duration timeout) {
    String host = uri.getHost();
    int port =
        uri.getPort() != -1 ? uri.getPort() : uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    String target = PortProbe.hostAndPort(host, port);
    if (find(error, UnresolvedAddressException.class) != null
        || find(error, UnknownHostException.class) != null) {
      return CheckOutcome.errored("cannot resolve host \"" + host + "\"");
    }
    if (find(error, HttpConnectTimeoutException.class) != null) {
      return CheckOutcome.failed(
          "could not connect to " + target + " within " + Durations.format(timeout));
    }
    if (find(error, HttpTimeoutException.class) != null) {
      return CheckOutcome.failed("no response within " + Durations.format(timeout));
    }
    if (find(error, SSLException.class) != null) {
      return CheckOutcome.failed(
          "TLS handshake with " + target + " failed: " + tlsReason(error, host));
    }
    if (find(error, ConnectException.class) != null) {
      // The JDK client often gives no reason at all (a bare ConnectException around a
      // ClosedChannelException); say "refused" only when it does.
      return mentions(error, "refused")
          ? CheckOutcome.failed("connection refused by " + target)
          : CheckOutcome.failed("could not connect to " + target + reason(error));
    }
    if (find(error, IOException.class) != null) {
      return CheckOutcome.failed("no HTTP response from " + target + reason(error));
    }
    return CheckOutcome.errored("unexpected " + error.getClass().getName() + reason(error));
  }

  /** ": " and the innermost message, or nothing when no exception in the chain has one. */
  private static String reason(Throwable error) {
    String message = deepestMessage(error);
    return message == null ? "" : ": " + message;
  }

  private static String tlsReason(Throwable error, String host) {
    if (find(error, CertPathBuilderException.class) != null || mentions(error, "PKIX path")) {
      return "the server's certificate is not trusted (set ca_file to the certificate of the CA"
          + " that signed it)";
    }
    CertificateException certificate = find(error, CertificateException.class);
    if (certificate != null
        && (mentions(certificate, "subject alternative") || mentions(certificate, "No name"))) {
      return "the server's certificate is not for host \"" + host + "\"";
    }
    String message = deepestMessage(error);
    return message == null ? "no reason given" : message;
  }

  private static <T extends Throwable> T find(Throwable error, Class<T> type) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  private static boolean mentions(Throwable error, String text) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t.getMessage() != null && t.getMessage().contains(text)) {
        return true;
      }
    }
    return false;
  }

  /** The innermost first line of a message in the chain; null when none has one. */
  private static String deepestMessage(Throwable error) {
    String message = null;
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        message = t.getMessage().lines().findFirst().orElse("").strip();
      }
    }
    return message;
  }

  private static Charset charsetOf(HttpResponse<?> response) {
    Optional<String> contentType = response.headers().firstValue("Content-Type");
    if (contentType.isPresent()) {
      for (String parameter : contentType.get().split(";")) {
        String[] pair = parameter.trim().split("=", 2);
        if (pair.length == 2 && pair[0].trim().equalsIgnoreCase("charset")) {
          try {
            return Charset.forName(pair[1].trim().replace("\"", ""));
          } catch (IllegalArgumentException e) {
            break; // an unknown charset: fall back, as browsers do
          }
        }
      }
    }
    return StandardCharsets.UTF_8;
  }

  private static Duration since(long startNanos) {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }
}
