package org.studioworker.gpu;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Decides whether a job fits in free GPU memory: a pure function of a snapshot, the job's estimate
 * and a safety margin.
 *
 * <p>A job needs {@code vramGbEstimate + marginGb} GB (GiB, as the studio counts) free on one GPU;
 * exactly that much fits. A GPU whose free memory is unknown does not block (the driver cannot
 * tell, so neither can we); a snapshot with no GPU accepts (the engine may run on the CPU, and the
 * VRAM threshold is checked elsewhere). Stateless; thread-safe; never blocks.
 */
public final class VramAdmission {
  private static final double BYTES_PER_GB = 1024.0 * 1024.0 * 1024.0;
  private static final BigDecimal BYTES_PER_GB_DECIMAL = BigDecimal.valueOf(1L << 30);

  private VramAdmission() {}

  /** The outcome. */
  public sealed interface Decision {
    /** Why, in one line for the log. */
    String reason();
  }

  /**
   * The job may start.
   *
   * @param gpuIndex the GPU it fits on (the one with the most free memory), or null when no GPU is
   *     listed
   */
  public record Accept(@Nullable Integer gpuIndex, String reason) implements Decision {
    /** Rejects a null reason. */
    public Accept {
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * The job does not fit; the reason reads {@code insufficient free VRAM: need 9.5 GB, largest free
   * 6.1 GB on GPU 0}.
   */
  public record Reject(String reason) implements Decision {
    /** Rejects a null reason. */
    public Reject {
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * Decides.
   *
   * @param snapshot the GPUs, best read just now ({@link GpuInventory#refresh})
   * @param vramGbEstimate what the job says it needs, in GB; not negative
   * @param marginGb kept free on top of the estimate, in GB; not negative
   * @throws IllegalArgumentException for a negative or non-finite estimate or margin
   */
  public static Decision decide(GpuSnapshot snapshot, double vramGbEstimate, double marginGb) {
    Objects.requireNonNull(snapshot, "snapshot");
    requireAmount(vramGbEstimate, "vramGbEstimate");
    requireAmount(marginGb, "marginGb");
    if (snapshot.devices().isEmpty()) {
      return new Accept(null, "no GPU listed; free VRAM not checked");
    }
    double needGb = vramGbEstimate + marginGb;
    // Multiplying by 2^30 is exact in binary floating point; ceil keeps "need" from rounding down.
    long needBytes = (long) Math.ceil(needGb * BYTES_PER_GB);
    GpuDevice largest = null;
    GpuDevice unknown = null;
    for (GpuDevice device : snapshot.devices()) {
      Long free = device.freeBytes();
      if (free == null) {
        if (unknown == null) {
          unknown = device;
        }
      } else if (largest == null || free > requireFree(largest)) {
        largest = device;
      }
    }
    String need = gb(BigDecimal.valueOf(needGb), RoundingMode.CEILING);
    if (largest != null && requireFree(largest) >= needBytes) {
      return new Accept(
          largest.index(),
          "fits on GPU "
              + largest.index()
              + ": need "
              + need
              + " GB, free "
              + freeGb(requireFree(largest))
              + " GB");
    }
    if (unknown != null) {
      return new Accept(
          unknown.index(),
          "free VRAM of GPU " + unknown.index() + " is unknown; need " + need + " GB not checked");
    }
    GpuDevice best = Objects.requireNonNull(largest, "a GPU with known free memory");
    return new Reject(
        "insufficient free VRAM: need "
            + need
            + " GB, largest free "
            + freeGb(requireFree(best))
            + " GB on GPU "
            + best.index());
  }

  private static long requireFree(GpuDevice device) {
    return Objects.requireNonNull(device.freeBytes(), "freeBytes");
  }

  /** Free memory rounded down, so a shown "free" never exceeds what is there. */
  private static String freeGb(long bytes) {
    return BigDecimal.valueOf(bytes)
        .divide(BYTES_PER_GB_DECIMAL, 1, RoundingMode.FLOOR)
        .toPlainString();
  }

  private static String gb(BigDecimal value, RoundingMode rounding) {
    return value.setScale(1, rounding).toPlainString();
  }

  private static void requireAmount(double gb, String name) {
    if (!Double.isFinite(gb) || gb < 0) {
      throw new IllegalArgumentException(name + " must be a finite, non-negative number: " + gb);
    }
  }
}
