package org.studioworker.runtime.session;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.studioworker.protocol.FrameCodec;
import org.studioworker.protocol.WorkerFrame;
import org.studioworker.runtime.jobs.FrameSender;

/**
 * The frame sender for everything outside the session loop (jobs): it sends over whichever socket
 * is live, so a job that outlives one socket reports over the next.
 *
 * <p>Thread-safe.
 */
public final class SessionLink implements FrameSender {
  private final FrameCodec codec;
  private final Duration sendTimeout;
  private final AtomicReference<@Nullable WsConnection> live = new AtomicReference<>();

  /** Incremented on every attach. */
  private final java.util.concurrent.atomic.AtomicLong generation =
      new java.util.concurrent.atomic.AtomicLong();

  /** A link with nothing attached. */
  public SessionLink(FrameCodec codec, Duration sendTimeout) {
    this.codec = codec;
    this.sendTimeout = sendTimeout;
  }

  void attach(WsConnection connection) {
    generation.incrementAndGet();
    live.set(connection);
  }

  @Override
  public long generation() {
    return generation.get();
  }

  void detach(WsConnection connection) {
    live.compareAndSet(connection, null);
  }

  @Override
  public @Nullable String send(WorkerFrame frame) throws InterruptedException {
    WsConnection connection = live.get();
    if (connection == null) {
      return "no live session with the studio";
    }
    String text;
    try {
      text = codec.encode(frame);
    } catch (IllegalArgumentException e) {
      return "frame could not be encoded: " + e.getMessage();
    }
    return connection.send(text, sendTimeout);
  }
}
