package org.studioworker.runtime.lifecycle;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The daemon's stop request: none, drain (first SIGTERM/SIGINT: stop claiming, let the job in
 * flight finish) or immediate (second signal: fail the job in flight and go).
 *
 * <p>Every wait in the daemon goes through {@link #await}, so that a stop is noticed at once.
 * Thread-safe.
 */
public final class StopSignal {
  /** How far the stop has gone. */
  public enum Phase {
    RUNNING,
    DRAINING,
    IMMEDIATE
  }

  /** Why 100 ms? Well inside the 250 ms in which a stop must be noticed, and cheap to poll. */
  private static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();

  /** Guarded by {@link #lock} for writes; read without it. Only moves forward. */
  private volatile Phase phase = Phase.RUNNING;

  /** Guarded by {@link #lock}; the signal that first asked to stop. */
  private @Nullable String reason;

  /** {@link System#nanoTime()} of the first stop request; written once, under {@link #lock}. */
  private volatile long firstStopNanos;

  /** The current phase. */
  public Phase phase() {
    return phase;
  }

  /** Whether any stop was requested. */
  public boolean isStopping() {
    return phase != Phase.RUNNING;
  }

  /** What asked to stop first ({@code SIGTERM}), or null. */
  public @Nullable String reason() {
    lock.lock();
    try {
      return reason;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Escalates: RUNNING → DRAINING → IMMEDIATE.
   *
   * @return the phase after the call
   */
  public Phase escalate(String why) {
    lock.lock();
    try {
      first(why);
      phase = phase == Phase.RUNNING ? Phase.DRAINING : Phase.IMMEDIATE;
      changed.signalAll();
      return phase;
    } finally {
      lock.unlock();
    }
  }

  /** Goes straight to IMMEDIATE. */
  public void stopNow(String why) {
    lock.lock();
    try {
      first(why);
      phase = Phase.IMMEDIATE;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void first(String why) {
    if (reason == null) {
      reason = why;
      firstStopNanos = System.nanoTime();
    }
  }

  /**
   * Whether {@code limit} has passed since the first stop request. The drain deadline counts from
   * the first signal, whatever happened since (a reconnect does not restart it). False while
   * running.
   */
  public boolean stoppedLongerThan(Duration limit) {
    return isStopping() && System.nanoTime() - firstStopNanos >= limit.toNanos();
  }

  /** Wakes every waiter so that it re-checks its condition. */
  public void poke() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits up to {@code timeout}, returning early when {@code done} turns true. A phase change wakes
   * the waiter so that a {@code done} that reads the phase is noticed at once.
   *
   * @return true when {@code done} is true, false on timeout
   * @throws InterruptedException when the waiting thread is interrupted
   */
  public boolean await(Duration timeout, BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      while (true) {
        if (done.getAsBoolean()) {
          return true;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        // Re-check at least every RECHECK even without a poke: `done` may read state that
        // changes without telling us.
        changed.await(Math.min(left, RECHECK_NANOS), TimeUnit.NANOSECONDS);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Waits up to {@code timeout} or until a stop is requested; true when stopping. */
  public boolean sleep(Duration timeout) throws InterruptedException {
    return await(timeout, this::isStopping);
  }
}
