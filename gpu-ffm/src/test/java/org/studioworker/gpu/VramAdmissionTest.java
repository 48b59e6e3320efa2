package org.studioworker.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

final class VramAdmissionTest {
  private static final long GIB = 1L << 30;

  private static GpuSnapshot gpus(GpuDevice... devices) {
    return new GpuSnapshot("nvml", List.of(devices), "550.54.15", null, Instant.EPOCH);
  }

  private static GpuDevice gpu(int index, @Nullable Long freeBytes) {
    return new GpuDevice(index, "GPU " + index, null, 24 * GIB, freeBytes, null, null, null);
  }

  /** The smallest byte count that is at least {@code gb} GiB. */
  private static long gib(double gb) {
    return (long) Math.ceil(gb * GIB);
  }

  @Test
  void exactlyTheNeededFreeMemoryFits() {
    VramAdmission.Decision decision = VramAdmission.decide(gpus(gpu(0, 8 * GIB)), 7.5, 0.5);

    assertThat(decision)
        .isEqualTo(new VramAdmission.Accept(0, "fits on GPU 0: need 8.0 GB, free 8.0 GB"));
  }

  @Test
  void oneByteShortIsRejectedWithTheLargestFreeRoundedDown() {
    VramAdmission.Decision decision = VramAdmission.decide(gpus(gpu(0, 8 * GIB - 1)), 7.5, 0.5);

    assertThat(decision)
        .isEqualTo(
            new VramAdmission.Reject(
                "insufficient free VRAM: need 8.0 GB, largest free 7.9 GB on GPU 0"));
  }

  @Test
  void theMarginIsAddedToTheEstimate() {
    GpuSnapshot snapshot = gpus(gpu(0, 9 * GIB));

    assertThat(VramAdmission.decide(snapshot, 8.6, 0.0)).isInstanceOf(VramAdmission.Accept.class);
    assertThat(VramAdmission.decide(snapshot, 8.6, 0.5).reason())
        .isEqualTo("insufficient free VRAM: need 9.1 GB, largest free 9.0 GB on GPU 0");
  }

  @Test
  void rejectionNamesTheGpuWithTheMostFreeMemory() {
    GpuSnapshot snapshot = gpus(gpu(0, 2 * GIB), gpu(1, gib(6.1)), gpu(2, 5 * GIB));

    assertThat(VramAdmission.decide(snapshot, 9.0, 0.5))
        .isEqualTo(
            new VramAdmission.Reject(
                "insufficient free VRAM: need 9.5 GB, largest free 6.1 GB on GPU 1"));
  }

  @Test
  void acceptanceNamesTheGpuWithTheMostFreeMemory() {
    GpuSnapshot snapshot = gpus(gpu(0, 10 * GIB), gpu(1, 20 * GIB));

    assertThat(VramAdmission.decide(snapshot, 9.0, 0.5))
        .isEqualTo(new VramAdmission.Accept(1, "fits on GPU 1: need 9.5 GB, free 20.0 GB"));
  }

  @Test
  void aGpuWithUnknownFreeMemoryDoesNotBlock() {
    GpuSnapshot snapshot = gpus(gpu(0, GIB), gpu(1, null));

    assertThat(VramAdmission.decide(snapshot, 9.0, 0.5))
        .isEqualTo(
            new VramAdmission.Accept(1, "free VRAM of GPU 1 is unknown; need 9.5 GB not checked"));
  }

  @Test
  void noGpuListedAccepts() {
    GpuSnapshot none = new GpuSnapshot("none", List.of(), null, "no NVML", Instant.EPOCH);

    assertThat(VramAdmission.decide(none, 80.0, 1.0))
        .isEqualTo(new VramAdmission.Accept(null, "no GPU listed; free VRAM not checked"));
  }

  @Test
  void zeroEstimateWithoutMarginFitsAFullGpu() {
    assertThat(VramAdmission.decide(gpus(gpu(0, 0L)), 0.0, 0.0))
        .isInstanceOf(VramAdmission.Accept.class);
  }

  @Test
  void negativeOrNonFiniteAmountsAreRefused() {
    GpuSnapshot snapshot = gpus(gpu(0, GIB));

    assertThatThrownBy(() -> VramAdmission.decide(snapshot, -1.0, 0.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("vramGbEstimate");
    assertThatThrownBy(() -> VramAdmission.decide(snapshot, 1.0, Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("marginGb");
  }
}
