package org.studioworker.runtime.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.studioworker.protocol.LogEntry;
import org.studioworker.protocol.LogLevel;

final class LogShipQueueTest {
  private static final InstantSource CLOCK =
      InstantSource.fixed(Instant.parse("2026-01-02T03:04:05Z"));

  private static LogEntry entry(int n) {
    return new LogEntry(CLOCK.instant(), LogLevel.INFO, "test", "entry " + n, null);
  }

  @Test
  void overflowDropsOldestAndTheNextBatchStartsWithOneCountingMarker() {
    LogShipQueue queue = new LogShipQueue(3, CLOCK);
    for (int i = 1; i <= 5; i++) {
      queue.offer(entry(i));
    }

    List<LogEntry> batch = queue.drain(10);

    assertThat(batch).hasSize(4);
    assertThat(batch.getFirst().level()).isEqualTo(LogLevel.WARN);
    assertThat(batch.getFirst().category()).isEqualTo("logs");
    assertThat(batch.getFirst().message()).contains("dropped 2 oldest entries");
    assertThat(batch.subList(1, 4)).containsExactly(entry(3), entry(4), entry(5));
    assertThat(queue.drain(10)).isEmpty();
  }

  @Test
  void unsentBatchGoesBackToTheFrontInOrder() {
    LogShipQueue queue = new LogShipQueue(10, CLOCK);
    for (int i = 1; i <= 4; i++) {
      queue.offer(entry(i));
    }
    List<LogEntry> batch = queue.drain(2);
    queue.offer(entry(5));

    queue.restore(batch);

    assertThat(queue.drain(10)).containsExactly(entry(1), entry(2), entry(3), entry(4), entry(5));
  }

  @Test
  void restoreIntoAFullQueueDropsTheOldestAndCountsThem() {
    LogShipQueue queue = new LogShipQueue(3, CLOCK);
    queue.offer(entry(1));
    queue.offer(entry(2));
    List<LogEntry> batch = queue.drain(2);
    queue.offer(entry(3));
    queue.offer(entry(4));

    queue.restore(batch);

    List<LogEntry> next = queue.drain(10);
    assertThat(next.getFirst().message()).contains("dropped 1 oldest entries");
    assertThat(next.subList(1, next.size())).containsExactly(entry(2), entry(3), entry(4));
  }

  @Test
  void droppedCountOnlyGrowsAndAMarkerRestoredIsNotANewDrop() {
    LogShipQueue queue = new LogShipQueue(3, CLOCK);
    for (int i = 1; i <= 5; i++) {
      queue.offer(entry(i));
    }
    assertThat(queue.droppedCount()).isEqualTo(2);

    List<LogEntry> batch = queue.drain(10);
    assertThat(queue.droppedCount()).isEqualTo(2);
    queue.offer(entry(6));
    // Back in: the marker turns into its count again, entries 5 and 4 fit, entry 3 is dropped.
    queue.restore(batch);

    assertThat(queue.droppedCount()).isEqualTo(3);
    assertThat(queue.pendingDrops()).isEqualTo(3);
  }

  @Test
  void neverHoldsMoreThanCapacityAndLosesNothingUncounted() {
    qt().withExamples(300)
        .forAll(
            integers().between(1, 50), lists().of(integers().between(0, 3)).ofSizeBetween(0, 400))
        .checkAssert(
            (capacity, operations) -> {
              LogShipQueue queue = new LogShipQueue(capacity, CLOCK);
              List<LogEntry> delivered = new ArrayList<>();
              long offered = 0;
              long reportedDrops = 0;
              int next = 0;
              for (int op : operations) {
                switch (op) {
                  case 0, 1 -> {
                    queue.offer(entry(next++));
                    offered++;
                  }
                  case 2 -> {
                    for (LogEntry e : queue.drain(7)) {
                      if (e.category().equals("logs")) {
                        reportedDrops += Long.parseLong(e.message().replaceAll("\\D", ""));
                      } else {
                        delivered.add(e);
                      }
                    }
                  }
                  default -> queue.restore(queue.drain(5));
                }
                assertThat(queue.size()).isLessThanOrEqualTo(capacity);
              }
              long left = queue.size();
              long pendingDrops = queue.pendingDrops();
              assertThat(delivered.size() + left + reportedDrops + pendingDrops).isEqualTo(offered);
              List<Integer> numbers =
                  delivered.stream().map(e -> Integer.parseInt(e.message().substring(6))).toList();
              assertThat(numbers).isSorted();
            });
  }
}
