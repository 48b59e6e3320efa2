package org.studioworker.runtime.lifecycle;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Owns the daemon's long-running tasks (session, updater, signal watcher) in one scope.
 *
 * <p>The tasks start together on virtual threads. When the main task ends, the others are cancelled
 * (interrupted); when a background task fails, {@code onFailure} is told (the daemon then stops);
 * {@link #close()} does not return until every task has finished. This is the discipline of
 * structured concurrency without the preview API: swapping in {@code StructuredTaskScope} once it
 * is final touches this class alone.
 *
 * <p>Used from one thread: the one that creates it forks and runs the main task.
 */
public final class Supervisor implements AutoCloseable {
  /** Why 10 s? Every task notices an interrupt within the stop-check interval (250 ms). */
  private static final long CLOSE_WAIT_SECONDS = 10;

  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final List<Future<?>> tasks = new ArrayList<>();
  private final BiConsumer<String, Throwable> onFailure;

  /** Set once the scope cancels its tasks: what they throw then is the cancellation's doing. */
  private volatile boolean closing;

  /**
   * A scope.
   *
   * @param onFailure told the name and error of a background task that failed
   */
  public Supervisor(BiConsumer<String, Throwable> onFailure) {
    this.onFailure = onFailure;
  }

  /** Starts a background task that runs until it returns or is cancelled. */
  public void fork(String name, Callable<?> task) {
    tasks.add(
        executor.submit(
            () -> {
              Thread.currentThread().setName(name);
              try {
                task.call();
              } catch (InterruptedException e) {
                // Cancelled by the scope.
              } catch (Exception | Error e) {
                if (!closing) {
                  onFailure.accept(name, e);
                }
              }
              return null;
            }));
  }

  /**
   * Runs the main task on the calling thread; when it returns or throws, every background task is
   * cancelled and awaited.
   */
  public <T> T runMain(Callable<T> main) throws Exception {
    try {
      return main.call();
    } finally {
      close();
    }
  }

  /** Cancels every task and waits for all of them. Never throws. */
  @Override
  public void close() {
    closing = true;
    for (Future<?> task : tasks) {
      task.cancel(true);
    }
    executor.shutdownNow();
    try {
      executor.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
