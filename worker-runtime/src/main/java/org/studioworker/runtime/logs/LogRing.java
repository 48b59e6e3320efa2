package org.studioworker.runtime.logs;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.studioworker.protocol.LogEntry;

/**
 * The last log entries, for display ({@code status}, a local UI). Bounded; the oldest goes first.
 *
 * <p>Thread-safe.
 */
public final class LogRing {
  /** The original worker's display ring size. */
  public static final int DEFAULT_CAPACITY = 1000;

  private final int capacity;
  private final ReentrantLock lock = new ReentrantLock();

  /** Guarded by {@link #lock}; at most {@link #capacity} entries, oldest first. */
  private final ArrayDeque<LogEntry> entries = new ArrayDeque<>();

  /** A ring of the given capacity. */
  public LogRing(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1");
    }
    this.capacity = capacity;
  }

  /** Adds an entry, dropping the oldest when full. */
  public void add(LogEntry entry) {
    lock.lock();
    try {
      if (entries.size() == capacity) {
        entries.pollFirst();
      }
      entries.addLast(entry);
    } finally {
      lock.unlock();
    }
  }

  /** The entries, oldest first. */
  public List<LogEntry> snapshot() {
    lock.lock();
    try {
      return List.copyOf(entries);
    } finally {
      lock.unlock();
    }
  }
}
