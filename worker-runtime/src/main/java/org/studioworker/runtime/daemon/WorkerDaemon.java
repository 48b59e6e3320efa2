package org.studioworker.runtime.daemon;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.studioworker.gpu.GpuDetection;
import org.studioworker.gpu.GpuDevice;
import org.studioworker.gpu.GpuInventories;
import org.studioworker.gpu.GpuInventory;
import org.studioworker.gpu.GpuSnapshot;
import org.studioworker.gpu.NoSuchGpuException;
import org.studioworker.gpu.PinnedGpuInventory;
import org.studioworker.gpu.VramAdmission;
import org.studioworker.gpu.VulkanDevices;
import org.studioworker.protocol.FrameCodec;
import org.studioworker.runtime.Version;
import org.studioworker.runtime.config.ConfigException;
import org.studioworker.runtime.config.ConfigStore;
import org.studioworker.runtime.config.LiveConfig;
import org.studioworker.runtime.config.StudioUrls;
import org.studioworker.runtime.config.WorkerConfig;
import org.studioworker.runtime.http.StudioHttp;
import org.studioworker.runtime.jobs.EngineRegistry;
import org.studioworker.runtime.jobs.JobGate;
import org.studioworker.runtime.jobs.JobRunner;
import org.studioworker.runtime.jobs.ResultUploader;
import org.studioworker.runtime.lifecycle.Backoff;
import org.studioworker.runtime.lifecycle.LoopSchedule;
import org.studioworker.runtime.lifecycle.Signals;
import org.studioworker.runtime.lifecycle.StopSignal;
import org.studioworker.runtime.lifecycle.Supervisor;
import org.studioworker.runtime.localapi.DaemonControl;
import org.studioworker.runtime.localapi.DaemonRoutes;
import org.studioworker.runtime.localapi.Discovery;
import org.studioworker.runtime.localapi.JobRoutes;
import org.studioworker.runtime.localapi.LocalApiServer;
import org.studioworker.runtime.localjobs.JobArtifactStore;
import org.studioworker.runtime.localjobs.LocalCatalogue;
import org.studioworker.runtime.localjobs.LocalJobService;
import org.studioworker.runtime.localjobs.LocalJobs;
import org.studioworker.runtime.localjobs.StudioJobHook;
import org.studioworker.runtime.logs.LogRing;
import org.studioworker.runtime.logs.LogSetup;
import org.studioworker.runtime.logs.LogShipQueue;
import org.studioworker.runtime.logs.Redactor;
import org.studioworker.runtime.metrics.WorkerMetrics;
import org.studioworker.runtime.models.ModelStore;
import org.studioworker.runtime.notify.SdNotify;
import org.studioworker.runtime.notify.SystemdNotifier;
import org.studioworker.runtime.presence.IdleSource;
import org.studioworker.runtime.presence.IdleSources;
import org.studioworker.runtime.presence.Presence;
import org.studioworker.runtime.presence.PresenceMonitor;
import org.studioworker.runtime.registration.RegistrationGate;
import org.studioworker.runtime.registration.RegistrationState;
import org.studioworker.runtime.session.CapabilitySource;
import org.studioworker.runtime.session.Session;
import org.studioworker.runtime.session.SessionLink;
import org.studioworker.runtime.status.SessionState;
import org.studioworker.runtime.status.StatusBoard;
import org.studioworker.runtime.status.Traffic;
import org.studioworker.runtime.update.AutoUpdate;
import org.studioworker.spi.ExecutorEnvironment;
import org.studioworker.spi.ExecutorProvider;

/**
 * The worker daemon: wires config, engines, registration, the session and the job runner, and runs
 * them until the session ends.
 *
 * <p>{@link #run()} blocks the calling thread and returns the process exit code. {@link #stop()}
 * and {@link #board()} may be used from any thread, so that tests and the demo can embed a daemon.
 */
public final class WorkerDaemon {
  private static final Logger log = LoggerFactory.getLogger("daemon");

