package org.studioworker.executors.llamacpp;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Waits for a whole exchange with llama-server, body included, for at most a deadline.
 *
 * <p>Why not {@code HttpRequest.timeout} alone? It covers only the wait for the response headers: a
 * server that sends the headers and then stalls in the body would hold the job for ever. Static
 * helpers; they block the calling thread and are interruptible.
 */
final class Exchanges {
  /** Why 250 ms? A cancelled job must stop within the runtime's 250 ms stop-check rhythm. */
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

  private Exchanges() {}

  /**
   * The response of {@code pending} once it is complete, body and all.
   *
   * <p>Whenever this returns without a response (deadline, cancellation, interrupt) it cancels the
   * exchange, which closes its connection.
   *
   * @param limit the longest wait for the whole exchange
   * @param cancelled asked every 250 ms
   * @throws TimeoutException when the exchange is not complete within {@code limit}
   * @throws ExecutionException when the exchange failed; the cause says why
   * @throws InterruptedException when {@code cancelled} says so or the thread is interrupted
   */
  static <T> HttpResponse<T> await(
      CompletableFuture<HttpResponse<T>> pending, Duration limit, BooleanSupplier cancelled)
      throws TimeoutException, ExecutionException, InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    boolean done = false;
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new TimeoutException("the exchange took longer than " + limit);
        }
        try {
          HttpResponse<T> response = pending.get(Math.min(left, POLL_NANOS), TimeUnit.NANOSECONDS);
          done = true;
          return response;
        } catch (TimeoutException e) {
          if (cancelled.getAsBoolean()) {
            throw new InterruptedException("the job was cancelled");
          }
        } catch (ExecutionException e) {
          done = true;
          throw e;
        }
      }
    } finally {
      if (!done) {
        // Closing the exchange also tells llama-server to stop generating for it.
        pending.cancel(true);
      }
    }
  }
}
