package org.studioworker.gpu;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The GPU inventory read through NVML, on one dedicated platform thread.
 *
 * <p>Thread-safe. Every native call (init, reads, shutdown) runs on the thread named {@value
 * #THREAD_NAME}, because a downcall would pin a virtual thread's carrier. That thread publishes an
 * immutable {@link GpuSnapshot} through a volatile field: {@link #snapshot()} reads it and never
 * blocks; {@link #refresh(Duration)} asks the thread for a fresh reading and waits at most the
 * given time for it.
 *
 * <p>A failed {@code nvmlInit} is not final: it is tried again on the next read once {@code
 * retryInitEvery} has passed since the last try (not sooner, however often {@code refresh} is
 * called), so a driver that loads after the worker starts is picked up. {@link #close()} shuts NVML
 * down on the same thread, then unloads the library.
 */
final class NvmlGpuInventory implements GpuInventory {
  /** The name of the one thread that calls NVML. */
  static final String THREAD_NAME = "studio-worker-nvml";

  /** How long {@link #close()} waits for the native thread to finish. */
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

  private final NvmlLibrary nvml;
  private final InstantSource clock;
  private final Duration retryInitEvery;
  private final ScheduledThreadPoolExecutor nativeThread;
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * The reading that {@link #refresh} callers wait for; a caller joins one not yet done instead of
   * queueing another, so a driver that hangs holds at most one queued reading.
   */
  private final AtomicReference<@Nullable Future<GpuSnapshot>> pending = new AtomicReference<>();

  /** The latest reading; written only by the native thread (and by the constructor). */
  private volatile GpuSnapshot snapshot;

  /** Whether {@code nvmlInit} has succeeded and not been undone; native thread only. */
  private boolean initialised;

  /** When {@code nvmlInit} was last tried; native thread only. */
  private @Nullable Instant lastInitAttempt;

  /**
   * Starts the native thread and schedules the first reading; does not wait for it.
   *
   * @param nvml the bound library, owned by this inventory from now on
   * @param clock the time of readings and of init retries
   * @param refreshEvery how often to read in the background; zero reads only on {@link
   *     #refresh(Duration)}
   * @param retryInitEvery the least time between two {@code nvmlInit} tries
   */
  NvmlGpuInventory(
      NvmlLibrary nvml, InstantSource clock, Duration refreshEvery, Duration retryInitEvery) {
    this.nvml = Objects.requireNonNull(nvml, "nvml");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.retryInitEvery = Objects.requireNonNull(retryInitEvery, "retryInitEvery");
    if (refreshEvery.isNegative() || retryInitEvery.isNegative()) {
      throw new IllegalArgumentException("intervals must not be negative");
    }
    this.snapshot = new GpuSnapshot("none", List.of(), null, "NVML not read yet", clock.instant());
    this.nativeThread =
        new ScheduledThreadPoolExecutor(
            1, task -> Thread.ofPlatform().name(THREAD_NAME).daemon(true).unstarted(task));
    nativeThread.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    nativeThread.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
    if (refreshEvery.isZero()) {
      nativeThread.execute(this::readQuietly);
    } else {
      var _ =
          nativeThread.scheduleWithFixedDelay(
              this::readQuietly, 0, refreshEvery.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public GpuSnapshot snapshot() {
    return snapshot;
  }

  /**
   * Reads the GPUs now, on the native thread, and returns that reading; blocks the caller at most
   * {@code maxWait}. Callers that arrive while a reading is queued or running share it. On
   * time-out, interruption or after {@link #close()} it returns the latest snapshot instead. Never
   * throws.
   */
  @Override
  public GpuSnapshot refresh(Duration maxWait) {
    Future<GpuSnapshot> reading = pending.get();
    if (reading == null || reading.isDone()) {
      FutureTask<GpuSnapshot> next = new FutureTask<>(this::read);
      if (pending.compareAndSet(reading, next)) {
        try {
          nativeThread.execute(next);
        } catch (RejectedExecutionException closedAlready) {
          return snapshot;
        }
        reading = next;
      } else {
        reading = Objects.requireNonNull(pending.get(), "pending");
      }
    }
    try {
      return reading.get(maxWait.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return snapshot;
    } catch (TimeoutException | ExecutionException | CancellationException e) {
      return snapshot;
    }
  }

  /** Where the library was loaded from. */
  String location() {
    return nvml.location();
  }

  /**
   * Reads the memory of one device {@code calls} times on the native thread, after as many warm-up
   * reads, and returns the mean time of one read; for {@code GpuCheck}.
   *
   * @return the mean in nanoseconds, or null when NVML is not initialised or the device cannot be
   *     read
   */
  @Nullable Double meanMemoryReadNanos(int index, int calls, Duration maxWait) {
    if (calls <= 0) {
      throw new IllegalArgumentException("calls must be positive");
    }
    Future<@Nullable Double> timing;
    try {
      timing = nativeThread.submit(() -> timeMemoryReads(index, calls));
    } catch (RejectedExecutionException closedAlready) {
      return null;
    }
    try {
      return timing.get(maxWait.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (TimeoutException | ExecutionException | CancellationException e) {
      return null;
    }
  }

  /** The NVML function that reads memory. */
  String memorySymbol() {
    return nvml.memorySymbol();
  }

  /**
   * Shuts NVML down on the native thread, stops the thread and unloads the library. Waits at most
   * five seconds for a native call in flight; if one is still running then, the library stays
   * loaded rather than be pulled from under it. Never throws; a second call does nothing.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      nativeThread.execute(this::shutdownQuietly);
    } catch (RejectedExecutionException e) {
      // Already stopping; nothing was initialised on a thread that never ran.
    }
    nativeThread.shutdown();
    boolean stopped;
    try {
      stopped = nativeThread.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopped = false;
    }
    if (stopped) {
      nvml.close();
    }
  }

  private void readQuietly() {
    try {
      read();
    } catch (RuntimeException e) {
      // A bug in a read must not end the schedule; the next read tries again.
      publish(none("NVML read failed: " + e));
    }
  }

  /** One reading; native thread only. */
  private GpuSnapshot read() {
    if (closed.get()) {
      return snapshot;
    }
    if (!initialised && !tryInit()) {
      return snapshot;
    }
    try {
      return publish(NvmlReader.read(nvml, clock.instant()));
    } catch (NvmlException e) {
      if (!e.status().meansNotInitialised()) {
        return publish(none(e.getMessage()));
      }
      // The driver went away (unloaded, or upgraded under us): start again at the cadence.
      initialised = false;
      lastInitAttempt = clock.instant();
      return publish(none(e.getMessage() + retryNote()));
    }
  }

  /** Tries {@code nvmlInit} if the cadence allows; native thread only. */
  private boolean tryInit() {
    Instant now = clock.instant();
    Instant last = lastInitAttempt;
    if (last != null && now.isBefore(last.plus(retryInitEvery))) {
      return false;
    }
    lastInitAttempt = now;
    try {
      nvml.init();
      initialised = true;
      return true;
    } catch (NvmlException e) {
      publish(none(e.getMessage() + retryNote()));
      return false;
    }
  }

  private @Nullable Double timeMemoryReads(int index, int calls) {
    if (!initialised && !tryInit()) {
      return null;
    }
    try {
      MemorySegment device = nvml.deviceHandle(index);
      // Warm up with as many reads as are timed, so that the mean is the steady state, not the
      // interpreter's first pass over the downcall.
      for (int i = 0; i < calls; i++) {
        nvml.memory(device);
      }
      long start = System.nanoTime();
      for (int i = 0; i < calls; i++) {
        nvml.memory(device);
      }
      return (System.nanoTime() - start) / (double) calls;
    } catch (NvmlException e) {
      return null;
    }
  }

  private void shutdownQuietly() {
    if (!initialised) {
      return;
    }
    initialised = false;
    try {
      nvml.shutdown();
    } catch (NvmlException | RuntimeException e) {
      // Shutdown never throws: the process is leaving NVML either way.
    }
  }

  private String retryNote() {
    long seconds = retryInitEvery.toSeconds();
    return "; NVML is tried again every " + (seconds > 0 ? seconds + " s" : retryInitEvery);
  }

  private GpuSnapshot none(String note) {
    return new GpuSnapshot("none", List.of(), null, note, clock.instant());
  }

  private GpuSnapshot publish(GpuSnapshot reading) {
    snapshot = reading;
    return reading;
  }
}
