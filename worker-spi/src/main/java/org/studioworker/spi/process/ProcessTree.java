package org.studioworker.spi.process;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Stops a process and everything it started.
 *
 * <p>Never throws and always finishes: an interrupt that arrives while it waits is kept for the
 * caller, not obeyed, because a half-killed tree would leave a GPU-holding child behind.
 */
public final class ProcessTree {
  private ProcessTree() {}

  /**
   * Asks every descendant and then the process to stop, waits up to {@code grace} for them, kills
   * whatever still runs, and waits up to {@code grace} again for that.
   */
  public static void stop(ProcessHandle process, Duration grace) {
    boolean[] interrupted = {Thread.interrupted()};
    // Descendants first, while they are still ours: once the parent dies they are reparented.
    List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
    tree.add(process);
    tree.forEach(ProcessHandle::destroy);
    if (!awaitExit(tree, grace, interrupted)) {
      tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
      awaitExit(tree, grace, interrupted);
    }
    if (interrupted[0]) {
      Thread.currentThread().interrupt();
    }
  }

  /** Whether every process exited within {@code limit}; an interrupt is noted, not obeyed. */
  private static boolean awaitExit(
      List<ProcessHandle> tree, Duration limit, boolean[] interrupted) {
    long deadline = System.nanoTime() + limit.toNanos();
    for (ProcessHandle handle : tree) {
      while (true) {
        long left = Math.max(deadline - System.nanoTime(), 0);
        try {
          handle.onExit().get(left, TimeUnit.NANOSECONDS);
          break;
        } catch (TimeoutException e) {
          return false;
        } catch (ExecutionException e) {
          break; // onExit never completes exceptionally; treat it as gone.
        } catch (InterruptedException e) {
          interrupted[0] = true;
        }
      }
    }
    return true;
  }
}
