package org.studioworker.runtime.session;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.studioworker.protocol.FrameCodec;
import org.studioworker.protocol.LogEntry;
import org.studioworker.protocol.WorkerFrame;
import org.studioworker.runtime.logs.LogShipQueue;

/**
 * Moves log entries from the ship queue into {@code logBatch} frames without losing one: a batch
 * that is not sent, for whatever reason (a failed send, an encoding error, an interrupt while it
 * waited for the socket), goes back to the front of the queue.
 *
 * <p>A batch that was sent is not yet known to have arrived: a half-open socket takes frames that
 * nobody reads. The contract has no ack for {@code logBatch}, but the studio answers every
 * heartbeat, in order, on the same socket, so the ack of a heartbeat sent after a batch proves that
 * batch was read. Sent batches are kept until such an ack ({@link #heartbeatAcked}); when the
 * socket is lost they go back to the front of the queue ({@link #requeueUnconfirmed}) for the next
 * socket. Delivery is therefore at least once: a batch whose ack was lost with the socket is sent
 * twice. At most {@link LogShipQueue#DEFAULT_CAPACITY} unconfirmed entries are kept (a studio that
 * never acks would otherwise grow the list); past that the oldest count as delivered.
 *
 * <p>{@link #flushOnce} is called by the log-shipper pump and by the final flush, never both at
 * once (the session stops the pump before it flushes); the other methods by the session's reader.
 * Thread-safe; blocks only while sending.
 */
final class LogShipper {
  /** Sends one text frame; null when sent, else why not. */
  @FunctionalInterface
  interface Sender {
    @Nullable String send(String text) throws InterruptedException;
  }

  /** A sent batch and when its send returned. */
  private record Sent(long sentNanos, List<LogEntry> batch) {}

  private final LogShipQueue queue;
  private final FrameCodec codec;
  private final ReentrantLock lock = new ReentrantLock();

  /** Guarded by {@link #lock}: sent batches not yet confirmed, oldest first. */
  private final ArrayDeque<Sent> unconfirmed = new ArrayDeque<>();

  /** Guarded by {@link #lock}: the entries in {@link #unconfirmed}. */
  private int unconfirmedEntries;

  LogShipper(LogShipQueue queue, FrameCodec codec) {
    this.queue = queue;
    this.codec = codec;
  }

  /**
   * Sends one batch.
   *
   * @return true when a batch went out (more may wait), false when the queue was empty or the send
   *     failed (the batch is back in the queue)
   * @throws InterruptedException when interrupted before the batch went out; it is back in the
   *     queue
   */
  boolean flushOnce(Sender sender) throws InterruptedException {
    List<LogEntry> batch = queue.drain(LogShipQueue.MAX_BATCH);
    if (batch.isEmpty()) {
      return false;
    }
    String failure;
    try {
      failure = sender.send(codec.encode(new WorkerFrame.LogBatch(batch)));
    } catch (IllegalArgumentException e) {
      failure = e.getMessage();
    } catch (InterruptedException e) {
      // The attempt ended while this batch waited for the socket: nothing went out.
      queue.restore(batch);
      throw e;
    }
    if (failure != null) {
      queue.restore(batch);
      return false;
    }
    keep(new Sent(System.nanoTime(), batch));
    return true;
  }

  private void keep(Sent sent) {
    lock.lock();
    try {
      unconfirmed.addLast(sent);
      unconfirmedEntries += sent.batch().size();
      while (unconfirmedEntries > LogShipQueue.DEFAULT_CAPACITY && unconfirmed.size() > 1) {
        unconfirmedEntries -= unconfirmed.removeFirst().batch().size();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * The studio acknowledged a heartbeat whose send began at {@code heartbeatSentNanos}: every batch
   * whose send returned before that was read.
   */
  void heartbeatAcked(long heartbeatSentNanos) {
    lock.lock();
    try {
      while (!unconfirmed.isEmpty()
          && unconfirmed.peekFirst().sentNanos() - heartbeatSentNanos < 0) {
        unconfirmedEntries -= unconfirmed.removeFirst().batch().size();
      }
    } finally {
      lock.unlock();
    }
  }

  /** The socket is gone: the batches it never confirmed go back to the front of the queue. */
  void requeueUnconfirmed() {
    List<LogEntry> again = new ArrayList<>();
    lock.lock();
    try {
      for (Sent sent : unconfirmed) {
        again.addAll(sent.batch());
      }
      unconfirmed.clear();
      unconfirmedEntries = 0;
    } finally {
      lock.unlock();
    }
    if (!again.isEmpty()) {
      queue.restore(again);
    }
  }

  /** Entries sent and not yet confirmed. */
  int unconfirmedEntries() {
    lock.lock();
    try {
      return unconfirmedEntries;
    } finally {
      lock.unlock();
    }
  }

  /** Sends batches until the queue is empty or a send fails. */
  void flushAll(Sender sender) throws InterruptedException {
    // Bounded: the queue holds at most capacity / MAX_BATCH + 1 batches; entries logged meanwhile
    // may add a round or two, never an endless loop.
    int rounds = queue.capacity() / LogShipQueue.MAX_BATCH + 2;
    for (int i = 0; i < rounds && flushOnce(sender); i++) {
      // Keep going while batches go out.
    }
  }
}
