package org.studioworker.devstudio;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The fault-injection counters of the studio's HTTP routes, and how many requests each route saw.
 *
 * <p>Thread-safe: every counter is atomic; a fault is consumed by exactly one request. Per route
 * the counters are checked in the order they are declared here, the first pending one wins.
 */
final class Faults {
  final AtomicInteger registerRequests503 = new AtomicInteger();
  final AtomicInteger registerRequests500 = new AtomicInteger();
  final AtomicInteger polls503 = new AtomicInteger();
  final AtomicInteger polls500 = new AtomicInteger();
  final AtomicInteger polls404 = new AtomicInteger();
  final AtomicInteger completes503 = new AtomicInteger();
  final AtomicInteger completes500 = new AtomicInteger();
  final AtomicInteger completes400 = new AtomicInteger();

  /** Uploads that get headers and a few bytes of a reply, then nothing until {@link #stallHold}. */
  final AtomicInteger completesStalled = new AtomicInteger();

  /** How long a stalled upload is held before its connection is dropped. */
  final AtomicReference<Duration> stallHold = new AtomicReference<>(Duration.ofSeconds(30));

  /** Uploads whose result is stored but whose connection is then dropped without a reply. */
  final AtomicInteger completeRepliesLost = new AtomicInteger();

  final AtomicInteger registerRequestsSeen = new AtomicInteger();
  final AtomicInteger pollsSeen = new AtomicInteger();
  final AtomicInteger completesSeen = new AtomicInteger();

  /** Takes one fault from the counter; true when one was pending. */
  static boolean take(AtomicInteger counter) {
    return counter.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
  }
}
