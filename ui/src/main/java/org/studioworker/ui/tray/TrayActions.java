package org.studioworker.ui.tray;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the tray's actions and bus chores on one thread of the tray's own, so that neither the D-Bus
 * dispatch threads nor the AWT event thread wait on the UI; at most {@value #QUEUE} tasks wait,
 * more are dropped with a warning (a panel does not click 16 times faster than we act).
 */
final class TrayActions implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TrayActions.class);
  private static final int QUEUE = 16;

  private final Tray.Actions actions;
  private final ThreadPoolExecutor thread;

  TrayActions(Tray.Actions actions) {
    this.actions = actions;
    this.thread =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(QUEUE),
            runnable -> {
              Thread t = new Thread(runnable, "studio-worker-tray");
              t.setDaemon(true);
              return t;
            },
            (runnable, executor) -> {
              if (!executor.isShutdown()) {
                LOG.warn("tray: {} tasks are waiting already; this click is dropped", QUEUE);
              }
            });
  }

  void openWindow() {
    run("open window", Tray.Actions::openWindow);
  }

  void togglePause() {
    run("pause/resume", Tray.Actions::togglePause);
  }

  void quit() {
    run("quit", Tray.Actions::quit);
  }

  /** Runs {@code chore} on the tray's thread; its failure is logged, not thrown. */
  void execute(String what, Runnable chore) {
    thread.execute(
        () -> {
          try {
            chore.run();
          } catch (RuntimeException e) {
            LOG.warn("tray: {} failed", what, e);
          }
        });
  }

  private void run(String what, Consumer<Tray.Actions> action) {
    execute(what, () -> action.accept(actions));
  }

  /** Stops the thread; a running action finishes on its own. Never throws. */
  @Override
  public void close() {
    thread.shutdown();
  }
}
