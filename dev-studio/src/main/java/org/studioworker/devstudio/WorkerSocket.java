package org.studioworker.devstudio;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.studioworker.protocol.Capabilities;

/**
 * One worker WebSocket: joins fragments into messages (up to a cap), answers pings, and hands each
 * message to the {@link SessionHub}, which owns every decision.
 *
 * <p>Threads: Jetty delivers this socket's frames one at a time (the next only after {@link
 * CoreSession#demand()}), so the message buffer needs no lock. The session fields below are guarded
 * by the hub's lock; {@link #lastFrameNanos} and {@link #silent} are volatile because the delivery
 * thread reads them without that lock. Sends never block: Jetty queues them in call order.
 */
final class WorkerSocket implements FrameHandler {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerSocket.class);

  /** Where a socket stands in the session handshake. */
  enum Phase {
    AWAITING_HELLO,
    /** {@code hello} checked, {@code welcome} not sent yet (only with a welcome delay). */
    CHECKING_HELLO,
    LIVE,
    CLOSED
  }

  final String workerId;
  final int connection;
  final Instant connectedAt;
  private final SessionHub hub;
  private final long maxChars;

  private volatile @Nullable CoreSession session;

  /** Counted down once Jetty reports the socket closed. */
  private final CountDownLatch closed = new CountDownLatch(1);

  /** When the last frame of any kind arrived (System.nanoTime); not updated while silent. */
  volatile long lastFrameNanos = System.nanoTime();

  /** Whether the studio pretends this socket is half-open: it sends and handles nothing. */
  volatile boolean silent;

  // Guarded by the hub's lock.
  Phase phase = Phase.AWAITING_HELLO;
  @Nullable Capabilities capabilities;
  long welcomeOrder;
  @Nullable Instant lastHeartbeatAt;
  @Nullable String heldJobId;
  boolean holdUntilHeartbeat;
  @Nullable String reportedJobId;

  // Touched only by the frame delivery of this socket.
  private @Nullable ByteArrayOutputStream message;
  private boolean refusing;

  WorkerSocket(SessionHub hub, String workerId, int connection, long maxChars) {
    this.hub = hub;
    this.workerId = workerId;
    this.connection = connection;
    this.connectedAt = Instant.now();
    this.maxChars = maxChars;
  }

  @Override
  public void onOpen(CoreSession coreSession, Callback callback) {
    this.session = coreSession;
    lastFrameNanos = System.nanoTime();
    hub.opened(this);
    callback.succeeded();
    coreSession.demand();
  }

  @Override
  public void onFrame(Frame frame, Callback callback) {
    try {
      handle(frame);
    } catch (RuntimeException e) {
      LOG.error("worker {}: failed to handle a frame", workerId, e);
      hub.internalError(this);
    }
    callback.succeeded();
    CoreSession s = session;
    if (frame.getOpCode() != OpCode.CLOSE && s != null) {
      s.demand();
    }
  }

  private void handle(Frame frame) {
    if (!silent) {
      lastFrameNanos = System.nanoTime();
    }
    switch (frame.getOpCode()) {
      case OpCode.PING -> pong(frame);
      case OpCode.TEXT -> {
        message = new ByteArrayOutputStream();
        refusing = false;
        append(frame);
      }
      case OpCode.BINARY -> {
        message = null;
        refusing = !frame.isFin();
        hub.binary(this, frame.getPayloadLength());
      }
      case OpCode.CONTINUATION -> append(frame);
      default -> {
        // PONG needs nothing; CLOSE is answered by Jetty itself.
      }
    }
  }

  private void append(Frame frame) {
    ByteArrayOutputStream buffer = message;
    if (refusing || buffer == null) {
      refusing = !frame.isFin();
      return;
    }
    ByteBuffer payload = frame.getPayload();
    int length = payload == null ? 0 : payload.remaining();
    // Why 3 bytes a char? UTF-8 spends at most 3 bytes on one UTF-16 char (4 on a pair), so a
    // message of more bytes than this is over the char cap for sure and need not be kept.
    if ((long) buffer.size() + length > maxChars * 3) {
      message = null;
      refusing = !frame.isFin();
      hub.oversized(this, (long) buffer.size() + length);
      return;
    }
    if (payload != null && length > 0) {
      byte[] bytes = new byte[length];
      payload.slice().get(bytes);
      buffer.write(bytes, 0, length);
    }
    if (frame.isFin()) {
      message = null;
      String text = buffer.toString(StandardCharsets.UTF_8);
      if (text.length() > maxChars) {
        hub.oversized(this, text.length());
      } else {
        hub.text(this, text);
      }
    }
  }

  private void pong(Frame ping) {
    CoreSession s = session;
    if (silent || s == null) {
      return;
    }
    Frame pong = new Frame(OpCode.PONG);
    ByteBuffer payload = ping.getPayload();
    if (payload != null && payload.hasRemaining()) {
      ByteBuffer copy = ByteBuffer.allocate(payload.remaining());
      copy.put(payload.slice()).flip();
      pong.setPayload(copy);
    }
    s.sendFrame(pong, Callback.NOOP, false);
  }

  @Override
  public void onError(Throwable cause, Callback callback) {
    LOG.debug("worker {}: socket error: {}", workerId, cause.toString());
    callback.succeeded();
  }

  @Override
  public void onClosed(CloseStatus closeStatus, Callback callback) {
    hub.closed(this, closeStatus.getCode(), closeStatus.getReason());
    closed.countDown();
    callback.succeeded();
  }

  /** Waits up to the time given for Jetty to report the socket closed. */
  void awaitClosed(long nanos) {
    try {
      closed.await(Math.max(0, nanos), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---------------------------------------------------------------- sends (never block)

  void sendText(String text) {
    CoreSession s = session;
    if (s != null) {
      s.sendFrame(new Frame(OpCode.TEXT, text), logFailure("text frame"), false);
    }
  }

  void sendBinary(byte[] bytes) {
    CoreSession s = session;
    if (s != null) {
      s.sendFrame(
          new Frame(OpCode.BINARY, ByteBuffer.wrap(bytes.clone())),
          logFailure("binary frame"),
          false);
    }
  }

  void close(int code, String reason) {
    CoreSession s = session;
    if (s != null) {
      s.close(code, truncate(reason), logFailure("close"));
    }
  }

  /** Drops the connection without a close frame, as a crash or a restart would. */
  void abort() {
    CoreSession s = session;
    if (s != null) {
      s.abort();
    }
  }

  private Callback logFailure(String what) {
    return Callback.from(
        () -> {},
        failure -> LOG.debug("worker {}: {} not sent: {}", workerId, what, failure.toString()));
  }

  /** A close reason fits in 123 bytes of UTF-8. */
  private static String truncate(String reason) {
    byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= 123) {
      return reason;
    }
    int end = Math.min(reason.length(), 100);
    while (reason.substring(0, end).getBytes(StandardCharsets.UTF_8).length > 120) {
      end--;
    }
    return reason.substring(0, end);
  }

  @Override
  public String toString() {
    return "WorkerSocket[" + workerId + " #" + connection + "]";
  }
}