  /**
   * How to run.
   *
   * @param handleSignals whether SIGTERM/SIGINT drive the stop (true for the real process)
   * @param engines the engine providers to use, or null to find them with {@link
   *     java.util.ServiceLoader}
   * @param maxFrameChars the largest studio frame read, in characters
   * @param pluginDirs folders of plugin jars, besides the distribution's and {@code <config
   *     dir>/plugins}
   * @param gpu the GPU of {@code run --gpu} (an index or a UUID), or null when not given
   */
  public record Options(
      Path configPath,
      LoopSchedule schedule,
      Map<String, String> env,
      boolean handleSignals,
      InstantSource clock,
      @Nullable List<ExecutorProvider> engines,
      int maxFrameChars,
      List<Path> pluginDirs,
      @Nullable String gpu) {
    /** The options of a real worker process. */
    public static Options of(Path configPath, Map<String, String> env) {
      return new Options(
          configPath,
          LoopSchedule.standard(),
          env,
          true,
          InstantSource.system(),
          null,
          FrameCodec.MAX_FRAME_CHARS,
          List.of(),
          null);
    }

    /** The same options with another schedule. */
    public Options withSchedule(LoopSchedule value) {
      return new Options(
          configPath, value, env, handleSignals, clock, engines, maxFrameChars, pluginDirs, gpu);
    }

    /** The same options, with signals handled or not. */
    public Options withSignals(boolean value) {
      return new Options(
          configPath, schedule, env, value, clock, engines, maxFrameChars, pluginDirs, gpu);
    }

    /** The same options with these engines instead of the discovered ones. */
    public Options withEngines(List<ExecutorProvider> value) {
      return new Options(
          configPath,
          schedule,
          env,
          handleSignals,
          clock,
          List.copyOf(value),
          maxFrameChars,
          pluginDirs,
          gpu);
    }

    /** The same options with another frame cap. */
    public Options withMaxFrameChars(int value) {
      return new Options(
          configPath, schedule, env, handleSignals, clock, engines, value, pluginDirs, gpu);
    }

    /** The same options with extra plugin folders. */
    public Options withPluginDirs(List<Path> value) {
      return new Options(
          configPath,
          schedule,
          env,
          handleSignals,
          clock,
          engines,
          maxFrameChars,
          List.copyOf(value),
          gpu);
    }

    /** The same options pinned to a GPU ({@code run --gpu}): an index or a UUID. */
    public Options withGpu(@Nullable String value) {
      return new Options(
          configPath,
          schedule,
          env,
          handleSignals,
          clock,
          engines,
          maxFrameChars,
          pluginDirs,
          value);
    }

    /**
     * Every plugin folder: the distribution's own, {@code <config dir>/plugins}, then the extra
     * ones ({@link org.studioworker.runtime.plugins.PluginLoader#folders}).
     */
    public List<Path> allPluginDirs() {
      return org.studioworker.runtime.plugins.PluginLoader.folders(
          configPath.toAbsolutePath().getParent(), pluginDirs);
    }
  }

  /** Why 10 s? Engines stop a process tree with a grace of a few seconds, then kill it. */
  private static final Duration JOB_STOP_WAIT = Duration.ofSeconds(10);

  private final Options options;

  /** The command that re-registers this worker, for the hints of the log. */
  private final String resetCommand;

  private final StopSignal stop = new StopSignal();
  private final LogShipQueue shipQueue;
  private final StatusBoard board;
  private final Traffic traffic = new Traffic();
  private final JobGate gate = new JobGate();

  /** The logs and thumbnails jobs leave behind (LOCAL_API.md, /jobs/:id/log and /thumbnail). */
  private final JobArtifactStore artifacts = new JobArtifactStore();

  /** The first background task that failed unexpectedly, or null: the exit code becomes 1. */
  private final AtomicReference<@Nullable String> crashed = new AtomicReference<>();

  /** Set while the registration is rejected and a reset may be asked for through the local API. */
  private final java.util.concurrent.atomic.AtomicBoolean rejected =
      new java.util.concurrent.atomic.AtomicBoolean();

  /** Set by a reset request; the registration loop clears it. */
  private final java.util.concurrent.atomic.AtomicBoolean resetRequested =
      new java.util.concurrent.atomic.AtomicBoolean();

  /** Tells systemd how the daemon is doing; set when serving starts. */
  private volatile @Nullable SystemdNotifier systemd;

  /** The person's presence, once serving; null before. */
  private volatile @Nullable PresenceMonitor presence;

  /** Where the local API listens, once it does. */
  private final AtomicReference<@Nullable URI> localApi = new AtomicReference<>();

  /** Set once the updater installed a new version: the exit code becomes restart-for-update. */
  private final java.util.concurrent.atomic.AtomicBoolean updateInstalled =
      new java.util.concurrent.atomic.AtomicBoolean();

  /** Chooses the idle source once only_when_idle is on. */
  private final Supplier<IdleSource> idleSources;

