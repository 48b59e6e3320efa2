package org.studioworker.runtime.presence;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The idle time from the X server's screensaver extension ({@code XScreenSaverQueryInfo}), through
 * FFM.
 *
 * <p>The display stays open between samples and is opened anew after an error. Every native call
 * runs on one dedicated platform thread (never a virtual one: a downcall pins its carrier); {@link
 * #idleTime} waits for it at most {@link #CALL_WAIT}. Thread-safe.
 */
public final class X11IdleSource implements IdleSource {
  private static final Logger log = LoggerFactory.getLogger("presence");

  /** The longest a caller waits for the X server's answer. */
  static final Duration CALL_WAIT = Duration.ofSeconds(2);

  private final XScreenSaverLibrary library;
  private final String displayName;
  private final ExecutorService thread;

  /** The open display, or null; the X thread only. */
  private @Nullable MemorySegment display;

  /** The info struct Xlib allocated for this display, or null; the X thread only. */
  private @Nullable MemorySegment info;

  /** Whether the kept-alive warning was logged; the X thread only. */
  private boolean warnedExit;

  private X11IdleSource(XScreenSaverLibrary library, String displayName) {
    this.library = library;
    this.displayName = displayName;
    this.thread =
        Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("x11-idle").daemon(true).factory());
  }

  /** A source opened, or why none could be. */
  public sealed interface Opened {}

  /** The source, which answered once already. */
  public record Ready(X11IdleSource source) implements Opened {}

  /** Why the X server cannot be asked. */
  public record Unavailable(String reason) implements Opened {}

  /**
   * Opens {@code displayName} with the standard libraries and asks it once. Never throws.
   *
   * @param displayName an X display name such as {@code :0}, or null when {@code DISPLAY} is unset
   */
  public static Opened open(@Nullable String displayName) {
    return open(displayName, "libX11.so.6", "libXss.so.1");
  }

  /** The same with other library names (a test names one that is not there). */
  static Opened open(@Nullable String displayName, String x11Library, String xssLibrary) {
    if (displayName == null || displayName.isBlank()) {
      return new Unavailable("DISPLAY is not set");
    }
    XScreenSaverLibrary library;
    switch (XScreenSaverLibrary.bind(x11Library, xssLibrary)) {
      case XScreenSaverLibrary.Missing missing -> {
        return new Unavailable(missing.reason());
      }
      case XScreenSaverLibrary.Found found -> library = found.library();
    }
    X11IdleSource source = new X11IdleSource(library, displayName);
    String problem = source.call(source::firstQuery);
    if (problem != null) {
      source.close();
      return new Unavailable(problem);
    }
    return new Ready(source);
  }

  @Override
  public Optional<Duration> idleTime() {
    Long millis = call(this::query);
    return millis == null || millis < 0 ? Optional.empty() : Optional.of(Duration.ofMillis(millis));
  }

  @Override
  public String describe() {
    return "the X11 screensaver extension on " + displayName;
  }

  @Override
  public void close() {
    try {
      thread.submit(this::closeDisplay).get(CALL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
      // Closing is best effort: the thread below ends with the process at the latest.
    }
    thread.shutdownNow();
  }

  /**
   * Runs {@code task} on the X thread; null when it failed or took longer than {@link #CALL_WAIT}.
   */
  private <T> @Nullable T call(java.util.concurrent.Callable<T> task) {
    Future<T> future;
    try {
      future = thread.submit(task);
    } catch (RejectedExecutionException e) {
      return null;
    }
    try {
      return future.get(CALL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (ExecutionException e) {
      log.debug("X11 idle query failed: {}", String.valueOf(e.getCause()));
      return null;
    } catch (TimeoutException e) {
      // The call goes on on the X thread; the next one queues behind it.
      return null;
    }
  }

  /** The first query: null when it worked, else why not. The X thread only. */
  private @Nullable String firstQuery() {
    if (!ensureOpen()) {
      return "the X display " + displayName + " cannot be opened";
    }
    MemorySegment open = display;
    try (Arena arena = Arena.ofConfined()) {
      if (open == null || !library.hasExtension(arena, open)) {
        closeDisplay();
        return "the X server on " + displayName + " lacks the MIT-SCREEN-SAVER extension";
      }
    }
    return query() < 0 ? "the X server on " + displayName + " does not tell the idle time" : null;
  }

  /** The idle time in milliseconds, or -1. The X thread only. */
  private long query() {
    if (!ensureOpen()) {
      return -1;
    }
    MemorySegment open = java.util.Objects.requireNonNull(display);
    MemorySegment buffer = java.util.Objects.requireNonNull(info);
    long millis = library.idleMillis(open, buffer);
    if (XScreenSaverLibrary.takeLost(open)) {
      // The connection is gone: Xlib must not be asked to close it. Open anew next time.
      display = null;
      info = null;
      log.info("the X display {} went away; opening it again at the next sample", displayName);
      return -1;
    }
    if (millis < 0) {
      closeDisplay();
    }
    return millis;
  }

  /** Opens the display and the info struct when not open. The X thread only. */
  private boolean ensureOpen() {
    if (display != null && info != null) {
      return true;
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment opened = library.openDisplay(arena, displayName);
      if (opened.equals(MemorySegment.NULL)) {
        return false;
      }
      if (!library.keepProcessOnIoError(opened) && !warnedExit) {
        warnedExit = true;
        log.warn(
            "this libX11 is older than 1.7: should the X server on {} go away, Xlib ends the"
                + " worker",
            displayName);
      }
      MemorySegment allocated = library.allocInfo();
      if (allocated.equals(MemorySegment.NULL)) {
        library.closeDisplay(opened);
        XScreenSaverLibrary.forget(opened);
        return false;
      }
      display = opened;
      info = allocated;
      return true;
    }
  }

  /** Frees the info struct and closes the display. The X thread only; never throws. */
  private @Nullable Void closeDisplay() {
    MemorySegment buffer = info;
    MemorySegment open = display;
    info = null;
    display = null;
    try {
      if (buffer != null) {
        library.free(buffer);
      }
      if (open != null) {
        library.closeDisplay(open);
        XScreenSaverLibrary.forget(open);
      }
    } catch (IllegalStateException e) {
      log.debug("closing the X display {}: {}", displayName, e.getMessage());
    }
    return null;
  }
}
