package org.studioworker.gpu;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of reading GPUs through the binding, against the fake two-GPU library: one full
 * inventory refresh (a hop to the native thread and 13 downcalls), one memory read on the calling
 * thread, and one {@code snapshot()}.
 *
 * <p>Public because JMH's generated code extends it; never run by {@code ./mvnw verify} (its name
 * does not end in Test). How to run it: {@code docs/gpu.md}. Needs gcc, like the tests.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class NvmlRefreshBenchmark {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private Path dir;
  private FakeNvml fake;
  private GpuInventory inventory;
  private NvmlLibrary direct;
  private MemorySegment device;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    dir = Files.createTempDirectory("nvml-benchmark");
    fake = FakeNvml.build(dir, false);
    DetectSettings settings =
        new DetectSettings(
            fake.library(),
            DetectSettings.LIBRARY_ENV,
            "libstudio-worker-absent.so.1",
            List.of(),
            dir.resolve("no-sysfs"),
            InstantSource.system(),
            Duration.ZERO,
            Duration.ofSeconds(60),
            WAIT);
    inventory = GpuInventories.detect(settings).inventory();
    if (inventory.snapshot().devices().size() != 2) {
      throw new IllegalStateException("the fake did not list two GPUs: " + inventory.snapshot());
    }
    if (!(NvmlLocator.locate(settings) instanceof NvmlLocator.Found(NvmlLibrary library))) {
      throw new IllegalStateException("the fake library could not be bound a second time");
    }
    direct = library;
    direct.init();
    device = direct.deviceHandle(0);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    direct.shutdown();
    direct.close();
    inventory.close();
    fake.close();
  }

  /** One full refresh of both GPUs, waited for by the caller. */
  @Benchmark
  public GpuSnapshot refresh() {
    return inventory.refresh(WAIT);
  }

  /** One {@code nvmlDeviceGetMemoryInfo_v2} downcall, on the benchmark thread. */
  @Benchmark
  public long memoryRead() throws Exception {
    return direct.memory(device).free();
  }

  /** What every other thread pays: a volatile read. */
  @Benchmark
  public GpuSnapshot snapshot() {
    return inventory.snapshot();
  }
}