  /** A daemon; nothing runs until {@link #run()}. */
  public WorkerDaemon(Options options) {
    this(options, IdleSources.detecting(options.env()));
  }

  /**
   * A daemon with its own idle source (tests set the person's idle time).
   *
   * @param idleSources asked for a source each time only_when_idle is turned on
   */
  public WorkerDaemon(Options options, Supplier<IdleSource> idleSources) {
    this.idleSources = idleSources;
    this.options = options;
    this.resetCommand = resetCommand(options.configPath(), options.env());
    this.shipQueue = new LogShipQueue(LogShipQueue.DEFAULT_CAPACITY, options.clock());
    this.board = new StatusBoard(new LogRing(LogRing.DEFAULT_CAPACITY));
  }

  /** The stop signal: escalate it to drain, then to stop at once. */
  public StopSignal stop() {
    return stop;
  }

  /** The read model. */
  public StatusBoard board() {
    return board;
  }

  /** Where the local API listens, or empty before it does (or when it could not bind). */
  public Optional<URI> localApiUrl() {
    return Optional.ofNullable(localApi.get());
  }

  /** What the daemon moved over the network. */
  public Traffic traffic() {
    return traffic;
  }

  /** Runs until the session ends; returns the exit code. */
  public int run() {
    try (AutoCloseable shipping = LogSetup.ship().attach(shipQueue, board.logs());
        AutoCloseable jobLogs = artifacts.capture(LogSetup.ship())) {
      Optional<DaemonLock> lock;
      try {
        lock = DaemonLock.acquire(options.configPath(), DaemonLock.TRIES, DaemonLock.PAUSE, stop);
      } catch (IOException e) {
        log.error(
            "cannot take the daemon lock beside {}: {}", options.configPath(), e.getMessage());
        return ExitCodes.CONFIG;
      }
      if (lock.isEmpty()) {
        Long pid = DaemonLock.holder(options.configPath());
        // Exit 0: a second daemon is a no-op, not a failure to restart.
        log.info(
            "another daemon is already running for this config{}; exiting",
            pid == null ? "" : " (pid " + pid + ")");
        return ExitCodes.OK;
      }
      int code;
      try (DaemonLock held = lock.get()) {
        code = runAttached();
      }
      if (crashed.get() != null && code == ExitCodes.OK) {
        // A crashed background task stopped the daemon: exit non-zero, so that a supervisor such
        // as systemd's Restart=on-failure starts it again.
        return ExitCodes.FAILURE;
      }
      return updateInstalled.get() && code == ExitCodes.OK ? ExitCodes.RESTART_FOR_UPDATE : code;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      log.warn("interrupted; exiting");
      return ExitCodes.FAILURE;
    } catch (Exception e) {
      log.error("the worker failed: {}", e.toString(), e);
      return ExitCodes.FAILURE;
    }
  }

