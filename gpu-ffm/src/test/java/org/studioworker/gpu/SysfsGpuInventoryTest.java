package org.studioworker.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class SysfsGpuInventoryTest {
  private static final long GIB = 1L << 30;

  @TempDir Path dir;

  private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));

  @Test
  void readsAmdCardsAndSkipsConnectorsAndCardsWithoutVramFiles() throws Exception {
    new SysfsTree(dir)
        .file("card0", "mem_info_vram_total", String.valueOf(16 * GIB))
        .file("card0", "mem_info_vram_used", String.valueOf(4 * GIB))
        .file("card0", "gpu_busy_percent", "40")
        .file("card0", "product_name", "AMD Radeon RX 6800")
        .file("card0", "hwmon/hwmon3/temp1_input", "55000")
        .connector("card0-DP-1")
        .file("card1", "vendor", "0x10de")
        .file("card10", "mem_info_vram_total", String.valueOf(8 * GIB))
        .file("card10", "vendor", "0x1002")
        .file("card10", "device", "0x73bf")
        .file("card2", "mem_info_vram_total", String.valueOf(2 * GIB))
        .file("card2", "mem_info_vram_used", "not a number");

    try (SysfsGpuInventory inventory = new SysfsGpuInventory(dir, clock)) {
      GpuSnapshot snapshot = inventory.snapshot();

      assertThat(snapshot.source()).isEqualTo("sysfs");
      assertThat(snapshot.note()).isNull();
      assertThat(snapshot.devices())
          .containsExactly(
              new GpuDevice(0, "AMD Radeon RX 6800", null, 16 * GIB, 12 * GIB, 4 * GIB, 40, 55),
              new GpuDevice(2, "unknown vendor GPU", null, 2 * GIB, null, null, null, null),
              new GpuDevice(10, "AMD GPU 0x73bf", null, 8 * GIB, null, null, null, null));
    }
  }

  @Test
  void refreshReadsUsedMemoryAgain() throws Exception {
    SysfsTree tree =
        new SysfsTree(dir)
            .file("card0", "mem_info_vram_total", String.valueOf(16 * GIB))
            .file("card0", "mem_info_vram_used", String.valueOf(4 * GIB));
    try (SysfsGpuInventory inventory = new SysfsGpuInventory(dir, clock)) {
      tree.file("card0", "mem_info_vram_used", String.valueOf(15 * GIB));
      assertThat(inventory.snapshot().devices().getFirst().freeBytes()).isEqualTo(12 * GIB);

      clock.advance(Duration.ofSeconds(1));
      GpuSnapshot fresh = inventory.refresh(Duration.ofSeconds(1));

      assertThat(fresh.devices().getFirst().freeBytes()).isEqualTo(GIB);
      assertThat(fresh.readAt()).isEqualTo(clock.instant());
      assertThat(inventory.snapshot()).isSameAs(fresh);
    }
  }

  @Test
  void missingRootListsNoGpuAndSaysWhy() {
    Path absent = dir.resolve("no-such-drm");
    try (SysfsGpuInventory inventory = new SysfsGpuInventory(absent, clock)) {
      assertThat(inventory.snapshot().source()).isEqualTo("none");
      assertThat(inventory.snapshot().devices()).isEmpty();
      assertThat(inventory.snapshot().note())
          .isEqualTo("no card in " + absent + " reports mem_info_vram_total");
    }
  }
}
