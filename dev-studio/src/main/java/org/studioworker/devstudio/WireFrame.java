package org.studioworker.devstudio;

import java.time.Instant;
import java.util.Objects;

/**
 * One WebSocket message that the studio received from or sent to a worker, as recorded for tests.
 *
 * @param connection the socket it travelled on (see {@link WorkerSnapshot#connection()})
 * @param type the frame's {@code type}; {@code "?"} when it did not decode, {@code "binary"} for a
 *     binary message
 * @param text the message text, cut to {@link DevStudio.Options#maxRecordedChars()}; a binary
 *     message is recorded as its size
 * @param ignored whether the studio ignored it because it was told to go silent
 */
public record WireFrame(
    String workerId,
    int connection,
    Direction direction,
    Instant at,
    String type,
    String text,
    boolean ignored) {

  /** Which way a frame travelled. */
  public enum Direction {
    /** From the worker to the studio. */
    RECEIVED,
    /** From the studio to the worker. */
    SENT
  }

  /** Rejects nulls. */
  public WireFrame {
    Objects.requireNonNull(workerId, "workerId");
    Objects.requireNonNull(direction, "direction");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(text, "text");
  }
}