  private int runAttached() throws Exception {
    // The GPUs first: a config file created now clamps its threshold to the VRAM found.
    GpuDetection detection = GpuInventories.detect(options.env(), System.getProperties());
    GpuInventory gpus = detection.inventory();
    Path workDir = null;
    EngineRegistry engines = null;
    try {
      GpuPins.Request request;
      try {
        request = GpuPins.fromOptionOrEnv(options.gpu(), options.env());
      } catch (IllegalArgumentException e) {
        log.error("{}", e.getMessage());
        return ExitCodes.CONFIG;
      }
      PinnedGpuInventory pinned = null;
      if (request != null) {
        pinned = pin(gpus, request);
        if (pinned == null) {
          return ExitCodes.CONFIG;
        }
        gpus = pinned;
      }
      ConfigStore store = new ConfigStore(options.configPath());
      WorkerConfig config;
      URI apiBase;
      try {
        double detected = gpus.snapshot().totalGb();
        ConfigStore.Loaded loaded = store.loadOrCreate(detected > 0 ? detected : null);
        config = loaded.config();
        if (loaded.created()) {
          log.info("created config file {} with defaults", store.path());
        }
        apiBase = config.studioBase();
      } catch (ConfigException e) {
        log.error("{}", e.getMessage());
        return ExitCodes.CONFIG;
      }
      if (request == null && config.gpu() != null) {
        // A config file that pins existed already: its threshold is the operator's.
        request = GpuPins.fromConfig(config);
        pinned = request == null ? null : pin(gpus, request);
        if (pinned == null) {
          return ExitCodes.CONFIG;
        }
        gpus = pinned;
      }
      GpuDevice device = pinned == null ? null : pinned.device();
      if (pinned != null) {
        detection =
            new GpuDetection(
                pinned,
                detection.summary() + "; pinned to GPU " + pinned.device().index(),
                detection.warning());
      }
      Redactor.register(config.authToken());
      Redactor.register(config.registrationSecret());
      Redactor.register(config.localApiToken());
      // One line for the condition: the GPUs found, or a warning that none was (where the worker
      // looked is for debugging, and for `studio-worker gpu`).
      if (detection.warning() != null) {
        log.warn(
            "no GPU found: free VRAM is not checked before jobs (`studio-worker gpu` says why)");
        log.debug("{}", detection.warning());
      } else {
        log.info("GPUs: {}", detection.summary());
      }
      Map<String, String> processEnv = Map.of();
      if (device != null) {
        log.info(
            "pinned to GPU {} ({}, {}) by {}",
            device.index(),
            device.name(),
            device.uuid(),
            java.util.Objects.requireNonNull(request).source());
        // The Vulkan loader is asked with the environment the engines inherit: that environment
        // (VK_ICD_FILENAMES, layers) can change its order. See docs/vulkan.md.
        VulkanDevices vulkanDevices =
            device.uuid() == null
                ? VulkanDevices.unavailable("the GPU has no UUID")
                : VulkanDevices.read(options.env(), System.getProperties());
        OptionalInt vulkan =
            device.uuid() == null ? OptionalInt.empty() : vulkanDevices.indexOf(device.uuid());
        processEnv = GpuPins.processEnv(device, vulkan);
        if (device.uuid() == null) {
          log.warn(
              "GPU {} has no UUID: engines are not told which GPU to use and may see every GPU",
              device.index());
        } else if (vulkan.isEmpty()) {
          log.warn(
              "the Vulkan device of GPU {} is not known ({}): Vulkan builds of the engines may see"
                  + " every GPU (CUDA builds see GPU {} only)",
              device.index(),
              vulkanDevices.reason() != null
                  ? vulkanDevices.reason()
                  : "no Vulkan device has its UUID",
              device.index());
        } else {
          log.info(
              "GPU {} is Vulkan device {}: engines get GGML_VK_VISIBLE_DEVICES={}",
              device.index(),
              vulkan.getAsInt(),
              vulkan.getAsInt());
        }
      }

      Path modelsRoot = config.modelsRootPath(options.env());
      workDir = Files.createTempDirectory("studio-worker-");
      List<ExecutorProvider> chosen = options.engines();
      engines =
          chosen == null
              ? EngineRegistry.discover(modelsRoot, workDir, options.allPluginDirs(), processEnv)
              : EngineRegistry.of(chosen, new ExecutorEnvironment(modelsRoot, workDir, processEnv));
      return serve(store, config, apiBase, modelsRoot, engines, detection, device);
    } finally {
      if (engines != null) {
        engines.close();
      }
      gpus.close();
      deleteTree(workDir);
    }
  }

  /** Pins, or logs which GPUs there are and answers null. */
  private static @Nullable PinnedGpuInventory pin(GpuInventory gpus, GpuPins.Request request) {
    try {
      return PinnedGpuInventory.pin(gpus, request.selector());
    } catch (NoSuchGpuException e) {
      log.error("{}: {}", request.source(), e.getMessage());
      return null;
    }
  }

