package org.studioworker.runtime.localapi;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.studioworker.runtime.config.LiveConfig;
import org.studioworker.runtime.status.StatusBoard;

/** What the local API reads from and asks of the running daemon. */
public interface DaemonControl {
  /** The GPU runtime as {@code /healthz} and {@code /daemon/status} show it. */
  record GpuRuntime(boolean ok, String detail) {}

  /** The one read model. */
  StatusBoard board();

  /** The running config, which the config routes read and change. */
  LiveConfig config();

  Path configPath();

  Path modelsRoot();

  /** Whether the job gate is taken. */
  boolean busy();

  /** The GPUs found, or null when the worker did not look yet. */
  @Nullable GpuRuntime gpuRuntime();

  /** The VRAM the worker advertises, in GB. */
  double vramTotalGb();

  /** The GPU this worker is pinned to, or null when it uses every GPU. */
  default org.studioworker.gpu.@Nullable GpuDevice gpuPin() {
    return null;
  }

  /**
   * The GPUs with their memory, read at most once a second (LOCAL_API.md, ours); empty with no GPU.
   * Blocks a fraction of a second at most.
   */
  default java.util.List<org.studioworker.gpu.GpuDevice> gpus() {
    return java.util.List.of();
  }

  /**
   * Whether the person at this computer is {@code "idle"} or {@code "active"}; null when unknown or
   * only_when_idle is off.
   */
  default @Nullable String userPresence() {
    return null;
  }

  /** Starts the graceful stop, as SIGTERM does. */
  void shutdown(String why);

  /**
   * Clears a rejected registration and asks the studio again.
   *
   * @return false when the registration is not rejected (nothing was done)
   */
  boolean resetRegistration();

  /** The Prometheus text exposition of the worker's metrics. */
  byte[] metrics();
}
