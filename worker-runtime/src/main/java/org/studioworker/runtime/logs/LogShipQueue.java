package org.studioworker.runtime.logs;

import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.studioworker.protocol.LogEntry;
import org.studioworker.protocol.LogLevel;

/**
 * The bounded queue of log entries waiting to be shipped to the studio.
 *
 * <p>When full, the oldest entry is dropped and counted; the next batch starts with one warn entry
 * (category {@code logs}) that says how many were dropped. A batch that could not be sent goes back
 * to the front, in order, so nothing is reordered; what no longer fits is dropped oldest-first and
 * counted like any other drop.
 *
 * <p>Thread-safe; no method blocks beyond a short lock.
 */
public final class LogShipQueue {
  /** The original worker's capacity. */
  public static final int DEFAULT_CAPACITY = 5000;

  /** The largest batch one {@code logBatch} frame carries. */
  public static final int MAX_BATCH = 500;

  private final int capacity;
  private final InstantSource clock;
  private final ReentrantLock lock = new ReentrantLock();

  /** Guarded by {@link #lock}; never holds more than {@link #capacity} entries. */
  private final ArrayDeque<LogEntry> entries = new ArrayDeque<>();

  /** Guarded by {@link #lock}; entries dropped since the last marker was handed out. */
  private long dropped;

  /** Guarded by {@link #lock}; the last marker handed out and the count it carries. */
  private @org.jspecify.annotations.Nullable LogEntry lastMarker;

  private long lastMarkerCount;

  /** Guarded by {@link #lock}; every entry dropped since start, reported or not. */
  private long droppedTotal;

  /** A queue of the given capacity. */
  public LogShipQueue(int capacity, InstantSource clock) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1");
    }
    this.capacity = capacity;
    this.clock = clock;
  }

  /** The capacity. */
  public int capacity() {
    return capacity;
  }

  /** Adds an entry, dropping the oldest when full. Never blocks. */
  public void offer(LogEntry entry) {
    lock.lock();
    try {
      if (entries.size() == capacity) {
        entries.pollFirst();
        dropped++;
        droppedTotal++;
      }
      entries.addLast(entry);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes up to {@code max} entries, oldest first. When entries were dropped, the batch starts with
   * a warn entry that counts them (it takes one of the {@code max} places).
   */
  public List<LogEntry> drain(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1");
    }
    lock.lock();
    try {
      List<LogEntry> batch = new ArrayList<>(Math.min(max, entries.size() + 1));
      if (dropped > 0) {
        lastMarker =
            new LogEntry(
                clock.instant(),
                LogLevel.WARN,
                "logs",
                "log ship queue full: dropped " + dropped + " oldest entries",
                null);
        lastMarkerCount = dropped;
        batch.add(lastMarker);
        dropped = 0;
      }
      while (batch.size() < max && !entries.isEmpty()) {
        batch.add(entries.pollFirst());
      }
      return batch;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Puts a batch that could not be sent back at the front, keeping its order. Entries that no
   * longer fit are dropped oldest-first and counted. A marker in the batch turns back into its
   * count, so the next batch reports every drop in one marker.
   */
  public void restore(List<LogEntry> batch) {
    lock.lock();
    try {
      for (int i = batch.size() - 1; i >= 0; i--) {
        LogEntry entry = batch.get(i);
        if (entry == lastMarker) {
          dropped += lastMarkerCount;
          lastMarker = null;
        } else if (entries.size() == capacity) {
          // Full: the entry being restored is older than everything queued, so it is the one to go.
          dropped++;
          droppedTotal++;
        } else {
          entries.addFirst(entry);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** How many entries wait. */
  public int size() {
    lock.lock();
    try {
      return entries.size();
    } finally {
      lock.unlock();
    }
  }

  /**
   * How many entries were dropped since start. Only grows: a marker that goes back into the queue
   * is not a new drop.
   */
  public long droppedCount() {
    lock.lock();
    try {
      return droppedTotal;
    } finally {
      lock.unlock();
    }
  }

  /** How many entries were dropped and not yet reported by a marker. */
  public long pendingDrops() {
    lock.lock();
    try {
      return dropped;
    } finally {
      lock.unlock();
    }
  }
}