  private int serve(
      ConfigStore store,
      WorkerConfig initial,
      URI apiBase,
      Path modelsRoot,
      EngineRegistry engines,
      GpuDetection detection,
      @Nullable GpuDevice pinned)
      throws Exception {
    GpuInventory gpus = detection.inventory();
    LoopSchedule schedule = options.schedule();
    LiveConfig config = new LiveConfig(store, initial);
    if (initial.isRegistered()) {
      board.registration(
          new RegistrationState.Approved(java.util.Objects.requireNonNull(initial.workerId())));
      board.session(new SessionState.Connecting(1));
    }
    BooleanSupplier claimingStopped = () -> board.isPaused() || stop.isStopping();
    PresenceMonitor presence = new PresenceMonitor(() -> config.get().onlyWhenIdle(), idleSources);
    this.presence = presence;
    CapabilitySource capabilities =
        new CapabilitySource(
            GpuPins.machineName(machineName(options.env()), pinned),
            System.getProperty("user.name", "unknown"),
            Version.current(),
            engines,
            gpus,
            config::get,
            claimingStopped,
            () -> presence.presence().map(Presence::wireName).orElse(null));
    log.info(
        "studio-worker {} starting: config {}, studio {}, worker {}, vram threshold {} GB,"
            + " models root {}, auto-update {}, engines: {}",
        Version.describe(),
        store.path(),
        apiBase,
        RegistrationGate.describe(initial.workerId()),
        initial.vramThresholdGb(),
        modelsRoot,
        !initial.autoUpdateEnabled()
            ? "off"
            : initial.autoUpdateFeed() == null || initial.autoUpdateFeed().isBlank()
                ? "on, but no feed configured"
                : "on (every " + initial.autoUpdateIntervalSecs() + " s)",
        engines.describe());
    if (Version.isDevelopmentBuild()) {
      log.warn("{}", Version.buildNote());
    }
    for (EngineRegistry.Engine engine : engines.roster()) {
      String readiness = engine.readiness();
      if (readiness.equals("ok") || readiness.startsWith("ok: ")) {
        log.info(
            "engine {} {} ({}): {}{}",
            engine.id(),
            engine.version(),
            engine.source(),
            engine.serves(),
            readiness.equals("ok") ? "" : " (" + readiness.substring(4) + ")");
      } else {
        log.warn(
            "engine {} {} ({}) cannot run jobs here: {}",
            engine.id(),
            engine.version(),
            engine.source(),
            readiness);
      }
    }
    if (options.handleSignals()) {
      Signals.install(this::onSignal);
    }
    HttpClient http = StudioHttp.client(schedule.connectTimeout());
    FrameCodec codec = new FrameCodec();
    Path discovery = Discovery.pathFor(store.path());
    // One model store and one catalogue for studio and local jobs alike.
    ModelStore models =
        new ModelStore(modelsRoot, http, options.clock(), Duration.ofMinutes(5), traffic);
    LocalCatalogue catalogue = new LocalCatalogue(options.configPath(), engines, options.clock());
    LocalJobService localJobs =
        new LocalJobService(
            gate, engines, catalogue, artifacts, board, modelsRoot, models, options.clock());
    try (LocalApiServer api =
            startLocalApi(config, store.path(), modelsRoot, detection, discovery, pinned, localJobs)
                .orElse(null);
        Supervisor scope = new Supervisor(this::onCrash)) {
      if (api == null) {
        // Nothing may read a file that names a server that is not there.
        Files.deleteIfExists(discovery);
      }
      SystemdNotifier notifier =
          SystemdNotifier.builder(SdNotify.fromEnvironment(options.env()))
              .session(board::session)
              .registration(board::registration)
              .lastAck(board::lastAck)
              .schedule(schedule)
              .watchdog(SdNotify.watchdogInterval(options.env()))
              .build();
      // Waiting for approval counts as serving once the local API is up, or at once without one.
      notifier.apiUp();
      systemd = notifier;
      scope.fork("systemd", notifier);
      // Only an installed distribution updates itself; the updater holds the job slot from the
      // install until this process exits.
      AutoUpdate.task(
              options.env(),
              config::get,
              gate,
              stop,
              board::session,
              board::registration,
              () -> {
                updateInstalled.set(true);
                stop.stopNow("update installed");
              })
          .ifPresent(task -> scope.fork("updater", task));
      // Why the heartbeat interval? A change to the file reaches the next heartbeat at the latest.
      scope.fork("config-watch", () -> watch(config, schedule.heartbeat()));
      // The heartbeat interval (5 s) again: each heartbeat carries a presence at most one old.
      scope.fork("presence", () -> samplePresence(presence, schedule.heartbeat()));
      return scope.runMain(
          () -> {
            WorkerConfig approved = config.get();
            while (!approved.isRegistered()) {
              board.session(new SessionState.WaitingForApproval());
              RegistrationGate registration =
                  new RegistrationGate(
                      config,
                      apiBase,
                      http,
                      codec,
                      schedule.connectTimeout(),
                      capabilities,
                      Version.userAgent(),
                      options.clock(),
                      new SecureRandom(),
                      board::registration,
                      resetCommand);
              RegistrationGate.Result result;
              try {
                result = registration.await(stop, schedule.registrationPoll());
              } catch (ConfigException e) {
                log.error("{}", e.getMessage());
                return ExitCodes.CONFIG;
              }
              switch (result) {
                case RegistrationGate.Stopped s -> {
                  board.session(new SessionState.Stopped());
                  return ExitCodes.OK;
                }
                case RegistrationGate.Rejected r -> {
                  if (api == null || !awaitReset(config)) {
                    return ExitCodes.REJECTED;
                  }
                }
                case RegistrationGate.Approved a -> {}
              }
              approved = config.get();
            }
            return runSession(
                approved,
                config,
                apiBase,
                http,
                codec,
                modelsRoot,
                engines,
                gpus,
                capabilities,
                models,
                catalogue);
          });
    } finally {
      localApi.set(null);
      // The API is closed: no local job starts now; one still running stops before the engines.
      if (!localJobs.cancelRunning(JOB_STOP_WAIT)) {
        log.warn(
            "a local job did not stop within {} s; closing its engine anyway",
            JOB_STOP_WAIT.toSeconds());
      }
    }
  }

