package org.studioworker.ui;

import java.util.function.Consumer;
import javax.swing.SwingUtilities;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs a blocking call off the EDT on a virtual thread and hands its result back on the EDT. */
final class Background {
  private static final Logger LOG = LoggerFactory.getLogger(Background.class);

  private Background() {}

  /** A blocking call; may be interrupted. */
  @FunctionalInterface
  interface Call<T> {
    T call() throws Exception;
  }

  /** Runs {@code call} on a virtual thread, then {@code done} with its result on the EDT. */
  static <T> void run(String name, Call<T> call, Consumer<T> done) {
    Thread.ofVirtual()
        .name("ui-" + name)
        .start(
            () -> {
              try {
                T result = call.call();
                SwingUtilities.invokeLater(() -> done.accept(result));
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } catch (Exception e) {
                // A call's expected failures are values; an exception here is a bug.
                LOG.warn("{} failed: {}", name, e.toString());
              }
            });
  }
}
