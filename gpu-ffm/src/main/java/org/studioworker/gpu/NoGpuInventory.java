package org.studioworker.gpu;

import java.time.Instant;
import java.util.List;

/** The inventory of a machine where no GPU could be read; it says why. */
public final class NoGpuInventory implements GpuInventory {
  private final GpuSnapshot snapshot;

  /** An empty inventory with the reason no GPU is listed. */
  public NoGpuInventory(String reason) {
    this.snapshot = new GpuSnapshot("none", List.of(), null, reason, Instant.now());
  }

  @Override
  public GpuSnapshot snapshot() {
    return snapshot;
  }

  @Override
  public void close() {
    // Nothing native is held.
  }
}
