package org.studioworker.runtime.update;

import java.time.Duration;
import java.util.Objects;

/**
 * How long each step of the update path may take (docs/update.md).
 *
 * @param exchange a small exchange (feed, sidecar, signature) from the request to the last byte of
 *     its body; for the build, the wait for its headers
 * @param idle how long the build's body may go without a byte
 * @param download the build's whole body
 */
record Deadlines(Duration exchange, Duration idle, Duration download) {
  /**
   * Why these? A feed or a sidecar is a few KB: 30 s without all of it is an outage, tried next
   * interval. A CDN that sends nothing for 60 s has dropped the transfer. A build is about 50 MB,
   * which takes under 7 min at 1 Mbit/s; 30 min ends only a transfer that would never finish.
   */
  static final Deadlines STANDARD =
      new Deadlines(Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofMinutes(30));

  /** Rejects nulls and durations that are not positive. */
  Deadlines {
    positive(exchange, "exchange");
    positive(idle, "idle");
    positive(download, "download");
  }

  /** {@code 30 s}, {@code 0.25 s}: for messages. */
  static String shown(Duration duration) {
    long millis = duration.toMillis();
    return millis % 1000 == 0 ? millis / 1000 + " s" : millis / 1000.0 + " s";
  }

  private static void positive(Duration duration, String name) {
    Objects.requireNonNull(duration, name);
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException(name + " must be positive");
    }
  }
}
