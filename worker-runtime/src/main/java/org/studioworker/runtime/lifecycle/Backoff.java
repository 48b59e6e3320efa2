package org.studioworker.runtime.lifecycle;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Reconnect delays: the base, doubling per failed attempt up to the maximum, with jitter that takes
 * up to a fifth off so that many workers restarted together do not reconnect in step.
 *
 * <p>Pure and thread-safe given a thread-safe random source.
 */
public final class Backoff {
  private final Duration base;
  private final Duration max;
  private final DoubleSupplier random;

  /**
   * A backoff policy.
   *
   * @param random values in [0, 1)
   */
  public Backoff(Duration base, Duration max, DoubleSupplier random) {
    this.base = base;
    this.max = max;
    this.random = random;
  }

  /** The cap before jitter for the {@code attempt}-th reconnect (1-based). */
  public Duration ceiling(int attempt) {
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be at least 1");
    }
    // Why 62? 2^62 ms is far beyond any max; shifting further would overflow a long.
    int shift = Math.min(attempt - 1, 62);
    long baseMs = Math.max(1, base.toMillis());
    long maxMs = Math.max(baseMs, max.toMillis());
    long delay = baseMs > (maxMs >> shift) ? maxMs : baseMs << shift;
    return Duration.ofMillis(Math.min(delay, maxMs));
  }

  /** The delay before the {@code attempt}-th reconnect: in [0.8 × ceiling, ceiling]. */
  public Duration delay(int attempt) {
    long ceiling = ceiling(attempt).toMillis();
    long jitter = (long) (ceiling * 0.2 * Math.min(Math.max(random.getAsDouble(), 0.0), 1.0));
    return Duration.ofMillis(Math.max(1, ceiling - jitter));
  }
}
