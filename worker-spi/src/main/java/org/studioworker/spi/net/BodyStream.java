package org.studioworker.spi.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A response body read as an {@link InputStream} with two bounds: a read that sees no byte for the
 * idle timeout fails with {@link StalledException}, and a body longer than the cap fails with
 * {@link TooLargeException}. Either way the subscription is cancelled, which closes the exchange.
 *
 * <p>Why not {@code BodyHandlers.ofInputStream()}? Its reads wait for ever: a server that sends the
 * headers and a few bytes and then goes quiet blocks the reader for good, and the request timeout
 * covers only the wait for the headers.
 *
 * <p>Demand is one list of buffers at a time by default, so at most one chunk of the server's data
 * is held here; {@link #of(Flow.Publisher, Duration, long, int)} lets a large download ask for a
 * few more ahead, so that the client can hand chunks over while the reader is busy writing. One
 * thread reads; {@link #close} may come from any thread. A read is interruptible: an interrupt
 * cancels the body and throws {@link InterruptedIOException} with the flag kept set.
 */
public final class BodyStream extends InputStream implements Flow.Subscriber<List<ByteBuffer>> {
  /** A body that stalled: no byte for the idle timeout. */
  public static final class StalledException extends IOException {
    private static final long serialVersionUID = 1L;

    StalledException(String message) {
      super(message);
    }
  }

  /** A body longer than the cap. */
  public static final class TooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    TooLargeException(String message) {
      super(message);
    }
  }

  /** What the queue carries: data, the end, or the publisher's error. */
  private sealed interface Signal {}

  private record Data(List<ByteBuffer> buffers) implements Signal {}

  private record End() implements Signal {}

  private record Error(Throwable cause) implements Signal {}

  /** Put by {@link #close} so that a blocked reader wakes at once. */
  private record Wake() implements Signal {}

  /**
   * Unbounded in type, bounded by demand: at most {@link #prefetch} lists of data, the end, close's
   * wake.
   */
  private final LinkedBlockingQueue<Signal> queue = new LinkedBlockingQueue<>();

  private final Duration idleTimeout;
  private final long maxBytes;

  /** How many lists are asked for ahead: the most that {@link #queue} holds. */
  private final int prefetch;

  private volatile Flow.@Nullable Subscription subscription;

  /** Reader thread only: the buffers being read, the index of the current one, bytes read. */
  private @Nullable List<ByteBuffer> current;

  private int index;
  private long read;
  private boolean ended;

  /** Reader thread only: how the body failed; every later read fails the same way. */
  private @Nullable IOException failure;

  private volatile boolean closed;

  private BodyStream(Duration idleTimeout, long maxBytes, int prefetch) {
    if (idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException("idle timeout must be positive");
    }
    if (maxBytes < 0) {
      throw new IllegalArgumentException("max bytes must be 0 or more");
    }
    if (prefetch < 1) {
      throw new IllegalArgumentException("prefetch must be 1 or more");
    }
    this.idleTimeout = idleTimeout;
    this.maxBytes = maxBytes;
    this.prefetch = prefetch;
  }

  /**
   * Subscribes a new stream to {@code body}.
   *
   * @param idleTimeout how long a read waits for the next byte
   * @param maxBytes the most bytes the body may have; {@link Long#MAX_VALUE} for no cap
   */
  public static BodyStream of(
      Flow.Publisher<List<ByteBuffer>> body, Duration idleTimeout, long maxBytes) {
    return of(body, idleTimeout, maxBytes, 1);
  }

  /**
   * Subscribes a new stream to {@code body} that asks for up to {@code prefetch} lists of buffers
   * ahead of the reader (one more each time the reader finishes one), so at most {@code prefetch}
   * chunks of the server's data are held here.
   *
   * @param prefetch how many lists may wait for the reader; 1 or more
   */
  public static BodyStream of(
      Flow.Publisher<List<ByteBuffer>> body, Duration idleTimeout, long maxBytes, int prefetch) {
    BodyStream stream = new BodyStream(idleTimeout, maxBytes, prefetch);
    body.subscribe(stream);
    return stream;
  }

  /** Bytes read so far. Reader thread only. */
  public long bytesRead() {
    return read;
  }

  /**
   * Reads the whole rest of the body, at most {@code maxBytes} of it (the cap given at creation).
   *
   * @throws TooLargeException past the cap
   */
  public byte[] readAllBounded() throws IOException {
    if (maxBytes > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("readAllBounded needs a cap below 2 GiB");
    }
    return readAllBytes();
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    Objects.requireNonNull(s);
    subscription = s;
    // Re-checked after the store: a close() in between either saw the subscription (and
    // cancelled it) or is seen here.
    if (closed) {
      cancel();
      return;
    }
    s.request(prefetch);
  }

  @Override
  public void onNext(List<ByteBuffer> item) {
    queue.add(new Data(item));
  }

  @Override
  public void onError(Throwable throwable) {
    queue.add(new Error(throwable));
  }

  @Override
  public void onComplete() {
    queue.add(new End());
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xFF;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    ByteBuffer buffer = nextBuffer();
    if (buffer == null) {
      return -1;
    }
    int n = Math.min(len, buffer.remaining());
    buffer.get(b, off, n);
    read += n;
    if (read > maxBytes) {
      cancel();
      throw fail(new TooLargeException("the body is larger than " + maxBytes + " bytes"));
    }
    return n;
  }

  /**
   * Bytes that the next reads return without waiting: what is left of the list being read, or else
   * of the next list when it has already arrived. Reader thread only.
   */
  @Override
  public int available() {
    if (closed || failure != null || ended) {
      return 0;
    }
    long left = remaining(current, index);
    if (left == 0 && queue.peek() instanceof Data data) {
      left = remaining(data.buffers(), 0);
    }
    return (int) Math.min(left, Integer.MAX_VALUE);
  }

  private static long remaining(@Nullable List<ByteBuffer> buffers, int from) {
    long left = 0;
    if (buffers != null) {
      for (int i = from; i < buffers.size(); i++) {
        left += buffers.get(i).remaining();
      }
    }
    return left;
  }

  /** The buffer to read from, waiting for the next list when needed; null at the end. */
  private @Nullable ByteBuffer nextBuffer() throws IOException {
    while (true) {
      if (closed) {
        throw new IOException("the body stream is closed");
      }
      IOException failed = failure;
      if (failed != null) {
        throw failed;
      }
      if (ended) {
        return null;
      }
      List<ByteBuffer> buffers = current;
      if (buffers != null) {
        while (index < buffers.size() && !buffers.get(index).hasRemaining()) {
          index++;
        }
        if (index < buffers.size()) {
          return buffers.get(index);
        }
        current = null;
        Flow.Subscription s = subscription;
        if (s != null) {
          s.request(1);
        }
      }
      Signal next;
      try {
        next = queue.poll(idleTimeout.toNanos(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        cancel();
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while reading the body");
      }
      switch (next) {
        case null -> {
          cancel();
          throw fail(
              new StalledException(
                  "no data from the server for "
                      + (idleTimeout.toMillis() < 1000
                          ? idleTimeout.toMillis() + " ms"
                          : idleTimeout.toSeconds() + " s")
                      + " after "
                      + read
                      + " bytes"));
        }
        case Data data -> {
          current = data.buffers();
          index = 0;
        }
        case End end -> ended = true;
        case Wake wake -> {
          // close() was called; the loop's first check throws.
        }
        case Error error -> {
          Throwable cause = error.cause();
          throw fail(
              cause instanceof IOException io ? io : new IOException(cause.toString(), cause));
        }
      }
    }
  }

  private IOException fail(IOException e) {
    failure = e;
    return e;
  }

  /**
   * Cancels the body; the exchange's connection is closed, and a read blocked in another thread
   * wakes and fails. Never throws.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    cancel();
    queue.add(new Wake());
  }

  private void cancel() {
    Flow.Subscription s = subscription;
    subscription = null;
    if (s != null) {
      s.cancel();
    }
  }
}
