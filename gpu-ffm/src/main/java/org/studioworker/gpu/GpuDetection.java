package org.studioworker.gpu;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What {@link GpuInventories#detect} found: the inventory to use, a one-line summary for the
 * startup log, and, when GPUs cannot be read through NVML, the one warning to log about it.
 *
 * @param inventory the best inventory available; the caller owns it and closes it
 * @param summary what was found, e.g. {@code NVML 550.54.15 from /usr/lib64/libnvidia-ml.so.1: 2
 *     GPUs, 160.0 GB}
 * @param warning why NVML is not in use (and what is used instead), or null when it is
 */
public record GpuDetection(GpuInventory inventory, String summary, @Nullable String warning) {
  /** Rejects nulls. */
  public GpuDetection {
    Objects.requireNonNull(inventory, "inventory");
    Objects.requireNonNull(summary, "summary");
  }
}
