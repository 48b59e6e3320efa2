package org.studioworker.gpu;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One GPU as last read.
 *
 * @param index the device index as the driver numbers it
 * @param totalBytes total memory in bytes
 * @param freeBytes free memory in bytes, or null when the driver cannot tell
 * @param usedBytes used memory in bytes, or null when the driver cannot tell
 * @param utilisationPercent GPU utilisation, or null when not supported
 * @param temperatureCelsius core temperature, or null when not supported
 */
public record GpuDevice(
    int index,
    String name,
    @Nullable String uuid,
    long totalBytes,
    @Nullable Long freeBytes,
    @Nullable Long usedBytes,
    @Nullable Integer utilisationPercent,
    @Nullable Integer temperatureCelsius) {
  /** Rejects nulls and negative sizes. */
  public GpuDevice {
    Objects.requireNonNull(name, "name");
    if (totalBytes < 0) {
      throw new IllegalArgumentException("totalBytes must not be negative");
    }
  }
}
