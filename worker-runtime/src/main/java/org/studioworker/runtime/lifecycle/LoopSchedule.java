package org.studioworker.runtime.lifecycle;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Every interval and timeout the daemon's loops use (PROTOCOL.md §5), injected so that tests run
 * the real loops in milliseconds.
 *
 * @param heartbeat how often a live session sends {@code heartbeat}
 * @param logFlush how often the log shipper sends a batch
 * @param stopCheck the longest any wait goes without noticing a stop request
 * @param backoffBase the first reconnect delay; it doubles per failed attempt
 * @param backoffMax the longest reconnect delay
 * @param readIdle no frame at all for this long means a dead socket
 * @param connectTimeout connect + TLS + upgrade together
 * @param registrationPoll the registration gate's tick
 * @param sendTimeout the longest one WebSocket send may take
 * @param uploadRetryPauses pauses before each retry of a multipart upload
 */
public record LoopSchedule(
    Duration heartbeat,
    Duration logFlush,
    Duration stopCheck,
    Duration backoffBase,
    Duration backoffMax,
    Duration readIdle,
    Duration connectTimeout,
    Duration registrationPoll,
    Duration sendTimeout,
    List<Duration> uploadRetryPauses) {

  /** Checks that every duration is positive. */
  public LoopSchedule {
    for (Duration d :
        List.of(
            heartbeat,
            logFlush,
            stopCheck,
            backoffBase,
            backoffMax,
            readIdle,
            connectTimeout,
            registrationPoll,
            sendTimeout)) {
      Objects.requireNonNull(d, "duration");
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("every interval must be positive");
      }
    }
    if (backoffMax.compareTo(backoffBase) < 0) {
      throw new IllegalArgumentException("backoffMax must not be shorter than backoffBase");
    }
    uploadRetryPauses = List.copyOf(uploadRetryPauses);
  }

  /** The original worker's constants. */
  public static LoopSchedule standard() {
    return new LoopSchedule(
        Duration.ofSeconds(5),
        Duration.ofSeconds(1),
        Duration.ofMillis(250),
        Duration.ofSeconds(1),
        Duration.ofSeconds(30),
        Duration.ofSeconds(20),
        Duration.ofSeconds(15),
        Duration.ofSeconds(30),
        Duration.ofSeconds(10),
        List.of(Duration.ofSeconds(1), Duration.ofSeconds(2)));
  }

  /** The same schedule with another registration poll interval. */
  public LoopSchedule withRegistrationPoll(Duration value) {
    return new LoopSchedule(
        heartbeat,
        logFlush,
        stopCheck,
        backoffBase,
        backoffMax,
        readIdle,
        connectTimeout,
        value,
        sendTimeout,
        uploadRetryPauses);
  }
}
