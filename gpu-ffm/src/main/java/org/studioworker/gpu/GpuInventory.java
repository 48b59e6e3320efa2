package org.studioworker.gpu;

import java.time.Duration;

/**
 * A source of GPU snapshots.
 *
 * <p>{@link #snapshot()} returns the latest reading without blocking; implementations refresh it in
 * the background or on demand. Thread-safe.
 */
public interface GpuInventory extends AutoCloseable {
  /** The latest reading. Never blocks for long, never throws. */
  GpuSnapshot snapshot();

  /**
   * Reads the GPUs now and returns that reading, blocking the caller at most {@code maxWait}; on
   * time-out it returns the latest snapshot instead. Call it before admitting an offer when free
   * memory matters. Never throws.
   *
   * <p>The default returns {@link #snapshot()}: for an inventory with nothing to re-read.
   */
  default GpuSnapshot refresh(Duration maxWait) {
    return snapshot();
  }

  /** Releases native resources. Never throws. */
  @Override
  void close();
}
