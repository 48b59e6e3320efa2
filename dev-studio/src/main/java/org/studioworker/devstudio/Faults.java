package org.studioworker.devstudio;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The fault-injection counters of the studio's HTTP routes, and how many requests each route saw.
 *
 * <p>Thread-safe: every counter is atomic; a fault is consumed by exactly one request.
 */
final class Faults {
  final AtomicInteger registerRequests500 = new AtomicInteger();
  final AtomicInteger polls500 = new AtomicInteger();
  final AtomicInteger polls404 = new AtomicInteger();
  final AtomicInteger completes500 = new AtomicInteger();
  final AtomicInteger completes400 = new AtomicInteger();

  final AtomicInteger registerRequestsSeen = new AtomicInteger();
  final AtomicInteger pollsSeen = new AtomicInteger();
  final AtomicInteger completesSeen = new AtomicInteger();

  /** Takes one fault from the counter; true when one was pending. */
  static boolean take(AtomicInteger counter) {
    return counter.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
  }
}