  /**
   * A rejected registration keeps the daemon and its local API up until a reset ({@code POST
   * /daemon/registration/reset}) or a stop.
   *
   * @return true after a reset (the identity is cleared and saved: ask again), false on a stop
   */
  private boolean awaitReset(LiveConfig config) throws InterruptedException, ConfigException {
    board.session(new SessionState.Fatal("registration rejected by the operator"));
    rejected.set(true);
    log.info(
        "waiting for a reset of the registration (POST /daemon/registration/reset on the local"
            + " API) or a stop");
    try {
      while (!stop.await(Duration.ofMinutes(1), () -> resetRequested.get() || stop.isStopping())) {
        // Nothing to do until one of the two.
      }
      if (stop.isStopping()) {
        return false;
      }
    } finally {
      rejected.set(false);
      resetRequested.set(false);
    }
    config.update(WorkerConfig::withRegistrationReset);
    board.registration(new RegistrationState.Pristine());
    log.info("registration reset through the local API; asking the studio to join again");
    return true;
  }

  /**
   * Starts the local API (LOCAL_API.md): the port from the environment, else the config, else 4787,
   * falling back to a free port; the token from the config, minted and saved when absent. Writes
   * the discovery file once bound.
   *
   * @return empty when it could not start; the studio session runs all the same
   */
  private Optional<LocalApiServer> startLocalApi(
      LiveConfig config,
      Path configPath,
      Path modelsRoot,
      GpuDetection detection,
      Path discovery,
      @Nullable GpuDevice pinned,
      LocalJobs localJobs) {
    String token = config.get().localApiToken();
    if (token == null || token.isEmpty()) {
      byte[] bytes = new byte[32];
      new SecureRandom().nextBytes(bytes);
      String minted = java.util.HexFormat.of().formatHex(bytes);
      Redactor.register(minted);
      try {
        token =
            config
                .update(c -> new WorkerConfig.Builder(c).localApiToken(minted).build())
                .localApiToken();
      } catch (ConfigException e) {
        log.warn("local API not started: its token cannot be saved: {}", e.getMessage());
        return Optional.empty();
      }
    }
    String served = java.util.Objects.requireNonNull(token);
    Redactor.register(served);
    DaemonControl control = new Control(config, configPath, modelsRoot, detection, pinned);
    DaemonRoutes routes =
        new DaemonRoutes(control, () -> String.valueOf(localApi.get()), localJobs, artifacts);
    Map<String, LocalApiServer.Route> table = new java.util.LinkedHashMap<>(routes.table());
    table.putAll(new JobRoutes(localJobs, artifacts).table());
    Optional<LocalApiServer> started =
        LocalApiServer.start(
            GpuPins.localApiPort(config.get(), options.env(), pinned),
            served,
            table,
            DaemonRoutes::error);
    if (started.isEmpty()) {
      return started;
    }
    LocalApiServer api = started.get();
    try {
      api.publish(discovery, served);
    } catch (IOException e) {
      log.warn(
          "local API at {}: the discovery file {} cannot be written ({}); local clients will"
              + " not find it",
          api.url(),
          discovery,
          e.getMessage());
    }
    localApi.set(api.url());
    log.info("local API on {} (token in {})", api.url(), discovery);
    return started;
  }

  /** {@code STUDIO_WORKER_LOCAL_API_PORT} (an invalid value is warned of), else the config's. */
  public static int localApiPort(WorkerConfig config, Map<String, String> env) {
    return localApiPort(config, env, LocalApiServer.DEFAULT_PORT);
  }

