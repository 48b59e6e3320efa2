package org.studioworker.runtime.session;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.studioworker.runtime.http.StudioHttp;

/**
 * One WebSocket to the studio, over the JDK client, with the few things the session needs on top:
 * messages joined from fragments up to a size cap, a queue of inbound events, the time of the last
 * inbound activity (for the read-idle check) and one serialised writer.
 *
 * <p>Sends may come from any thread; the JDK client allows one outstanding send, so {@link #send}
 * takes a lock and waits for the previous send to finish. Inbound events are read by one thread.
 */
final class WsConnection {
  /** The subprotocol of the contract. */
  static final String SUBPROTOCOL = "studio-worker-v1";

  /** Inbound events, in arrival order. */
  sealed interface Inbound {}

  /** A complete text message. */
  record Text(String text) implements Inbound {}

  /** A binary message, which the contract does not allow; only its size is kept. */
  record Binary(long size) implements Inbound {}

  /** A text message over the cap, discarded. */
  record Oversized(long size) implements Inbound {}

  /** The studio closed the socket. */
  record Closed(int code, String reason) implements Inbound {}

  /** The socket failed. */
  record Failed(Throwable error) implements Inbound {}

  /** Why a connect failed. */
  static final class ConnectException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int httpStatus;

    ConnectException(String message, int httpStatus, @Nullable Throwable cause) {
      super(message, cause);
      this.httpStatus = httpStatus;
    }

