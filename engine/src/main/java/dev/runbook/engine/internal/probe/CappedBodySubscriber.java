package dev.runbook.engine.internal.probe;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Collects a response body up to a limit and stops reading there, so a huge or endless body costs
 * at most {@code limit} bytes of memory. Past the limit it cancels the subscription, which makes
 * the HTTP client drop the connection instead of draining it.
 *
 * <p>The HTTP client calls the subscriber methods one at a time (Flow's rule), so the fields need
 * no lock.
 */
final class CappedBodySubscriber implements HttpResponse.BodySubscriber<CappedBodySubscriber.Body> {
  /** The bytes read; {@code truncated} when the body went on past them. */
  record Body(byte[] bytes, boolean truncated) {}

  private final int limit;
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final CompletableFuture<Body> body = new CompletableFuture<>();
  private Flow.Subscription subscription;

  CappedBodySubscriber(int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("negative limit: " + limit);
    }
    this.limit = limit;
  }

  @Override
  public CompletionStage<Body> getBody() {
    return body;
  }

  @Override
  public void onSubscribe(Flow.Subscription newSubscription) {
    if (subscription != null) {
      newSubscription.cancel();
      return;
    }
    subscription = newSubscription;
    // One batch at a time: never ask for more than we may keep.
    subscription.request(1);
  }

  @Override
  public void onNext(List<ByteBuffer> items) {
    if (body.isDone()) {
      return; // signals may still arrive after a cancel
    }
    for (ByteBuffer item : items) {
      int take = Math.min(limit - bytes.size(), item.remaining());
      byte[] chunk = new byte[take];
      item.get(chunk);
      bytes.write(chunk, 0, take);
      if (item.hasRemaining()) {
        subscription.cancel();
        body.complete(new Body(bytes.toByteArray(), true));
        return;
      }
    }
    subscription.request(1);
  }

  @Override
  public void onError(Throwable error) {
    body.completeExceptionally(error);
  }

  @Override
  public void onComplete() {
    body.complete(new Body(bytes.toByteArray(), false));
  }
}
