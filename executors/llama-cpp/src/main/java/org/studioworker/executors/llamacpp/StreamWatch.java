package org.studioworker.executors.llamacpp;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Watches a streamed exchange from a virtual thread of its own: when the job is cancelled or the
 * deadline passes it runs {@code stop} (closing the body, which closes the connection, so that
 * llama-server stops generating and the reading thread wakes), and says which of the two it was.
 *
 * <p>Why a thread? The job thread blocks in a read, or in the caller's stream while the reader is
 * slow; neither can ask in between. Closing the watch ends the thread.
 */
final class StreamWatch implements AutoCloseable {
  /** Why 250 ms? A cancelled job must stop within the runtime's 250 ms stop-check rhythm. */
  private static final long POLL_MILLIS = 250;

  /** Why the watch stopped the exchange. */
  enum Reason {
    NONE,
    CANCELLED,
    TIMED_OUT
  }

  private final CountDownLatch ended = new CountDownLatch(1);
  private volatile Reason reason = Reason.NONE;

  private StreamWatch() {}

  /**
   * Starts watching.
   *
   * @param deadline in {@link System#nanoTime()} terms
   * @param cancelled asked every 250 ms
   * @param stop run at most once, from the watch's thread
   */
  static StreamWatch start(long deadline, BooleanSupplier cancelled, Runnable stop) {
    StreamWatch watch = new StreamWatch();
    Thread.ofVirtual()
        .name("llama-server-stream-watch")
        .start(() -> watch.watch(deadline, cancelled, stop));
    return watch;
  }

  private void watch(long deadline, BooleanSupplier cancelled, Runnable stop) {
    try {
      while (!ended.await(POLL_MILLIS, TimeUnit.MILLISECONDS)) {
        if (cancelled.getAsBoolean()) {
          reason = Reason.CANCELLED;
        } else if (System.nanoTime() - deadline >= 0) {
          reason = Reason.TIMED_OUT;
        } else {
          continue;
        }
        stop.run();
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Why the watch stopped the exchange, {@link Reason#NONE} while it has not. */
  Reason reason() {
    return reason;
  }

  /** Ends the watch; never throws. */
  @Override
  public void close() {
    ended.countDown();
  }
}
