package org.studioworker.ui;

import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import javax.swing.SwingUtilities;
import org.jspecify.annotations.Nullable;
import org.studioworker.devstudio.DevStudio;
import org.studioworker.devstudio.WorkerCredentials;
import org.studioworker.executors.synthetic.SyntheticExecutorProvider;
import org.studioworker.runtime.config.ConfigStore;
import org.studioworker.runtime.config.WorkerConfig;
import org.studioworker.runtime.daemon.WorkerDaemon;
import org.studioworker.runtime.lifecycle.LoopSchedule;
import org.studioworker.runtime.logs.LogSetup;
import org.studioworker.ui.process.DaemonKeeper;

/**
 * A real worker daemon in this JVM against the reference studio, with the synthetic engine, and the
 * UI's app over its config (built, not yet shown or polling).
 */
final class DaemonUnderTest implements AutoCloseable {
  static {
    LogSetup.install(Map.of(), "test");
  }

  final Path config;
  final Map<String, String> env;
  final WorkerDaemon daemon;
  final CompletableFuture<Integer> exit;

  private DaemonUnderTest(Path config, Map<String, String> env, WorkerDaemon daemon) {
    this.config = config;
    this.env = env;
    this.daemon = daemon;
    this.exit = CompletableFuture.supplyAsync(daemon::run, r -> Thread.ofVirtual().start(r));
  }

  /**
   * Writes a config in {@code dir} pointing at the studio (registered when given credentials) and
   * starts its daemon.
   */
  static DaemonUnderTest start(Path dir, DevStudio studio, @Nullable WorkerCredentials worker)
      throws Exception {
    Path config = dir.resolve("config.toml");
    WorkerConfig values =
        WorkerConfig.defaults()
            .withApiBaseUrl(studio.baseUrl().toString())
            .withModelsRoot(dir.resolve("models").toString());
    if (worker != null) {
      values = values.withCredentials(worker.workerId(), worker.authToken());
    }
    new ConfigStore(config).save(values);
    // Port 0: a free port, never the 4787 of a daemon the developer may run.
    Map<String, String> env = Map.of("HOME", dir.toString(), "STUDIO_WORKER_LOCAL_API_PORT", "0");
    WorkerDaemon daemon =
        new WorkerDaemon(
            WorkerDaemon.Options.of(config, env)
                .withSignals(false)
                // The standard 30 s between asks of the registration would dominate a test.
                .withSchedule(LoopSchedule.standard().withRegistrationPoll(Duration.ofMillis(200)))
                .withEngines(List.of(new SyntheticExecutorProvider())));
    return new DaemonUnderTest(config, env, daemon);
  }

  /** The UI's app over this daemon's config, its window built on the EDT. */
  DesktopApp openApp() throws InterruptedException {
    return DesktopApp.open(config, env, new DaemonKeeper(config, env, InstantSource.system()));
  }

  /** Stops the daemon at once and waits for it. */
  @Override
  public void close() throws Exception {
    if (!exit.isDone()) {
      daemon.stop().stopNow("test finished");
      exit.get(20, TimeUnit.SECONDS);
    }
  }

  /** Reads Swing state on the EDT. */
  static <T> T onEdt(Supplier<T> read) throws InterruptedException {
    AtomicReference<T> value = new AtomicReference<>();
    try {
      SwingUtilities.invokeAndWait(() -> value.set(read.get()));
    } catch (InvocationTargetException e) {
      throw new IllegalStateException(e.getCause());
    }
    return value.get();
  }
}
