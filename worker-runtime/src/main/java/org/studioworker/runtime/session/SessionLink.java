package org.studioworker.runtime.session;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.studioworker.protocol.FrameCodec;
import org.studioworker.protocol.WorkerFrame;
import org.studioworker.runtime.jobs.FrameSender;

/**
 * The frame sender for everything outside the session loop (jobs): it sends over the live socket
 * when that socket is the one the frame belongs to.
 *
 * <p>Thread-safe.
 */
public final class SessionLink implements FrameSender {
  /** A welcomed socket and its generation. */
  private record Attached(WsConnection connection, long generation) {}

  private final FrameCodec codec;
  private final Duration sendTimeout;

  /** The live socket, or null between sockets. */
  private final AtomicReference<@Nullable Attached> live = new AtomicReference<>();

  /** The last generation handed out; the first socket gets 1. */
  private final AtomicLong generations = new AtomicLong();

  /** A link with nothing attached. */
  public SessionLink(FrameCodec codec, Duration sendTimeout) {
    this.codec = codec;
    this.sendTimeout = sendTimeout;
  }

  /** Makes {@code connection} the live socket; returns its generation. */
  long attach(WsConnection connection) {
    long generation = generations.incrementAndGet();
    live.set(new Attached(connection, generation));
    return generation;
  }

  @Override
  public long generation() {
    Attached now = live.get();
    return now == null ? 0 : now.generation();
  }

  void detach(WsConnection connection) {
    live.updateAndGet(now -> now != null && now.connection() == connection ? null : now);
  }

  @Override
  public @Nullable String send(WorkerFrame frame, long generation) throws InterruptedException {
    // One read: the socket chosen is the one whose generation was checked.
    Attached now = live.get();
    if (now == null) {
      return "no live session with the studio";
    }
    if (now.generation() != generation) {
      return "the session it belongs to has ended";
    }
    String text;
    try {
      text = codec.encode(frame);
    } catch (IllegalArgumentException e) {
      return "frame could not be encoded: " + e.getMessage();
    }
    return now.connection().send(text, sendTimeout);
  }
}
