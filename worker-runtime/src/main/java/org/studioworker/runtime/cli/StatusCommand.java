package org.studioworker.runtime.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.studioworker.gpu.GpuDetection;
import org.studioworker.gpu.GpuDevice;
import org.studioworker.gpu.GpuInventories;
import org.studioworker.gpu.GpuInventory;
import org.studioworker.gpu.GpuSnapshot;
import org.studioworker.runtime.Version;
import org.studioworker.runtime.config.ConfigException;
import org.studioworker.runtime.config.ConfigStore;
import org.studioworker.runtime.config.WorkerConfig;
import org.studioworker.runtime.daemon.ExitCodes;
import org.studioworker.runtime.daemon.GpuPins;
import org.studioworker.runtime.jobs.EngineRegistry;
import org.studioworker.runtime.localapi.DaemonClient;
import org.studioworker.runtime.logs.LogSetup;
import org.studioworker.runtime.plugins.PluginLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/**
 * {@code studio-worker status}: what the running daemon is doing, when one answers on the local
 * API, then what this worker is and how it is set up.
 */
@Command(
    name = "status",
    description = {
      "Show the running daemon's live state, then the config, engines and GPUs.",
      "The live part (session, pause, jobs, heartbeat) needs a daemon answering",
      "on the local API; without one the rest is shown alone."
    })
final class StatusCommand implements Callable<Integer> {
  private final StudioWorkerCommand parent;

  @picocli.CommandLine.Option(
      names = "--plugins",
      paramLabel = "DIR",
      description = "Also list engine plugin jars from DIR (repeatable).")
  java.util.List<Path> plugins = new java.util.ArrayList<>();

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  StatusCommand(StudioWorkerCommand parent) {
    this.parent = parent;
    this.spec = picocli.CommandLine.Model.CommandSpec.create();
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    ConfigStore store = new ConfigStore(parent.configPath());
    WorkerConfig config;
    try {
      config = Files.exists(store.path()) ? store.load() : WorkerConfig.defaults();
    } catch (ConfigException e) {
      spec.commandLine().getErr().println("error: " + e.getMessage());
      return ExitCodes.CONFIG;
    }
    out.println("studio-worker " + Version.describe());
    out.println("build:           " + Version.buildNote());
    try (DaemonClient daemon = new DaemonClient(parent.configPath(), () -> false)) {
      LiveStatus.print(out, daemon.status());
    }
    out.println(
        "config:          "
            + store.path()
            + (Files.exists(store.path()) ? "" : " (not created yet)"));
    String base;
    try {
      base = config.studioBase().toString();
    } catch (ConfigException e) {
      base = config.apiBaseUrl() + " (invalid: " + e.getMessage() + ")";
    }
    out.println("studio:          " + base);
    out.println("registration:    " + registration(config));
    out.println("vram threshold:  " + config.vramThresholdGb() + " GB");
    Path models = config.modelsRootPath(parent.env);
    out.println("models root:     " + models);
    out.println("auto-update:     " + autoUpdate(config));
    out.println("drain timeout:   " + config.drainTimeoutSecs() + " s");
    GpuPins.Request pin = GpuPins.configured(parent.env, config);
    out.println(
        "gpu pin:         "
            + (pin == null
                ? "none: every GPU (`run --gpu` pins one)"
                : "GPU " + pin.selector().text() + " (" + pin.source() + ")"));
    // The engines' and the GPU library's start-up warnings say what the lines below print.
    LogSetup.onlyErrors(parent.env);
    Path work = Files.createTempDirectory("studio-worker-status-");
    java.util.List<Path> pluginDirs =
        PluginLoader.folders(store.path().toAbsolutePath().getParent(), plugins);
    try (EngineRegistry engines = EngineRegistry.discover(models, work, pluginDirs)) {
      out.println("engines:");
      if (engines.roster().isEmpty()) {
        out.println("  none");
      }
      for (EngineRegistry.Engine engine : engines.roster()) {
        out.println(
            "  "
                + engine.id()
                + " "
                + engine.version()
                + " ("
                + engine.source()
                + "): "
                + engine.readiness());
        engine
            .serves()
            .forEach((kind, list) -> out.println("    " + kind + ": " + String.join(", ", list)));
      }
    } finally {
      Files.deleteIfExists(work);
    }
    GpuDetection detection = GpuInventories.detect(parent.env, System.getProperties());
    try (GpuInventory inventory = detection.inventory()) {
      printGpus(out, detection, inventory.snapshot(), pin == null ? null : pin.selector());
    }
    out.flush();
    return ExitCodes.OK;
  }

  /** Prints the GPUs; the one {@code pinned} names is marked {@code (pinned)}. */
  static void printGpus(
      PrintWriter out,
      GpuDetection detection,
      GpuSnapshot snapshot,
      org.studioworker.gpu.@org.jspecify.annotations.Nullable GpuSelector pinned) {
    out.println("gpus:            " + detection.summary());
    if (detection.warning() != null && !snapshot.devices().isEmpty()) {
      // With GPUs listed, the warning says why they come from a fallback rather than NVML.
      out.println("  (" + detection.warning() + ")");
    }
    for (GpuDevice gpu : snapshot.devices()) {
      out.println(
          "  GPU "
              + gpu.index()
              + ": "
              + gpu.name()
              + (gpu.uuid() == null ? "" : " " + gpu.uuid())
              + (pinned != null && pinned.matches(gpu) ? " (pinned)" : ""));
      out.println(
          "    memory "
              + gb(gpu.totalBytes())
              + " total, "
              + gb(gpu.freeBytes())
              + " free, "
              + gb(gpu.usedBytes())
              + " used; utilisation "
              + (gpu.utilisationPercent() == null ? "n/a" : gpu.utilisationPercent() + " %")
              + "; temperature "
              + (gpu.temperatureCelsius() == null ? "n/a" : gpu.temperatureCelsius() + " °C"));
    }
    if (snapshot.driverVersion() != null) {
      out.println("  driver " + snapshot.driverVersion());
    }
  }

  private static String gb(@org.jspecify.annotations.Nullable Long bytes) {
    return bytes == null
        ? "n/a"
        : String.format(java.util.Locale.ROOT, "%.1f GB", bytes / (1024.0 * 1024.0 * 1024.0));
  }

  /** Whether the worker updates itself: "on" only when there is a feed to ask. */
  static String autoUpdate(WorkerConfig config) {
    String feed = config.autoUpdateFeed();
    boolean hasFeed = feed != null && !feed.isBlank();
    if (!config.autoUpdateEnabled()) {
      return "off" + (hasFeed ? " (feed " + feed + ")" : "");
    }
    if (!hasFeed) {
      return "on, but no feed configured";
    }
    return "on, every "
        + config.autoUpdateIntervalSecs()
        + " s, feed "
        + feed
        + (config.autoUpdatePrerelease() ? ", prereleases included" : "");
  }

  private static String registration(WorkerConfig config) {
    if (config.isRegistered()) {
      return "approved as " + config.workerId();
    }
    if (config.registrationRequestId() != null) {
      return "pending (request " + config.registrationRequestId() + "): waiting for an operator";
    }
    return "unregistered: `studio-worker run` asks the studio to join";
  }
}
