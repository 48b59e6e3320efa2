package org.studioworker.gpu;

/**
 * A source of GPU snapshots.
 *
 * <p>{@link #snapshot()} returns the latest reading without blocking; implementations refresh it in
 * the background or on demand. Thread-safe.
 */
public interface GpuInventory extends AutoCloseable {
  /** The latest reading. Never blocks for long, never throws. */
  GpuSnapshot snapshot();

  /** Releases native resources. Never throws. */
  @Override
  void close();
}
