package org.studioworker.spi.process;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;

/**
 * The last lines of a stream, at most a fixed number; older lines are dropped.
 *
 * <p>Thread-safe: one drain thread adds while the job's thread reads.
 */
public final class LineTail {
  private final int capacity;

  /** Guarded by {@code this}; never more than {@code capacity} lines, oldest first. */
  private final ArrayDeque<String> lines;

  public LineTail(int capacity) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("capacity must be positive, got " + capacity);
    }
    this.capacity = capacity;
    this.lines = new ArrayDeque<>(capacity);
  }

  /** Keeps the line unless it is blank. */
  public synchronized void add(String line) {
    if (line.isBlank()) {
      return;
    }
    if (lines.size() == capacity) {
      lines.removeFirst();
    }
    lines.addLast(line);
  }

  /** The lines kept, oldest first. */
  public synchronized List<String> lines() {
    return List.copyOf(lines);
  }

  /** The last non-blank line, stripped. */
  public synchronized Optional<String> last() {
    return lines.isEmpty() ? Optional.empty() : Optional.of(lines.getLast().strip());
  }
}
