package org.studioworker.runtime.notify;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;

/** A clock that moves only when told. Thread-safe. */
final class FakeClock implements InstantSource {
  private final AtomicReference<Instant> now;

  FakeClock(Instant start) {
    this.now = new AtomicReference<>(start);
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  /** Moves the clock forward; returns the new time. */
  Instant advance(Duration by) {
    return now.updateAndGet(t -> t.plus(by));
  }
}
