package org.studioworker.devstudio;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The fault-injection counters of the studio's HTTP routes, and how many requests each route saw.
 *
 * <p>Thread-safe: every counter is atomic; a fault is consumed by exactly one request. Per route
 * the faults are checked in the order they are declared here, the first pending one wins.
 */
final class Faults {
  /** One kind of fault: how many requests it still awaits, and how many it has hit. */
  static final class Fault {
    final String name;
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicInteger injected = new AtomicInteger();

    Fault(String name) {
      this.name = name;
    }

    /** The next {@code n} requests get this fault (0 disarms it). */
    void arm(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("a fault count must not be negative");
      }
      pending.set(n);
    }

    /** Takes one pending fault for this request; true when one was pending. */
    boolean take() {
      boolean taken = pending.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
      if (taken) {
        injected.incrementAndGet();
      }
      return taken;
    }

    int injected() {
      return injected.get();
    }
  }

  final Fault registerRequests503 = new Fault("register-request 503");
  final Fault registerRequests500 = new Fault("register-request 500");
  final Fault polls503 = new Fault("poll 503");
  final Fault polls500 = new Fault("poll 500");
  final Fault polls404 = new Fault("poll 404");
  final Fault completes503 = new Fault("complete 503");
  final Fault completes500 = new Fault("complete 500");
  final Fault completes400 = new Fault("complete 400");

  /** Uploads that get headers and a few bytes of a reply, then nothing until {@link #stallHold}. */
  final Fault completesStalled = new Fault("complete stalled");

  /** How long a stalled upload is held before its connection is dropped. */
  final AtomicReference<Duration> stallHold = new AtomicReference<>(Duration.ofSeconds(30));

  /** Uploads whose result is stored but whose connection is then dropped without a reply. */
  final Fault completeRepliesLost = new Fault("complete reply lost");

  final AtomicInteger registerRequestsSeen = new AtomicInteger();
  final AtomicInteger pollsSeen = new AtomicInteger();
  final AtomicInteger completesSeen = new AtomicInteger();

  /** How many requests each kind of fault has hit so far, in declaration order. */
  Map<String, Integer> injected() {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (Fault f :
        List.of(
            registerRequests503,
            registerRequests500,
            polls503,
            polls500,
            polls404,
            completes503,
            completes500,
            completes400,
            completesStalled,
            completeRepliesLost)) {
      out.put(f.name, f.injected());
    }
    return out;
  }
}