    /** The HTTP status of a refused upgrade, or 0. */
    int httpStatus() {
      return httpStatus;
    }
  }

  /** Why 250 ms? The contract's stop-check interval. */
  private static final long ABANDON_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

  /** Why 256? Far more than the one message in flight plus control events; only a safety cap. */
  private static final int QUEUE_CAPACITY = 256;

  private final WebSocket socket;
  private final Listener listener;
  private final ReentrantLock sendLock = new ReentrantLock();

  private WsConnection(WebSocket socket, Listener listener) {
    this.socket = socket;
    this.listener = listener;
  }

  /**
   * Opens the socket: bearer token, subprotocol, and one timeout for connect, TLS and upgrade.
   *
   * <p>Blocks up to {@code timeout}; checks {@code abandon} every 250 ms and gives up (cancelling
   * the handshake) as soon as it turns true.
   *
   * @throws ConnectException with the HTTP status when the upgrade was refused
   */
  static WsConnection open(
      HttpClient http,
      URI uri,
      String authToken,
      Duration timeout,
      int maxMessageChars,
      BooleanSupplier abandon)
      throws ConnectException, InterruptedException {
    Listener listener = new Listener(maxMessageChars);
    CompletableFuture<WebSocket> future =
        http.newWebSocketBuilder()
            .header("Authorization", "Bearer " + authToken)
            .subprotocols(SUBPROTOCOL)
            .connectTimeout(timeout)
            .buildAsync(uri, listener);
    // Why a second longer? The client's own connect timeout fires first and says more.
    long deadline = System.nanoTime() + timeout.toNanos() + TimeUnit.SECONDS.toNanos(1);
    boolean opened = false;
    try {
      while (true) {
        if (abandon.getAsBoolean()) {
          throw new ConnectException("the worker is stopping", 0, null);
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new ConnectException(
              "connect timed out after " + timeout.toSeconds() + " s", 0, null);
        }
        try {
          WebSocket socket = future.get(Math.min(left, ABANDON_CHECK_NANOS), TimeUnit.NANOSECONDS);
          opened = true;
          return new WsConnection(socket, listener);
        } catch (TimeoutException e) {
          // Check the deadline and the stop again.
        }
      }
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof WebSocketHandshakeException handshake) {
        int status = handshake.getResponse().statusCode();
        throw new ConnectException(
            "the studio refused the upgrade with HTTP " + status, status, cause);
      }
      throw new ConnectException(StudioHttp.describe(cause, uri), 0, cause);
    } finally {
      if (!opened) {
        future.cancel(true);
        // A socket that opened just as we gave up is dropped, never left dangling.
        future.thenAccept(WebSocket::abort);
      }
    }
  }

  /** The next inbound event, waiting up to {@code timeout}; null on timeout. */
  @Nullable Inbound poll(Duration timeout) throws InterruptedException {
    Inbound event = listener.queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    if (event instanceof Text) {
      // Why here? Demand is one message at a time: the next text is read only once this one is
      // taken, which bounds memory to one message plus a few control events.
      socket.request(1);
    }
    return event;
  }

  /** {@link System#nanoTime()} of the last inbound activity, pings and pongs included. */
  long lastActivityNanos() {
    return listener.lastActivity;
  }

  /**
   * Sends one text message.
   *
   * <p>An interrupt while waiting for the previous send gives up before anything went out. Once
   * this message is handed to the socket, the wait for it is not cut short by an interrupt (the
   * flag is restored after): a frame the log calls sent must have gone out or failed, never been
   * abandoned half-way because the sending thread was cancelled.
   *
   * @return null when sent, else why not
   */
  @Nullable String send(String text, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    if (!sendLock.tryLock(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
      return "another send did not finish within " + timeout.toMillis() + " ms";
    }
    boolean interrupted = false;
    try {
      if (socket.isOutputClosed()) {
        return "the socket is closed";
      }
      CompletableFuture<WebSocket> sent = socket.sendText(text, true);
      while (true) {
        try {
          sent.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
          return null;
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (TimeoutException e) {
          socket.abort();
          return "send timed out after " + timeout.toMillis() + " ms";
        } catch (ExecutionException e) {
          Throwable cause = e.getCause() == null ? e : e.getCause();
          return cause.getClass().getSimpleName()
              + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
        }
      }
    } finally {
      sendLock.unlock();
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Closes with 1000 and waits briefly for the close to go out. Never throws. */
  void close(String reason, Duration wait) {
    try {
      if (sendLock.tryLock(wait.toMillis(), TimeUnit.MILLISECONDS)) {
        try {
          if (!socket.isOutputClosed()) {
            socket
                .sendClose(WebSocket.NORMAL_CLOSURE, reason)
                .get(wait.toMillis(), TimeUnit.MILLISECONDS);
          }
        } finally {
          sendLock.unlock();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      // The socket is going away either way.
    } finally {
      socket.abort();
    }
  }

  /** Drops the socket at once (dead socket, fatal error). Never throws. */
  void abort() {
    socket.abort();
  }

  /** The JDK listener: joins fragments, counts activity, queues events. */
  private static final class Listener implements WebSocket.Listener {
    private final int maxMessageChars;
    private final LinkedBlockingQueue<Inbound> queue = new LinkedBlockingQueue<>(QUEUE_CAPACITY);
    private final StringBuilder text = new StringBuilder();
    private long textChars;
    private long binaryBytes;
    private volatile long lastActivity = System.nanoTime();

    Listener(int maxMessageChars) {
      this.maxMessageChars = maxMessageChars;
    }

    private void push(Inbound event) {
      if (!queue.offer(event)) {
        // Only a studio flooding control events could fill the queue; the read-idle and close
        // handling still work on what is queued.
        queue.poll();
        queue.offer(event);
      }
    }

    @Override
    public void onOpen(WebSocket webSocket) {
      lastActivity = System.nanoTime();
      webSocket.request(1);
    }

    @Override
    public @Nullable CompletionStage<?> onText(
        WebSocket webSocket, CharSequence data, boolean last) {
      lastActivity = System.nanoTime();
      textChars += data.length();
      if (textChars <= maxMessageChars) {
        text.append(data);
      } else if (!text.isEmpty()) {
        text.setLength(0);
        text.trimToSize();
      }
      if (last) {
        long size = textChars;
        textChars = 0;
        if (size > maxMessageChars) {
          push(new Oversized(size));
          webSocket.request(1);
        } else {
          push(new Text(text.toString()));
          text.setLength(0);
          if (text.capacity() > 64 * 1024) {
            text.trimToSize();
          }
          // The reader requests the next message when it takes this one.
        }
      } else {
        webSocket.request(1);
      }
      return null;
    }

    @Override
    public @Nullable CompletionStage<?> onBinary(
        WebSocket webSocket, ByteBuffer data, boolean last) {
      lastActivity = System.nanoTime();
      binaryBytes += data.remaining();
      if (last) {
        push(new Binary(binaryBytes));
        binaryBytes = 0;
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public @Nullable CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
      // The JDK client answers pings itself; a ping is still a sign of life.
      lastActivity = System.nanoTime();
      webSocket.request(1);
      return null;
    }

    @Override
    public @Nullable CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
      lastActivity = System.nanoTime();
      webSocket.request(1);
      return null;
    }

    @Override
    public @Nullable CompletionStage<?> onClose(
        WebSocket webSocket, int statusCode, String reason) {
      lastActivity = System.nanoTime();
      push(new Closed(statusCode, reason));
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      push(new Failed(error));
    }
  }
}
