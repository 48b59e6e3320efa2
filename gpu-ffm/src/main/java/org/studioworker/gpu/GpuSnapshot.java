package org.studioworker.gpu;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The GPUs of the machine at one moment. Immutable; any thread may read it.
 *
 * @param source where the numbers came from ({@code nvml}, {@code sysfs}, {@code none})
 * @param driverVersion the driver version when known
 * @param note why no GPU is listed, when none is
 */
public record GpuSnapshot(
    String source,
    List<GpuDevice> devices,
    @Nullable String driverVersion,
    @Nullable String note,
    Instant readAt) {
  private static final double BYTES_PER_GB = 1024.0 * 1024.0 * 1024.0;

  /** Copies the device list. */
  public GpuSnapshot {
    Objects.requireNonNull(source, "source");
    devices = List.copyOf(devices);
    Objects.requireNonNull(readAt, "readAt");
  }

  /**
   * Total memory over all GPUs, in GiB (the studio calls it GB), as the original worker sums it.
   */
  public double totalGb() {
    long total = 0;
    for (GpuDevice device : devices) {
      total += device.totalBytes();
    }
    return total / BYTES_PER_GB;
  }
}
