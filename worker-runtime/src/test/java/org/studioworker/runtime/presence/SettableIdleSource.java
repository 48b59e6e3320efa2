package org.studioworker.runtime.presence;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/** An idle source whose answer the test sets, and which counts how often it was asked. */
public final class SettableIdleSource implements IdleSource {
  private final AtomicReference<@Nullable Duration> idle = new AtomicReference<>();
  private final AtomicInteger calls = new AtomicInteger();
  private final AtomicInteger closes = new AtomicInteger();

  /** Answers {@code value} from now on; null for "cannot be read". */
  public void set(@Nullable Duration value) {
    idle.set(value);
  }

  /** How often {@link #idleTime} was asked. */
  public int calls() {
    return calls.get();
  }

  /** How often {@link #close} was called. */
  public int closes() {
    return closes.get();
  }

  @Override
  public Optional<Duration> idleTime() {
    calls.incrementAndGet();
    return Optional.ofNullable(idle.get());
  }

  @Override
  public String describe() {
    return "the test's idle time";
  }

  @Override
  public void close() {
    closes.incrementAndGet();
  }
}
