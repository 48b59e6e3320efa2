package org.studioworker.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class GpuInventoriesTest {
  private static final long GIB = 1L << 30;
  private static final String ABSENT = "libstudio-worker-absent.so.1";

  @TempDir Path dir;

  private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));

  private DetectSettings settings(@Nullable Path explicit, Path sysfs) {
    return new DetectSettings(
        explicit,
        DetectSettings.LIBRARY_ENV,
        ABSENT,
        List.of(dir.resolve("lib64"), dir.resolve("lib")),
        sysfs,
        clock,
        Duration.ZERO,
        Duration.ofSeconds(60),
        Duration.ofSeconds(30));
  }

  @Test
  void noLibraryAndNoSysfsCardGivesNoGpuInventoryWithOneReason() {
    Path sysfs = dir.resolve("drm");

    GpuDetection detection = GpuInventories.detect(settings(null, sysfs));

    String why =
        "no NVML: "
            + ABSENT
            + " not found (looked in the system loader, "
            + dir.resolve("lib64")
            + ", "
            + dir.resolve("lib")
            + "); no card in "
            + sysfs
            + " reports mem_info_vram_total";
    assertThat(detection.inventory()).isInstanceOf(NoGpuInventory.class);
    assertThat(detection.warning()).isEqualTo("no GPU found: " + why);
    assertThat(detection.summary()).isEqualTo("no GPU: " + why);
    GpuSnapshot snapshot = detection.inventory().snapshot();
    assertThat(snapshot.source()).isEqualTo("none");
    assertThat(snapshot.devices()).isEmpty();
    assertThat(snapshot.note()).isEqualTo(why);
    assertThat(detection.inventory().refresh(Duration.ofSeconds(1))).isSameAs(snapshot);
  }

  @Test
  void noLibraryButAnAmdCardFallsBackToSysfs() throws Exception {
    SysfsTree tree =
        new SysfsTree(dir.resolve("drm"))
            .file("card0", "mem_info_vram_total", String.valueOf(16 * GIB))
            .file("card0", "mem_info_vram_used", String.valueOf(GIB));

    GpuDetection detection = GpuInventories.detect(settings(null, tree.root()));

    try (GpuInventory inventory = detection.inventory()) {
      assertThat(inventory).isInstanceOf(SysfsGpuInventory.class);
      assertThat(inventory.snapshot().devices().getFirst().freeBytes()).isEqualTo(15 * GIB);
      assertThat(detection.summary()).isEqualTo("sysfs " + tree.root() + ": 1 GPU, 16.0 GB");
      assertThat(detection.warning())
          .startsWith("no NVML: " + ABSENT + " not found")
          .endsWith("; GPU memory is read from sysfs instead");
    }
  }

  @Test
  void namedLibraryThatIsMissingIsReportedAndNothingElseIsTried() {
    Path named = dir.resolve("nowhere/libnvidia-ml.so.1");

    GpuDetection detection = GpuInventories.detect(settings(named, dir.resolve("drm")));

    assertThat(detection.inventory()).isInstanceOf(NoGpuInventory.class);
    assertThat(detection.warning())
        .startsWith("no GPU found: no NVML: STUDIO_WORKER_NVML_LIB=" + named + " cannot be used: ")
        .doesNotContain("system loader");
  }

  @Test
  void libraryFoundInASearchFolderWithoutNvmlSymbolsIsNamedInTheReason() throws Exception {
    Assumptions.assumeTrue(FakeNvml.gccAvailable(), FakeNvml.NO_GCC);
    Path notNvml =
        FakeNvml.compileOther(dir.resolve("lib"), ABSENT, "int not_nvml(void) { return 0; }\n");

    GpuDetection detection = GpuInventories.detect(settings(null, dir.resolve("drm")));

    assertThat(detection.inventory()).isInstanceOf(NoGpuInventory.class);
    assertThat(detection.warning())
        .contains(
            notNvml
                + ": nvmlInit_v2 or nvmlInit failed: symbol not found in "
                + notNvml
                + " (NVML_ERROR_FUNCTION_NOT_FOUND = 13)");
  }

  @Test
  void environmentNamesTheLibraryBeforeTheSystemPropertyAndBlankMeansUnset() {
    Properties properties = new Properties();
    properties.setProperty(DetectSettings.LIBRARY_PROPERTY, "/from/property/libnvidia-ml.so.1");

    DetectSettings fromEnv =
        DetectSettings.of(
            Map.of(DetectSettings.LIBRARY_ENV, "/from/env/libnvidia-ml.so.1"), properties);
    DetectSettings blankEnv =
        DetectSettings.of(Map.of(DetectSettings.LIBRARY_ENV, "  "), properties);
    DetectSettings neither = DetectSettings.of(Map.of(), new Properties());

    assertThat(fromEnv.explicitLibrary()).isEqualTo(Path.of("/from/env/libnvidia-ml.so.1"));
    assertThat(fromEnv.explicitFrom()).isEqualTo("STUDIO_WORKER_NVML_LIB");
    assertThat(blankEnv.explicitLibrary()).isEqualTo(Path.of("/from/property/libnvidia-ml.so.1"));
    assertThat(blankEnv.explicitFrom()).isEqualTo("studio.worker.nvml.lib");
    assertThat(neither.explicitLibrary()).isNull();
    assertThat(neither.loaderName()).isEqualTo("libnvidia-ml.so.1");
    assertThat(neither.searchDirs())
        .containsExactly(
            Path.of("/usr/local/nvidia/lib64"),
            Path.of("/usr/lib/x86_64-linux-gnu"),
            Path.of("/usr/lib64"));
    assertThat(neither.retryInitEvery()).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void searchFolderLibraryIsUsedWhenTheLoaderDoesNotFindOne() throws Exception {
    Assumptions.assumeTrue(FakeNvml.gccAvailable(), FakeNvml.NO_GCC);
    try (FakeNvml fake = FakeNvml.build(dir.resolve("build"), false)) {
      Files.createDirectories(dir.resolve("lib"));
      Files.copy(fake.library(), dir.resolve("lib").resolve(ABSENT));

      GpuDetection detection = GpuInventories.detect(settings(null, dir.resolve("drm")));

      try (GpuInventory inventory = detection.inventory()) {
        assertThat(detection.summary())
            .isEqualTo(
                "NVML 550.54.15 from " + dir.resolve("lib").resolve(ABSENT) + ": 2 GPUs, 32.0 GB");
        assertThat(inventory.snapshot().devices()).hasSize(2);
      }
    }
  }
}
