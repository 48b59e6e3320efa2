package org.studioworker.gpu;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The GPUs of the machine at one moment. Immutable; any thread may read it.
 *
 * @param source where the numbers came from: nvml, sysfs, or none when no GPU is listed
 * @param driverVersion the driver version when known
 * @param note why no GPU is listed, when none is; or what could not be read
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

  /**
   * This snapshot as one line of JSON, the output of {@code studio-worker gpu --json}.
   *
   * <p>Shape: {@code {"source", "driver", "note", "readAt", "gpus": [{"index", "name", "uuid",
   * "totalBytes", "freeBytes", "usedBytes", "utilisationPercent", "temperatureCelsius"}]}}; an
   * unknown value is {@code null}, never left out, so readers see every key.
   */
  public String toJson() {
    StringBuilder out = new StringBuilder(256 + 256 * devices.size());
    out.append("{\"source\":");
    JsonText.string(out, source).append(",\"driver\":");
    JsonText.string(out, driverVersion).append(",\"note\":");
    JsonText.string(out, note).append(",\"readAt\":");
    JsonText.string(out, readAt.toString()).append(",\"gpus\":[");
    for (int i = 0; i < devices.size(); i++) {
      GpuDevice device = devices.get(i);
      if (i > 0) {
        out.append(',');
      }
      out.append("{\"index\":").append(device.index()).append(",\"name\":");
      JsonText.string(out, device.name()).append(",\"uuid\":");
      JsonText.string(out, device.uuid()).append(",\"totalBytes\":").append(device.totalBytes());
      out.append(",\"freeBytes\":");
      JsonText.number(out, device.freeBytes()).append(",\"usedBytes\":");
      JsonText.number(out, device.usedBytes()).append(",\"utilisationPercent\":");
      JsonText.number(out, device.utilisationPercent()).append(",\"temperatureCelsius\":");
      JsonText.number(out, device.temperatureCelsius()).append('}');
    }
    return out.append("]}").toString();
  }
}
