package org.studioworker.runtime.session;

import java.util.List;
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
 * <p>Used by the log-shipper pump and by the final flush; never both at once (the session stops the
 * pump before it flushes). Blocks while sending.
 */
final class LogShipper {
  /** Sends one text frame; null when sent, else why not. */
  @FunctionalInterface
  interface Sender {
    @Nullable String send(String text) throws InterruptedException;
  }

  private final LogShipQueue queue;
  private final FrameCodec codec;

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
    return true;
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
