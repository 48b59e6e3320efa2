package org.studioworker.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

final class PinnedGpuInventoryTest {
  private static final long GIB = 1L << 30;
  private static final Instant AT = Instant.parse("2025-01-01T00:00:00Z");

  /** An inventory that answers what the test set last; counts closes. */
  private static final class SetInventory implements GpuInventory {
    volatile GpuSnapshot now;
    int closes;

    SetInventory(GpuSnapshot now) {
      this.now = now;
    }

    @Override
    public GpuSnapshot snapshot() {
      return now;
    }

    @Override
    public void close() {
      closes++;
    }
  }

  private static GpuDevice gpu(
      int index, String name, @Nullable String uuid, long total, long free) {
    return new GpuDevice(index, name, uuid, total, free, total - free, null, null);
  }

  private static GpuSnapshot twoGpus(long free0, long free1) {
    return new GpuSnapshot(
        "nvml",
        List.of(
            gpu(0, "Big", "GPU-aaa", 24 * GIB, free0), gpu(1, "Small", "GPU-bbb", 8 * GIB, free1)),
        "550.54.15",
        null,
        AT);
  }

  @Test
  void snapshotsHoldThePinnedGpuOnly() throws Exception {
    SetInventory all = new SetInventory(twoGpus(20 * GIB, 6 * GIB));

    try (PinnedGpuInventory pinned = PinnedGpuInventory.pin(all, GpuSelector.parse("1"))) {
      assertThat(pinned.device().uuid()).isEqualTo("GPU-bbb");
      GpuSnapshot snapshot = pinned.snapshot();
      assertThat(snapshot.devices()).extracting(GpuDevice::name).containsExactly("Small");
      assertThat(snapshot.totalGb()).isEqualTo(8.0);
      assertThat(snapshot.driverVersion()).isEqualTo("550.54.15");
      assertThat(pinned.refresh(Duration.ZERO).devices()).hasSize(1);
    }
    assertThat(all.closes).isEqualTo(1);
  }

  @Test
  void admissionSeesThePinnedGpusFreeMemoryOnly() throws Exception {
    // 20 GiB free on GPU 0 would take a 10 GB job; the pinned GPU 1 has 6 GiB.
    SetInventory all = new SetInventory(twoGpus(20 * GIB, 6 * GIB));
    PinnedGpuInventory pinned = PinnedGpuInventory.pin(all, GpuSelector.parse("GPU-BBB"));

    assertThat(VramAdmission.decide(pinned.snapshot(), 10.0, 0.5))
        .isInstanceOf(VramAdmission.Reject.class)
        .extracting(VramAdmission.Decision::reason)
        .isEqualTo("insufficient free VRAM: need 10.5 GB, largest free 6.0 GB on GPU 1");
    assertThat(VramAdmission.decide(pinned.snapshot(), 5.0, 0.5))
        .isInstanceOf(VramAdmission.Accept.class);
  }

  @Test
  void thePinFollowsTheUuidWhenTheGpusAreRenumbered() throws Exception {
    SetInventory all = new SetInventory(twoGpus(20 * GIB, 6 * GIB));
    PinnedGpuInventory pinned = PinnedGpuInventory.pin(all, GpuSelector.parse("1"));

    all.now =
        new GpuSnapshot(
            "nvml",
            List.of(
                gpu(0, "Small", "GPU-bbb", 8 * GIB, 5 * GIB),
                gpu(1, "Big", "GPU-aaa", 24 * GIB, 1)),
            null,
            null,
            AT);

    assertThat(pinned.snapshot().devices()).extracting(GpuDevice::name).containsExactly("Small");
  }

  @Test
  void aReadingWithoutThePinnedGpuHoldsNoneAndSaysSo() throws Exception {
    SetInventory all = new SetInventory(twoGpus(20 * GIB, 6 * GIB));
    PinnedGpuInventory pinned = PinnedGpuInventory.pin(all, GpuSelector.parse("0"));

    all.now = new GpuSnapshot("nvml", List.of(), null, "NVML failed", AT);

    assertThat(pinned.snapshot().devices()).isEmpty();
    assertThat(pinned.snapshot().note()).isEqualTo("GPU 0 is not in this reading; NVML failed");
  }

  @Test
  void aPinToAMissingGpuNamesTheGpusThereAre() {
    SetInventory all = new SetInventory(twoGpus(20 * GIB, 6 * GIB));

    assertThatThrownBy(() -> PinnedGpuInventory.pin(all, GpuSelector.parse("7")))
        .isInstanceOf(NoSuchGpuException.class)
        .hasMessage("no such GPU; this machine has GPU 0 (Big, GPU-aaa), GPU 1 (Small, GPU-bbb)");
    assertThatThrownBy(() -> PinnedGpuInventory.pin(all, GpuSelector.parse("GPU-ccc")))
        .isInstanceOf(NoSuchGpuException.class);
  }

  @Test
  void aPinOnAMachineWithoutGpusSaysWhy() {
    SetInventory none = new SetInventory(new GpuSnapshot("none", List.of(), null, "no NVML", AT));

    assertThatThrownBy(() -> PinnedGpuInventory.pin(none, GpuSelector.parse("0")))
        .hasMessage("no such GPU; this machine has no GPU (no NVML)");
  }
}
