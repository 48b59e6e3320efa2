package org.studioworker.runtime.update;

import java.net.http.HttpClient;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.studioworker.runtime.Version;
import org.studioworker.runtime.config.WorkerConfig;
import org.studioworker.runtime.jobs.JobGate;
import org.studioworker.runtime.lifecycle.StopSignal;
import org.studioworker.runtime.registration.RegistrationState;
import org.studioworker.runtime.status.SessionState;

/**
 * The self-update, as the daemon and the CLI see it (docs/update.md).
 *
 * <p>Stateless; each method builds what it needs.
 */
public final class AutoUpdate {
  private AutoUpdate() {}

  /**
   * The updater's background task, or empty when this process was not started from an installed
   * distribution ({@code STUDIO_WORKER_HOME} unset): there is nothing to update in place then.
   *
   * @param session the session state, read to tell the launcher that start-up finished
   * @param registration the registration state, read likewise while the worker is not approved
   * @param onUpdated told once a new version is installed; the worker must then exit with {@code
   *     ExitCodes.RESTART_FOR_UPDATE}, and the job slot stays held until it does
   */
  public static Optional<Callable<?>> task(
      Map<String, String> env,
      Supplier<WorkerConfig> config,
      JobGate gate,
      StopSignal stop,
      Supplier<SessionState> session,
      Supplier<RegistrationState> registration,
      Runnable onUpdated) {
    Optional<Installation> installation = Installation.fromEnv(env);
    if (installation.isEmpty()) {
      return Optional.empty();
    }
    UpdateHttp http = new UpdateHttp(client(), Deadlines.STANDARD);
    Updater updater =
        new Updater(
            config,
            currentVersion(),
            installation.get(),
            gate,
            http,
            new ReleaseDownload(http, TrustedKeys.builtIn()));
    return Optional.of(
        new UpdateLoop(
            updater,
            installation.get(),
            Version.current(),
            stop,
            tick(env),
            InstantSource.system(),
            config,
            () -> startedUp(session.get(), registration.get()),
            updated -> onUpdated.run()));
  }

  /**
   * Whether this process has started up, as the launcher's probation means it: the studio welcomed
   * it (the session is {@link SessionState.Connected}), or, for a worker not approved yet, the
   * studio answered its registration ({@link RegistrationState.Pending}). A build that runs but
   * cannot reach the studio never starts up, so the launcher rolls it back.
   *
   * <p>Why not {@link SessionState.WaitingForApproval}? It is also the state before anything was
   * tried, registered or not: a release that never reaches the studio would pass.
   */
  static boolean startedUp(SessionState session, RegistrationState registration) {
    return session instanceof SessionState.Connected
        || registration instanceof RegistrationState.Pending;
  }

  /**
   * One check against the configured feed, without installing: {@code up to date: X} or {@code
   * update available: A -> B}.
   *
   * @throws java.io.IOException when there is no feed, it cannot be reached or read, it is not a
   *     feed (an HTML page, a JSON object that is not a release), or this development build may not
   *     read it (not on loopback); the message says which
   */
  public static String check(WorkerConfig config, Map<String, String> env)
      throws java.io.IOException, InterruptedException {
    return check(config, env, Deadlines.STANDARD);
  }

  /** As {@link #check(WorkerConfig, Map)}, bounded by {@code deadlines}. */
  static String check(WorkerConfig config, Map<String, String> env, Deadlines deadlines)
      throws java.io.IOException, InterruptedException {
    return check(config, env, deadlines, TrustedKeys.builtIn().isDevelopment());
  }

  /**
   * As {@link #check(WorkerConfig, Map)}, bounded by {@code deadlines}, for a development build or
   * not (a development build reads a loopback feed only).
   */
  static String check(
      WorkerConfig config, Map<String, String> env, Deadlines deadlines, boolean development)
      throws java.io.IOException, InterruptedException {
    String feed = config.autoUpdateFeed();
    if (feed == null || feed.isBlank()) {
      throw new java.io.IOException("no auto_update_feed is configured");
    }
    Installation installation =
        Installation.fromEnv(env).orElseGet(() -> new Installation(java.nio.file.Path.of(".")));
    try {
      FeedChoice choice =
          Updater.check(
              new UpdateHttp(client(), deadlines),
              feed,
              currentVersion(),
              config.autoUpdatePrerelease(),
              installation,
              development);
      return switch (choice) {
        case FeedChoice.UpToDate u -> "up to date: " + u.current() + " (" + u.note() + ")";
        case FeedChoice.Available a -> "update available: " + a.current() + " -> " + a.target();
      };
    } catch (UpdateException e) {
      throw new java.io.IOException(e.getMessage(), e);
    }
  }

  /**
   * The update loop's tick: {@link UpdateLoop#TICK}, or {@code STUDIO_WORKER_UPDATE_TICK_SECS} (1
   * to 60) when set, so that tests of the packaged worker need not wait a minute for the first
   * check. A value that is not a whole number in that range is ignored.
   */
  static Duration tick(Map<String, String> env) {
    String value = env.get("STUDIO_WORKER_UPDATE_TICK_SECS");
    if (value == null) {
      return UpdateLoop.TICK;
    }
    try {
      long seconds = Long.parseLong(value.strip());
      return seconds >= 1 && seconds <= UpdateLoop.TICK.toSeconds()
          ? Duration.ofSeconds(seconds)
          : UpdateLoop.TICK;
    } catch (NumberFormatException e) {
      return UpdateLoop.TICK;
    }
  }

  private static SemVer currentVersion() {
    return SemVer.parse(Version.current())
        .orElseThrow(() -> new IllegalStateException("this build's version is not semver"));
  }

  /**
   * Follows redirects (release downloads are redirected to a CDN), never https to http. HTTP/1.1
   * only: otherwise the JDK's client asks a cleartext server to upgrade ({@code Upgrade: h2c}),
   * which Node servers and some proxies answer with 400.
   */
  static HttpClient client() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(15))
        .followRedirects(HttpClient.Redirect.NORMAL)
        .executor(Executors.newVirtualThreadPerTaskExecutor())
        .build();
  }
}
