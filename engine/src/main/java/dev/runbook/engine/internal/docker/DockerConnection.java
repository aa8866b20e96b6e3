package dev.runbook.engine.internal.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import dev.runbook.dsl.Durations;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * The engine's one connection to a Docker Engine, made on first use from the environment ({@link
 * DockerEndpoint}), and the guard every request goes through.
 *
 * <p>Each piece of work runs on a thread of its own while the caller waits, so that a time limit
 * and a stop request (a signal) are honoured even when the engine does not answer: the caller gives
 * up, closes what the work registered (a log stream, an exec), and drops the connection, whose next
 * use makes a new one. Every failure reaches the caller as a {@link DockerActionException} whose
 * message an operator can act on.
 *
 * <p>Thread-safe; requests may overlap.
 */
public final class DockerConnection implements AutoCloseable {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private static final long POLL_MILLIS = 50;

  private final Map<String, String> environment;
  private DockerEndpoint endpoint;
  private DockerClient client;

  /** Lets work register what to close when the caller gives up on it. */
  public interface Cancellation {
    void onCancel(AutoCloseable resource);
  }

  /** A request, or a short sequence of them, against the engine. */
  @FunctionalInterface
  public interface Work<T> {
    T run(DockerClient client, Cancellation cancellation) throws Exception;
  }

  /**
   * @param environment the engine's environment: {@code DOCKER_HOST}, {@code DOCKER_TLS_VERIFY},
   *     {@code DOCKER_CERT_PATH}, {@code DOCKER_CONFIG} (registry credentials) and {@code HOME}
   */
  public DockerConnection(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  /**
   * Which engine the requests go to.
   *
   * @throws DockerActionException if {@code DOCKER_HOST} cannot be used
   */
  public synchronized DockerEndpoint endpoint() {
    if (endpoint == null) {
      endpoint = DockerEndpoint.from(environment);
    }
    return endpoint;
  }

  private synchronized DockerClient client() {
    if (client == null) {
      DockerEndpoint e = endpoint();
      DefaultDockerClientConfig.Builder config =
          new DefaultDockerClientConfig.Builder()
              .withDockerHost(e.host().toString())
              .withDockerTlsVerify(false)
              .withDockerConfig(
                  environment.getOrDefault(
                      "DOCKER_CONFIG",
                      environment.getOrDefault("HOME", System.getProperty("user.home"))
                          + "/.docker"));
      // TLS is the HTTP client's business; the config's own TLS reader would need BouncyCastle.
      PemTlsConfig tls = e.tlsCertDir().map(PemTlsConfig::load).orElse(null);
      DockerClientConfig built = config.build();
      ApacheDockerHttpClient http =
          new ApacheDockerHttpClient.Builder()
              .dockerHost(built.getDockerHost())
              .sslConfig(tls)
              .connectionTimeout(CONNECT_TIMEOUT)
              .maxConnections(20)
              .build();
      client = DockerClientImpl.getInstance(built, http);
    }
    return client;
  }

  /** Drops the connection (after a request was given up on); the next request makes a new one. */
  private synchronized void reset() {
    DockerClient old = client;
    client = null;
    if (old != null) {
      Thread closer =
          new Thread(
              () -> {
                try {
                  old.close();
                } catch (IOException | RuntimeException e) {
                  // Abandoned: the sockets die with the process at worst.
                }
              },
              "runbook-docker-close");
      closer.setDaemon(true);
      closer.start();
    }
  }

  /**
   * Runs {@code work} and returns its result.
   *
   * @param what the operation, for messages: {@code stop container `app`}
   * @param limit how long to wait for it; empty waits until it ends or a stop is requested
   * @param stopRequested polled while waiting; when true the work is given up on
   * @throws DockerInterruptedException if a stop was requested
   * @throws DockerActionException if the work failed, the engine could not be reached, or the limit
   *     passed
   */
  public <T> T call(
      String what, Optional<Duration> limit, BooleanSupplier stopRequested, Work<T> work) {
    DockerClient c;
    try {
      c = client();
    } catch (DockerActionException e) {
      throw e;
    } catch (RuntimeException e) {
      throw DockerErrors.translate(what, e, endpoint());
    }
    List<AutoCloseable> resources = new ArrayList<>();
    Cancellation cancellation =
        resource -> {
          synchronized (resources) {
            resources.add(resource);
          }
        };
    CompletableFuture<T> result = new CompletableFuture<>();
    Thread worker =
        new Thread(
            () -> {
              try {
                result.complete(work.run(c, cancellation));
              } catch (Throwable e) {
                result.completeExceptionally(e);
              }
            },
            "runbook-docker");
    worker.setDaemon(true);
    worker.start();
    long deadline = limit.map(l -> System.nanoTime() + l.toNanos()).orElse(Long.MAX_VALUE);
    while (true) {
      try {
        return result.get(POLL_MILLIS, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        boolean stop = stopRequested.getAsBoolean();
        if (stop || System.nanoTime() - deadline > 0) {
          giveUp(result, resources, stop);
          if (stop) {
            throw new DockerInterruptedException();
          }
          throw new DockerActionException(
              what
                  + ": the Docker Engine at "
                  + endpoint().host()
                  + " did not finish within "
                  + Durations.format(limit.orElseThrow()));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        giveUp(result, resources, true);
        throw new DockerInterruptedException();
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof DockerActionException d) {
          throw d;
        }
        if (cause instanceof Error err) {
          throw err;
        }
        throw DockerErrors.translate(what, cause, endpoint());
      }
    }
  }

  /**
   * Closes what the work registered, then waits a moment for it to end; work that does not is
   * abandoned with its connection.
   *
   * @param stopping a stop was requested: the operator is waiting, so nothing is waited for
   */
  private void giveUp(
      CompletableFuture<?> result, List<AutoCloseable> resources, boolean stopping) {
    synchronized (resources) {
      for (AutoCloseable r : resources) {
        try {
          r.close();
        } catch (Exception e) {
          // Best effort: the connection is dropped below anyway.
        }
      }
    }
    if (stopping) {
      if (!result.isDone()) {
        reset();
      }
      return;
    }
    try {
      result.get(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      reset();
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      reset();
    }
  }

  @Override
  public synchronized void close() {
    reset();
  }
}
