package org.studioworker.devstudio;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * A sliding-window limit of events per key (a source address): at most {@code limit} in any {@code
 * window}.
 *
 * <p>Thread-safe (one monitor); never blocks beyond it. Bounded: at most {@link #MAX_KEYS} keys are
 * tracked, and expired keys are swept when that many are held.
 */
final class RateLimiter {
  /** How many keys are tracked before a sweep; a loopback studio sees a handful. */
  static final int MAX_KEYS = 4096;

  private final int limit;
  private final long windowNanos;

  /** Start times of the events inside the window, per key, oldest first; guarded by this. */
  private final Map<String, ArrayDeque<Long>> events = new HashMap<>();

  RateLimiter(int limit, Duration window) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1");
    }
    this.limit = limit;
    this.windowNanos = window.toNanos();
  }

  /** Counts one event for the key and answers whether it is within the limit. */
  synchronized boolean tryAcquire(String key, long nowNanos) {
    if (events.size() >= MAX_KEYS && !events.containsKey(key)) {
      sweep(nowNanos);
      if (events.size() >= MAX_KEYS) {
        return false;
      }
    }
    ArrayDeque<Long> times = events.computeIfAbsent(key, k -> new ArrayDeque<>());
    expire(times, nowNanos);
    if (times.size() >= limit) {
      return false;
    }
    times.addLast(nowNanos);
    return true;
  }

  private void sweep(long nowNanos) {
    Iterator<ArrayDeque<Long>> it = events.values().iterator();
    while (it.hasNext()) {
      ArrayDeque<Long> times = it.next();
      expire(times, nowNanos);
      if (times.isEmpty()) {
        it.remove();
      }
    }
  }

  private void expire(ArrayDeque<Long> times, long nowNanos) {
    while (!times.isEmpty() && nowNanos - times.peekFirst() >= windowNanos) {
      times.removeFirst();
    }
  }
}