  /** The same, with {@code fallback} when neither sets a port. */
  static int localApiPort(WorkerConfig config, Map<String, String> env, int fallback) {
    String fromEnv = env.get("STUDIO_WORKER_LOCAL_API_PORT");
    if (fromEnv != null && !fromEnv.isBlank()) {
      try {
        int port = Integer.parseInt(fromEnv.strip());
        if (port >= 0 && port <= 65535) {
          return port;
        }
      } catch (NumberFormatException e) {
        // Warned of below.
      }
      log.warn("STUDIO_WORKER_LOCAL_API_PORT is not a port number (0 to 65535); ignoring it");
    }
    Integer fromConfig = config.localApiPort();
    return fromConfig != null ? fromConfig : fallback;
  }

  /** The daemon as the local API sees it. */
  private final class Control implements DaemonControl {
    private final LiveConfig config;
    private final Path configPath;
    private final Path modelsRoot;
    private final GpuDetection detection;
    private final @Nullable GpuDevice pinned;
    private final WorkerMetrics metrics;
    private final CachedGpuReading gpus;

    Control(
        LiveConfig config,
        Path configPath,
        Path modelsRoot,
        GpuDetection detection,
        @Nullable GpuDevice pinned) {
      this.config = config;
      this.configPath = configPath;
      this.modelsRoot = modelsRoot;
      this.detection = detection;
      this.pinned = pinned;
      this.metrics = new WorkerMetrics(board, shipQueue, detection.inventory()::snapshot, traffic);
      this.gpus = new CachedGpuReading(detection.inventory(), options.clock());
    }

    @Override
    public StatusBoard board() {
      return board;
    }

    @Override
    public LiveConfig config() {
      return config;
    }

    @Override
    public Path configPath() {
      return configPath;
    }

    @Override
    public Path modelsRoot() {
      return modelsRoot;
    }

    @Override
    public boolean busy() {
      return gate.isBusy();
    }

    @Override
    public GpuRuntime gpuRuntime() {
      String warning = detection.warning();
      return new GpuRuntime(warning == null, warning == null ? detection.summary() : warning);
    }

    @Override
    public double vramTotalGb() {
      return detection.inventory().snapshot().totalGb();
    }

    @Override
    public @Nullable GpuDevice gpuPin() {
      return pinned;
    }

    @Override
    public List<GpuDevice> gpus() {
      return gpus.devices();
    }

    @Override
    public @Nullable String userPresence() {
      PresenceMonitor monitor = presence;
      return monitor == null ? null : monitor.presence().map(Presence::wireName).orElse(null);
    }

    @Override
    public void shutdown(String why) {
      if (stop.isStopping()) {
        log.info("{}: already stopping", why);
        return;
      }
      onSignal(why);
    }

    @Override
    public boolean resetRegistration() {
      if (!rejected.get()) {
        return false;
      }
      resetRequested.set(true);
      stop.poke();
      return true;
    }

    @Override
    public byte[] metrics() {
      return metrics.scrape();
    }
  }

  private int runSession(
      WorkerConfig config,
      LiveConfig live,
      URI apiBase,
      HttpClient http,
      FrameCodec codec,
      Path modelsRoot,
      EngineRegistry engines,
      GpuInventory gpus,
      CapabilitySource capabilities,
      ModelStore models,
      LocalCatalogue catalogue)
      throws InterruptedException {
    LoopSchedule schedule = options.schedule();
    String workerId = java.util.Objects.requireNonNull(config.workerId());
    String authToken = java.util.Objects.requireNonNull(config.authToken());
    Redactor.register(authToken);
    SessionLink link = new SessionLink(codec, schedule.sendTimeout());
    JobRunner jobs =
        new JobRunner(
            gate,
            engines,
            new ResultUploader(
                http, apiBase, Duration.ofMinutes(2), schedule.uploadRetryPauses(), traffic),
            link,
            codec,
            board,
            () -> board.isPaused() || stop.isStopping(),
            () -> {
              PresenceMonitor monitor = presence;
              return monitor == null ? null : monitor.refusal();
            },
            new JobRunner.Delivery() {
              @Override
              public String workerId() {
                return workerId;
              }

              @Override
              public String authToken() {
                return authToken;
              }
            },
            modelsRoot,
            models,
            estimate -> {
              // Read now: free memory moves with whatever else runs on the GPU.
              GpuSnapshot now = gpus.refresh(Duration.ofMillis(500));
              return switch (VramAdmission.decide(now, estimate, live.get().vramMarginGb())) {
                case VramAdmission.Accept accept -> null;
                case VramAdmission.Reject reject -> reject.reason();
              };
            },
            options.clock(),
            new StudioJobHook(catalogue, artifacts));
    Integer attempts = config.wsReconnectAttempts();
    Session session =
        new Session(
            http,
            new Session.Settings(
                StudioUrls.connect(apiBase, workerId),
                workerId,
                authToken,
                attempts == null ? 0 : attempts,
                () -> Duration.ofSeconds(live.get().drainTimeoutSecs()),
                options.maxFrameChars(),
                resetCommand),
            codec,
            schedule,
            stop,
            capabilities,
            jobs,
            link,
            shipQueue,
            board,
            new Backoff(
                schedule.backoffBase(), schedule.backoffMax(), new SecureRandom()::nextDouble),
            this::onCrash);
    Session.End end;
    try {
      end = session.run();
    } finally {
      stopJobInFlight(jobs);
    }
    return switch (end) {
      case Session.Stopped s -> {
        log.info("stopped");
        yield ExitCodes.OK;
      }
      case Session.AuthFailed a -> ExitCodes.AUTH_FAILED;
      case Session.Fatal f -> ExitCodes.FAILURE;
      case Session.GaveUp g -> ExitCodes.GAVE_UP;
    };
  }

