package org.studioworker.runtime.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.studioworker.gpu.GpuDevice;
import org.studioworker.gpu.GpuInventory;
import org.studioworker.gpu.GpuSnapshot;

/** The status's GPUs: read at most once a second however often asked. */
final class CachedGpuReadingTest {
  private final AtomicReference<Instant> now =
      new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
  private final InstantSource clock = now::get;
  private final AtomicInteger reads = new AtomicInteger();
  private final AtomicReference<Long> free = new AtomicReference<>(4L << 30);

  /** An inventory of one GPU whose free memory the test sets; it counts the reads. */
  private final GpuInventory inventory =
      new GpuInventory() {
        @Override
        public GpuSnapshot snapshot() {
          return reading();
        }

        @Override
        public GpuSnapshot refresh(Duration maxWait) {
          reads.incrementAndGet();
          return reading();
        }

        @Override
        public void close() {}

        private GpuSnapshot reading() {
          return new GpuSnapshot(
              "test",
              List.of(
                  new GpuDevice(0, "Test GPU", "GPU-1", 8L << 30, free.get(), null, null, null)),
              null,
              null,
              now.get());
        }
      };

  private final CachedGpuReading cached = new CachedGpuReading(inventory, clock);

  @Test
  void manyAsksWithinASecondReadOnce() {
    for (int i = 0; i < 50; i++) {
      assertThat(cached.devices())
          .singleElement()
          .extracting(GpuDevice::freeBytes)
          .isEqualTo(4L << 30);
      now.updateAndGet(t -> t.plusMillis(10));
    }

    assertThat(reads.get()).isEqualTo(1);
  }

  @Test
  void aSecondLaterTheGpuIsReadAgain() {
    cached.devices();
    free.set(1L << 30);
    now.updateAndGet(t -> t.plus(CachedGpuReading.MAX_AGE));

    assertThat(cached.devices())
        .singleElement()
        .extracting(GpuDevice::freeBytes)
        .isEqualTo(1L << 30);
    assertThat(reads.get()).isEqualTo(2);
  }
}
