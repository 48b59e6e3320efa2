package org.studioworker.runtime.daemon;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.studioworker.gpu.GpuDevice;
import org.studioworker.gpu.GpuInventory;

/**
 * The GPUs as {@code /daemon/status} shows them: read from the inventory at most once per {@link
 * #MAX_AGE}, however often the status is asked, and never waiting on the driver longer than {@link
 * #MAX_WAIT}.
 *
 * <p>Thread-safe: one caller reads while the others take the reading before it.
 */
final class CachedGpuReading {
  /** Why 1 s? A UI polls the status about once a second; the driver need not be asked more. */
  static final Duration MAX_AGE = Duration.ofSeconds(1);

  /** The longest a status request waits for the driver; past it, the last reading is shown. */
  static final Duration MAX_WAIT = Duration.ofMillis(200);

  private final GpuInventory inventory;
  private final InstantSource clock;
  private final ReentrantLock reading = new ReentrantLock();

  /**
   * The last reading and when it was taken; null before the first. Written under {@link #reading}.
   */
  private volatile @Nullable Reading last;

  private record Reading(List<GpuDevice> devices, Instant at) {}

  CachedGpuReading(GpuInventory inventory, InstantSource clock) {
    this.inventory = inventory;
    this.clock = clock;
  }

  /** The GPUs, at most {@link #MAX_AGE} old (older only while another caller reads). */
  List<GpuDevice> devices() {
    Reading now = last;
    if (now != null && fresh(now)) {
      return now.devices();
    }
    if (!reading.tryLock()) {
      // Another request is reading: take the reading before it rather than queue on the driver.
      return now != null ? now.devices() : inventory.snapshot().devices();
    }
    try {
      Reading again = last;
      if (again != null && fresh(again)) {
        return again.devices();
      }
      Reading taken = new Reading(inventory.refresh(MAX_WAIT).devices(), clock.instant());
      last = taken;
      return taken.devices();
    } finally {
      reading.unlock();
    }
  }

  private boolean fresh(Reading reading) {
    return Duration.between(reading.at(), clock.instant()).compareTo(MAX_AGE) < 0;
  }
}
