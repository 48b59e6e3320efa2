package org.studioworker.runtime.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.studioworker.protocol.FrameCodec;
import org.studioworker.protocol.LogEntry;
import org.studioworker.protocol.LogLevel;
import org.studioworker.protocol.WorkerFrame;
import org.studioworker.runtime.logs.LogShipQueue;

/** The shipper loses no entry below the queue's cap, whatever happens to the socket. */
final class LogShipperTest {
  private static final InstantSource CLOCK =
      InstantSource.fixed(Instant.parse("2026-01-02T03:04:05Z"));
  private static final FrameCodec CODEC = new FrameCodec();

  private static LogEntry entry(int n) {
    return new LogEntry(CLOCK.instant(), LogLevel.INFO, "test", "entry " + n, null);
  }

  @Test
  void shipperInterruptedWhileWaitingForTheSendLockRestoresItsBatch() throws Exception {
    LogShipQueue queue = new LogShipQueue(100, CLOCK);
    for (int i = 0; i < 7; i++) {
      queue.offer(entry(i));
    }
    LogShipper shipper = new LogShipper(queue, CODEC);
    CountDownLatch waiting = new CountDownLatch(1);
    CompletableFuture<Throwable> ended = new CompletableFuture<>();
    // The sender stands for a socket whose send lock another send holds: it blocks until the
    // attempt ends and interrupts the shipper.
    Thread pump =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    shipper.flushOnce(
                        text -> {
                          waiting.countDown();
                          new CountDownLatch(1).await();
                          return null;
                        });
                    ended.complete(new AssertionError("returned without being interrupted"));
                  } catch (Throwable t) {
                    ended.complete(t);
                  }
                });
    assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(queue.size()).isZero(); // the batch is out of the queue, in the shipper's hands

    pump.interrupt();

    assertThat(ended.get(10, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
    assertThat(queue.size()).isEqualTo(7);
    assertThat(queue.drain(100)).extracting(LogEntry::message).startsWith("entry 0", "entry 1");
  }

  @Test
  void frameThatCannotBeEncodedPutsTheBatchBack() throws Exception {
    LogShipQueue queue = new LogShipQueue(100, CLOCK);
    queue.offer(entry(1));
    LogShipper shipper = new LogShipper(queue, CODEC);

    boolean sent =
        shipper.flushOnce(
            text -> {
              throw new IllegalArgumentException("over the frame limit");
            });

    assertThat(sent).isFalse();
    assertThat(queue.size()).isEqualTo(1);
  }

  /**
   * Across attempts: entries are logged, batches are sent, fail, or are cut off by the end of an
   * attempt, in any order. While the queue never overflows, every entry reaches the studio exactly
   * once and in order.
   */
  @Test
  void belowTheCapEveryEntryIsShippedExactlyOnceInOrderAcrossAttempts() {
    qt().withExamples(300)
        .forAll(lists().of(integers().between(0, 9)).ofSizeBetween(1, 200))
        .checkAssert(
            steps -> {
              LogShipQueue queue = new LogShipQueue(10_000, CLOCK);
              LogShipper shipper = new LogShipper(queue, CODEC);
              List<String> shipped = new ArrayList<>();
              int logged = 0;
              try {
                for (int step : steps) {
                  switch (step) {
                    case 0, 1, 2, 3 -> {
                      for (int i = 0; i <= step; i++) {
                        queue.offer(entry(logged++));
                      }
                    }
                    case 4, 5 -> shipper.flushOnce(text -> ship(text, shipped));
                    case 6 -> shipper.flushOnce(text -> "the socket is closed");
                    case 7 -> {
                      try {
                        shipper.flushOnce(
                            text -> {
                              throw new InterruptedException("the attempt ended");
                            });
                      } catch (InterruptedException e) {
                        // The attempt ended; the next one starts with the same queue.
                      }
                    }
                    default -> shipper.flushAll(text -> ship(text, shipped));
                  }
                }
                shipper.flushAll(text -> ship(text, shipped));
              } catch (InterruptedException e) {
                throw new AssertionError(e);
              }
              List<String> expected = new ArrayList<>();
              for (int i = 0; i < logged; i++) {
                expected.add("entry " + i);
              }
              assertThat(shipped).containsExactlyElementsOf(expected);
              assertThat(queue.size()).isZero();
            });
  }

  @Test
  void sentBatchesStayUnconfirmedUntilAnAckAndGoBackWhenTheSocketIsLost() throws Exception {
    LogShipQueue queue = new LogShipQueue(100, CLOCK);
    for (int i = 0; i < 5; i++) {
      queue.offer(entry(i));
    }
    LogShipper shipper = new LogShipper(queue, CODEC);
    List<String> halfOpen = new ArrayList<>(); // a socket that takes frames nobody reads

    assertThat(shipper.flushOnce(text -> ship(text, halfOpen))).isTrue();
    assertThat(queue.size()).isZero();
    assertThat(shipper.unconfirmedEntries()).isEqualTo(5);

    shipper.requeueUnconfirmed();

    assertThat(shipper.unconfirmedEntries()).isZero();
    assertThat(queue.drain(100))
        .extracting(LogEntry::message)
        .containsExactly("entry 0", "entry 1", "entry 2", "entry 3", "entry 4");
  }

  @Test
  void onlyTheAckOfAHeartbeatSentAfterABatchConfirmsIt() throws Exception {
    LogShipQueue queue = new LogShipQueue(100, CLOCK);
    LogShipper shipper = new LogShipper(queue, CODEC);
    List<String> studio = new ArrayList<>();
    long beatBefore = System.nanoTime();
    queue.offer(entry(1));
    shipper.flushOnce(text -> ship(text, studio));

    shipper.heartbeatAcked(beatBefore);
    assertThat(shipper.unconfirmedEntries()).isEqualTo(1);

    shipper.heartbeatAcked(System.nanoTime());
    assertThat(shipper.unconfirmedEntries()).isZero();
    shipper.requeueUnconfirmed();
    assertThat(queue.size()).isZero();
  }

  @Test
  void aStudioThatNeverAcksCannotGrowTheUnconfirmedListPastTheQueueCapacity() throws Exception {
    LogShipQueue queue = new LogShipQueue(LogShipQueue.DEFAULT_CAPACITY, CLOCK);
    LogShipper shipper = new LogShipper(queue, CODEC);
    List<String> sink = new ArrayList<>();
    for (int round = 0; round < 30; round++) {
      for (int i = 0; i < LogShipQueue.MAX_BATCH; i++) {
        queue.offer(entry(i));
      }
      shipper.flushAll(text -> ship(text, sink));
    }

    assertThat(shipper.unconfirmedEntries()).isLessThanOrEqualTo(LogShipQueue.DEFAULT_CAPACITY);
  }

  /**
   * Sockets that read, sockets that are half-open (they take frames nobody reads), acks and losses
   * in any order: below the cap every entry reaches a reading socket at least once, and entries
   * first arrive in the order they were logged.
   */
  @Test
  void belowTheCapEveryEntryArrivesAtLeastOnceInOrderAcrossHalfOpenSockets() {
    qt().withExamples(300)
        .forAll(lists().of(integers().between(0, 9)).ofSizeBetween(1, 200))
        .checkAssert(
            steps -> {
              LogShipQueue queue = new LogShipQueue(10_000, CLOCK);
              LogShipper shipper = new LogShipper(queue, CODEC);
              List<String> arrived = new ArrayList<>();
              List<String> swallowed = new ArrayList<>();
              boolean[] reading = {true};
              int logged = 0;
              LogShipper.Sender socket = text -> ship(text, reading[0] ? arrived : swallowed);
              try {
                for (int step : steps) {
                  switch (step) {
                    case 0, 1, 2 -> queue.offer(entry(logged++));
                    case 3, 4 -> shipper.flushOnce(socket);
                    case 5, 6 -> {
                      // A heartbeat goes out now; only a reading socket answers it.
                      if (reading[0]) {
                        shipper.heartbeatAcked(System.nanoTime());
                      }
                    }
                    case 7 -> {
                      shipper.requeueUnconfirmed(); // the socket is lost; the next one...
                      reading[0] = !reading[0]; // ...reads, or is half-open
                    }
                    default -> shipper.flushAll(socket);
                  }
                }
                shipper.requeueUnconfirmed();
                reading[0] = true;
                shipper.flushAll(socket);
              } catch (InterruptedException e) {
                throw new AssertionError(e);
              }
              List<String> firstArrivals = arrived.stream().distinct().toList();
              List<String> expected = new ArrayList<>();
              for (int i = 0; i < logged; i++) {
                expected.add("entry " + i);
              }
              assertThat(firstArrivals).containsExactlyElementsOf(expected);
            });
  }

  private static @org.jspecify.annotations.Nullable String ship(String text, List<String> shipped) {
    try {
      WorkerFrame.LogBatch batch = (WorkerFrame.LogBatch) new FrameCodec().decodeWorkerFrame(text);
      batch.entries().forEach(e -> shipped.add(e.message()));
      return null;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
