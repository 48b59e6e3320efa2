package org.studioworker.devstudio;

import java.util.ArrayDeque;
import java.util.List;

/**
 * A list that keeps the newest {@code capacity} items, dropping the oldest.
 *
 * <p>Not thread-safe: its owner guards it.
 */
final class BoundedList<T> {
  private final int capacity;
  private final ArrayDeque<T> items = new ArrayDeque<>();
  private long dropped;

  BoundedList(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1");
    }
    this.capacity = capacity;
  }

  void add(T item) {
    if (items.size() == capacity) {
      items.removeFirst();
      dropped++;
    }
    items.addLast(item);
  }

  /** How many items were dropped to keep the bound. */
  long dropped() {
    return dropped;
  }

  List<T> snapshot() {
    return List.copyOf(items);
  }
}