  /** Samples the person's presence until stopped; nothing is read while only_when_idle is off. */
  private @Nullable Void samplePresence(PresenceMonitor presence, Duration interval)
      throws InterruptedException {
    try {
      do {
        presence.sample();
      } while (!stop.sleep(interval));
    } finally {
      presence.release();
    }
    return null;
  }

  /** Follows the config file until stopped: one {@code stat} per interval, a read on change. */
  private @Nullable Void watch(LiveConfig config, Duration interval) throws InterruptedException {
    while (!stop.sleep(interval)) {
      config.refresh();
    }
    return null;
  }

  /**
   * A background task failed unexpectedly: log it at error with its stack trace (which reaches the
   * crash reporter when one is set up), stop, and exit non-zero.
   */
  private void onCrash(String name, Throwable error) {
    log.error("{} failed unexpectedly: {}; stopping", name, error.toString(), error);
    crashed.compareAndSet(null, name);
    stop.stopNow(name + " failed");
  }

  private void onSignal(String name) {
    StopSignal.Phase phase = stop.escalate(name);
    if (phase == StopSignal.Phase.DRAINING) {
      SystemdNotifier notifier = systemd;
      if (notifier != null) {
        notifier.stopping();
      }
      String job = gate.holder();
      log.info(
          "received {}: no longer claiming jobs; {}",
          name,
          job == null ? "no job in flight, exiting" : "draining job " + job + " before exiting");
    } else {
      log.warn("received {} again: failing the job in flight and exiting now", name);
    }
  }

  /**
   * However the session ended (a stop, a fatal error, an auth failure, reconnects exhausted, a
   * crash), the job in flight is cancelled and given time to stop its engine's processes before the
   * engines close and the work folder is deleted: no engine process outlives the worker.
   */
  private static void stopJobInFlight(JobRunner jobs) throws InterruptedException {
    String job = jobs.currentJobId().orElse(null);
    if (job == null) {
      return;
    }
    log.warn("stopping job {}, still in flight as the session ended", job);
    if (!jobs.cancelInFlight(JOB_STOP_WAIT)) {
      log.warn(
          "job {} did not stop within {} s; closing its engine anyway",
          job,
          JOB_STOP_WAIT.toSeconds());
    }
  }

  /**
   * The command that re-registers this worker, as the operator must type it: with {@code --config}
   * when the worker does not use the standard config file.
   */
  static String resetCommand(Path configPath, Map<String, String> env) {
    Path given = configPath.toAbsolutePath().normalize();
    if (given.equals(ConfigStore.defaultPath(env).toAbsolutePath().normalize())) {
      return "studio-worker register --reset";
    }
    String path = given.toString();
    boolean plain =
        path.chars().allMatch(c -> Character.isLetterOrDigit(c) || "/._-+".indexOf(c) >= 0);
    return "studio-worker --config "
        + (plain ? path : "'" + path.replace("'", "'\\''") + "'")
        + " register --reset";
  }

  private static String machineName(Map<String, String> env) {
    String name = env.get("HOSTNAME");
    if (name != null && !name.isBlank()) {
      return name;
    }
    try {
      String fromFile = Files.readString(Path.of("/etc/hostname")).strip();
      if (!fromFile.isEmpty()) {
        return fromFile;
      }
    } catch (IOException e) {
      // Fall through to the JDK's answer.
    }
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static void deleteTree(@Nullable Path root) {
    if (root == null) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A temp folder left behind is harmless.
    }
  }
}
