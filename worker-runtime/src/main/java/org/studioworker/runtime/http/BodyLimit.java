package org.studioworker.runtime.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import org.jspecify.annotations.Nullable;

/**
 * Response bodies read with a cap: past it the body is cancelled (which closes the connection) and
 * the exchange fails, so a 1 GB error page costs one cancelled connection, never 1 GB of memory.
 */
public final class BodyLimit {
  private BodyLimit() {}

  /** Reads the body as UTF-8 text, failing with an {@link IOException} past {@code max} bytes. */
  public static HttpResponse.BodyHandler<String> ofString(int max) {
    return info ->
        HttpResponse.BodySubscribers.mapping(
            bytes(max), body -> new String(body, StandardCharsets.UTF_8));
  }

  /** Reads at most {@code max} bytes of the body, failing with an {@link IOException} past that. */
  public static HttpResponse.BodySubscriber<byte[]> bytes(int max) {
    if (max < 0) {
      throw new IllegalArgumentException("max must be 0 or more");
    }
    return new Subscriber(max);
  }

  /** Reads nothing: the body is cancelled at once and counts as empty. */
  public static HttpResponse.BodySubscriber<byte[]> unread() {
    return new Subscriber(Subscriber.UNREAD);
  }

  /** Collects up to {@code max} bytes. The client calls it serially. */
  private static final class Subscriber implements HttpResponse.BodySubscriber<byte[]> {
    static final int UNREAD = -1;

    private final int max;
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private Flow.@Nullable Subscription subscription;

    Subscriber(int max) {
      this.max = max;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      if (max == UNREAD) {
        s.cancel();
        result.complete(new byte[0]);
        return;
      }
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      if (result.isDone()) {
        return;
      }
      for (ByteBuffer item : items) {
        if ((long) out.size() + item.remaining() > max) {
          Flow.Subscription s = subscription;
          if (s != null) {
            s.cancel();
          }
          result.completeExceptionally(
              new IOException("the body is larger than " + max + " bytes"));
          return;
        }
        byte[] bytes = new byte[item.remaining()];
        item.get(bytes);
        out.write(bytes, 0, bytes.length);
      }
    }

    @Override
    public void onError(Throwable throwable) {
      result.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
      result.complete(out.toByteArray());
    }
  }
}
