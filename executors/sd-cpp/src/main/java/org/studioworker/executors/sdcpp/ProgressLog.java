package org.studioworker.executors.sdcpp;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Passes a program's lines on to the job's log at a bounded rate: at most one line per interval,
 * and the count of lines skipped since the last one.
 *
 * <p>Why a rate? sd-cli redraws its progress bar many times a second; the job's log is shipped to
 * the studio. Thread-safe.
 */
final class ProgressLog implements Consumer<String> {
  private final Consumer<String> log;
  private final long intervalNanos;
  private final LongSupplier nanoTime;

  /** Guarded by {@code this}: when the last line was passed on, and how many were skipped since. */
  private long lastLogged;

  private boolean anyLogged;
  private int skipped;

  ProgressLog(Consumer<String> log, Duration interval, LongSupplier nanoTime) {
    this.log = log;
    this.intervalNanos = interval.toNanos();
    this.nanoTime = nanoTime;
  }

  @Override
  public void accept(String line) {
    String text = line.strip();
    if (text.isEmpty()) {
      return;
    }
    String message;
    synchronized (this) {
      long now = nanoTime.getAsLong();
      if (anyLogged && now - lastLogged < intervalNanos) {
        skipped++;
        return;
      }
      message = skipped == 0 ? text : text + " (" + skipped + " lines skipped)";
      anyLogged = true;
      lastLogged = now;
      skipped = 0;
    }
    log.accept(message);
  }
}
