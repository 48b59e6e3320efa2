package org.studioworker.runtime.session;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.studioworker.gpu.GpuInventory;
import org.studioworker.protocol.Capabilities;
import org.studioworker.runtime.config.WorkerConfig;
import org.studioworker.runtime.jobs.EngineRegistry;

/**
 * Builds the worker's capabilities, live, from the engines, the GPU inventory, the config and the
 * claim switch.
 *
 * <p>Cheap enough to call for every heartbeat. Thread-safe.
 */
public final class CapabilitySource implements Supplier<Capabilities> {
  private final String machineName;
  private final String username;
  private final String agentVersion;
  private final EngineRegistry engines;
  private final GpuInventory gpus;
  private final Supplier<WorkerConfig> config;
  private final BooleanSupplier claimingStopped;
  private final Supplier<@Nullable String> userPresence;

  /**
   * A source.
   *
   * @param claimingStopped true while the worker must not claim (paused or draining); the
   *     capabilities then say {@code autoEnabled:false}
   * @param userPresence {@code "idle"}, {@code "active"}, or null when unknown (then left out)
   */
  public CapabilitySource(
      String machineName,
      String username,
      String agentVersion,
      EngineRegistry engines,
      GpuInventory gpus,
      Supplier<WorkerConfig> config,
      BooleanSupplier claimingStopped,
      Supplier<@Nullable String> userPresence) {
    this.userPresence = userPresence;
    this.machineName = machineName;
    this.username = username;
    this.agentVersion = agentVersion;
    this.engines = engines;
    this.gpus = gpus;
    this.config = config;
    this.claimingStopped = claimingStopped;
  }

  @Override
  public Capabilities get() {
    WorkerConfig c = config.get();
    return Capabilities.of(
            machineName,
            username,
            agentVersion,
            round(gpus.snapshot().totalGb()),
            c.vramThresholdGb(),
            !claimingStopped.getAsBoolean(),
            c.autoStart(),
            engines.served())
        .withClientSettings(
            c.autoUpdateEnabled(), c.startMinimised(), c.onlyWhenIdle(), userPresence.get());
  }

  /** The one-line summary logged per session attempt. */
  public String summary() {
    Capabilities c = get();
    return "capabilities: engine="
        + c.engine()
        + " vram="
        + c.vramTotalGb()
        + " GB threshold="
        + c.vramThresholdGb()
        + " GB paused="
        + !c.autoEnabled()
        + " kinds="
        + c.taskKinds()
        + " models="
        + c.supportedModels();
  }

  /** The threshold-over-VRAM warning, or null when it does not apply. */
  public @Nullable String thresholdWarning() {
    double total = gpus.snapshot().totalGb();
    double threshold = config.get().vramThresholdGb();
    if (total > 0 && threshold > total) {
      return "vram_threshold_gb "
          + threshold
          + " GB is above the detected VRAM of "
          + round(total)
          + " GB; the studio may offer jobs this machine cannot fit (studio-worker set-threshold"
          + " <gb> lowers it)";
    }
    return null;
  }

  private static double round(double gb) {
    return Math.round(gb * 10.0) / 10.0;
  }
}
