package org.studioworker.devstudio;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Lets callers wait until the studio's state satisfies a condition.
 *
 * <p>Every change calls {@link #changed()}; a waiter re-evaluates its condition after each change.
 * The condition is evaluated without this object's lock held, so it may take the studio's own locks
 * (and {@link #changed()} may be called while holding them) without a lock-order cycle.
 * Thread-safe.
 */
final class StateSignal {
  /** Why 50 ms? A missed wake-up costs at most one slice; waits are for tests and demos. */
  private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private final AtomicLong version = new AtomicLong();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition advanced = lock.newCondition();

  /** Wakes every waiter. */
  void changed() {
    version.incrementAndGet();
    lock.lock();
    try {
      advanced.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Blocks until the probe answers non-null, and returns that answer.
   *
   * @throws IllegalStateException after the timeout, naming {@code what}
   */
  <T> T await(String what, Duration timeout, Supplier<@Nullable T> probe) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long seen = version.get();
      T answer = probe.get();
      if (answer != null) {
        return answer;
      }
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        throw new IllegalStateException("timed out after " + timeout + " waiting for " + what);
      }
      lock.lock();
      try {
        if (version.get() == seen) {
          advanced.awaitNanos(Math.min(remaining, SLICE_NANOS));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for " + what, e);
      } finally {
        lock.unlock();
      }
    }
  }
}
