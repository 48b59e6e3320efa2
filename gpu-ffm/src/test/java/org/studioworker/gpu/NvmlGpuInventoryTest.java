package org.studioworker.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.studioworker.gpu.FakeNvml.GIB;
import static org.studioworker.gpu.FakeNvml.MIB;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real binding and inventory against the fake libnvidia-ml.so.1, loaded by explicit path. */
final class NvmlGpuInventoryTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Duration RETRY = Duration.ofSeconds(60);

  @TempDir static Path dir;

  private static FakeNvml fake;
  private static FakeNvml legacy;

  private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));

  @BeforeAll
  static void compileFakes() throws Exception {
    Assumptions.assumeTrue(FakeNvml.gccAvailable(), FakeNvml.NO_GCC);
    fake = FakeNvml.build(dir.resolve("current"), false);
    legacy = FakeNvml.build(dir.resolve("legacy"), true);
  }

  @AfterAll
  static void closeFakes() {
    if (fake != null) {
      fake.close();
    }
    if (legacy != null) {
      legacy.close();
    }
  }

  @BeforeEach
  void resetFakes() {
    fake.reset();
    legacy.reset();
  }

  private GpuDetection detect(FakeNvml library) throws Exception {
    Path emptySysfs = Files.createDirectories(dir.resolve("empty-sysfs"));
    return GpuInventories.detect(
        new DetectSettings(
            library.library(),
            DetectSettings.LIBRARY_ENV,
            "libstudio-worker-absent.so.1",
            List.of(),
            emptySysfs,
            clock,
            Duration.ZERO,
            RETRY,
            WAIT));
  }

  @Test
  void readsTwoGpusWithTheV2MemoryNumbers() throws Exception {
    GpuDetection detection = detect(fake);
    try (GpuInventory inventory = detection.inventory()) {
      GpuSnapshot snapshot = inventory.snapshot();

      assertThat(detection.warning()).isNull();
      assertThat(detection.summary())
          .isEqualTo(
              "NVML 550.54.15 from STUDIO_WORKER_NVML_LIB=" + fake.library() + ": 2 GPUs, 32.0 GB");
      assertThat(snapshot.source()).isEqualTo("nvml");
      assertThat(snapshot.driverVersion()).isEqualTo("550.54.15");
      assertThat(snapshot.note()).isNull();
      assertThat(snapshot.readAt()).isEqualTo(clock.instant());
      assertThat(snapshot.devices())
          .containsExactly(
              new GpuDevice(
                  0,
                  "Fake GPU 24GB",
                  "GPU-00000000-1111-2222-3333-444444444444",
                  24 * GIB,
                  20 * GIB,
                  24 * GIB - 512 * MIB - 20 * GIB,
                  37,
                  62),
              new GpuDevice(
                  1,
                  "Fake \"Quoted\" GPU 8GB",
                  "GPU-55555555-6666-7777-8888-999999999999",
                  8 * GIB,
                  6 * GIB,
                  8 * GIB - 256 * MIB - 6 * GIB,
                  5,
                  46));
      assertThat(snapshot.totalGb()).isEqualTo(32.0);
    }
  }

  @Test
  void libraryWithoutV2SymbolsFallsBackToTheClassicCalls() throws Exception {
    try (GpuInventory inventory = detect(legacy).inventory()) {
      GpuDevice first = inventory.snapshot().devices().getFirst();

      // nvmlMemory_t counts the reserved 512 MiB as used; the classic temperature call answers.
      assertThat(first.totalBytes()).isEqualTo(24 * GIB);
      assertThat(first.freeBytes()).isEqualTo(20 * GIB);
      assertThat(first.usedBytes()).isEqualTo(4 * GIB);
      assertThat(first.temperatureCelsius()).isEqualTo(61);
      assertThat(((NvmlGpuInventory) inventory).memorySymbol())
          .isEqualTo("nvmlDeviceGetMemoryInfo");
    }
  }

  @Test
  void v2MemoryRefusedByVersionFallsBackToV1ForThatRead() throws Exception {
    fake.setMemoryV2Result(FakeNvml.ARGUMENT_VERSION_MISMATCH);
    try (GpuInventory inventory = detect(fake).inventory()) {
      GpuDevice first = inventory.snapshot().devices().getFirst();

      assertThat(first.usedBytes()).isEqualTo(4 * GIB);
      assertThat(inventory.snapshot().note()).isNull();
    }
  }

  @Test
  void notSupportedUtilisationDegradesThatFieldNotTheDevice() throws Exception {
    fake.setUtilizationResult(FakeNvml.NOT_SUPPORTED);
    try (GpuInventory inventory = detect(fake).inventory()) {
      GpuSnapshot snapshot = inventory.snapshot();

      assertThat(snapshot.devices()).hasSize(2);
      assertThat(snapshot.devices()).allSatisfy(d -> assertThat(d.utilisationPercent()).isNull());
      assertThat(snapshot.devices()).allSatisfy(d -> assertThat(d.freeBytes()).isNotNull());
      assertThat(snapshot.devices().getFirst().temperatureCelsius()).isEqualTo(62);
      assertThat(snapshot.note()).isNull();
    }
  }

  @Test
  void otherTemperatureFailureIsNamedInTheNoteAndLeavesTheFieldUnknown() throws Exception {
    fake.setTemperatureResult(FakeNvml.UNKNOWN);
    try (GpuInventory inventory = detect(fake).inventory()) {
      GpuSnapshot snapshot = inventory.snapshot();

      assertThat(snapshot.devices()).hasSize(2);
      assertThat(snapshot.devices()).allSatisfy(d -> assertThat(d.temperatureCelsius()).isNull());
      assertThat(snapshot.note())
          .contains(
              "GPU 0: nvmlDeviceGetTemperatureV failed: Unknown Error (NVML_ERROR_UNKNOWN = 999)");
    }
  }

  @Test
  void freeMemoryIsReadAgainOnRefreshAndOnlyThen() throws Exception {
    try (GpuInventory inventory = detect(fake).inventory()) {
      assertThat(inventory.snapshot().devices().getFirst().freeBytes()).isEqualTo(20 * GIB);

      fake.setFree(0, 3 * GIB);
      assertThat(inventory.snapshot().devices().getFirst().freeBytes()).isEqualTo(20 * GIB);

      GpuSnapshot fresh = inventory.refresh(WAIT);
      assertThat(fresh.devices().getFirst().freeBytes()).isEqualTo(3 * GIB);
      assertThat(fresh.devices().getFirst().usedBytes()).isEqualTo(24 * GIB - 512 * MIB - 3 * GIB);
      assertThat(inventory.snapshot()).isSameAs(fresh);
    }
  }

  @Test
  void driverNotLoadedGivesNoGpuWithTheReasonThenRetriesAtTheCadence() throws Exception {
    fake.setInitResult(FakeNvml.DRIVER_NOT_LOADED);
    GpuDetection detection = detect(fake);
    try (GpuInventory inventory = detection.inventory()) {
      String why =
          "nvmlInit_v2 failed: Driver Not Loaded (NVML_ERROR_DRIVER_NOT_LOADED = 9); NVML is"
              + " tried again every 60 s";
      assertThat(inventory.snapshot().source()).isEqualTo("none");
      assertThat(inventory.snapshot().devices()).isEmpty();
      assertThat(inventory.snapshot().note()).isEqualTo(why);
      assertThat(detection.warning())
          .isEqualTo("NVML from STUDIO_WORKER_NVML_LIB=" + fake.library() + ": " + why);
      assertThat(fake.initCalls()).isEqualTo(1);

      // The driver loads; refreshes before the cadence do not call nvmlInit again.
      fake.setInitResult(0);
      clock.advance(RETRY.minusSeconds(1));
      assertThat(inventory.refresh(WAIT).devices()).isEmpty();
      assertThat(inventory.refresh(WAIT).devices()).isEmpty();
      assertThat(fake.initCalls()).isEqualTo(1);

      clock.advance(Duration.ofSeconds(1));
      GpuSnapshot recovered = inventory.refresh(WAIT);
      assertThat(recovered.source()).isEqualTo("nvml");
      assertThat(recovered.devices()).hasSize(2);
      assertThat(fake.initCalls()).isEqualTo(2);
    }
    assertThat(fake.initDepth()).isZero();
  }

  @Test
  void everyNativeCallRunsOnTheOneNvmlThread() throws Exception {
    try (GpuInventory inventory = detect(fake).inventory();
        ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<GpuSnapshot>> reads =
          List.of(
              callers.submit(() -> inventory.refresh(WAIT)),
              callers.submit(() -> inventory.refresh(WAIT)),
              callers.submit(() -> inventory.refresh(WAIT)));
      for (Future<GpuSnapshot> read : reads) {
        assertThat(read.get(WAIT.toSeconds(), TimeUnit.SECONDS).devices()).hasSize(2);
      }
      inventory.refresh(WAIT);
    }
    // Init, reads from four callers, and the shutdown in close(): one native thread in all.
    assertThat(fake.threadCount()).isEqualTo(1);
  }

  @Test
  void closeShutsNvmlDownOnceAndLeavesTheLastSnapshotReadable() throws Exception {
    GpuInventory inventory = detect(fake).inventory();
    GpuSnapshot last = inventory.snapshot();
    assertThat(fake.initDepth()).isEqualTo(1);

    inventory.close();
    inventory.close();

    assertThat(fake.initDepth()).isZero();
    assertThat(fake.shutdownCalls()).isEqualTo(1);
    assertThat(inventory.snapshot()).isSameAs(last);
    assertThat(inventory.refresh(WAIT)).isSameAs(last);
  }

  @Test
  void meanMemoryReadIsMeasuredOnTheNativeThread() throws Exception {
    try (GpuInventory inventory = detect(fake).inventory()) {
      long before = fake.memoryCalls();

      Double mean = ((NvmlGpuInventory) inventory).meanMemoryReadNanos(0, 1_000, WAIT);

      assertThat(mean).isNotNull().isPositive();
      assertThat(fake.memoryCalls() - before).isEqualTo(2_000);
    }
    assertThat(fake.threadCount()).isEqualTo(1);
  }
}
