package org.studioworker.runtime.logs;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.studioworker.protocol.LogEntry;

/**
 * The last log entries, for display ({@code status}, the local API, a UI). Bounded; the oldest goes
 * first. Each entry gets the next sequence number (1, 2, …), so that a reader can ask for what came
 * after the last entry it saw.
 *
 * <p>Thread-safe.
 */
public final class LogRing {
  /** The original worker's display ring size. */
  public static final int DEFAULT_CAPACITY = 1000;

  /** One entry with its sequence number. */
  public record Numbered(long seq, LogEntry entry) {}

  private final int capacity;
  private final ReentrantLock lock = new ReentrantLock();

  /** Guarded by {@link #lock}; at most {@link #capacity} entries, oldest first. */
  private final ArrayDeque<Numbered> entries = new ArrayDeque<>();

  /** Guarded by {@link #lock}: the sequence number of the newest entry, 0 before the first. */
  private long seq;

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
      entries.addLast(new Numbered(++seq, entry));
    } finally {
      lock.unlock();
    }
  }

  /** The entries, oldest first. */
  public List<LogEntry> snapshot() {
    return after(0).stream().map(Numbered::entry).toList();
  }

  /**
   * The entries numbered above {@code after}, oldest first. An {@code after} above the newest
   * number (a reader that saw an earlier run of the daemon) gets the whole ring.
   */
  public List<Numbered> after(long after) {
    lock.lock();
    try {
      long from = after > seq ? 0 : after;
      List<Numbered> out = new ArrayList<>();
      for (Numbered numbered : entries) {
        if (numbered.seq() > from) {
          out.add(numbered);
        }
      }
      return out;
    } finally {
      lock.unlock();
    }
  }

  /** The sequence number of the newest entry; 0 before the first. */
  public long newestSeq() {
    lock.lock();
    try {
      return seq;
    } finally {
      lock.unlock();
    }
  }
}
