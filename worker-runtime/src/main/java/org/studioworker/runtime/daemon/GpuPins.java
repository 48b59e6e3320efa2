package org.studioworker.runtime.daemon;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import org.jspecify.annotations.Nullable;
import org.studioworker.gpu.GpuDevice;
import org.studioworker.gpu.GpuSelector;
import org.studioworker.runtime.config.ConfigStore;
import org.studioworker.runtime.config.WorkerConfig;
import org.studioworker.runtime.localapi.LocalApiServer;

/**
 * Pinning a worker to one GPU: where the pin comes from, and what follows from it (the engines'
 * environment, the machine name, the local API port, the per-GPU config file).
 *
 * <p>Stateless; thread-safe.
 */
public final class GpuPins {
  /** The environment variable that pins a worker, below {@code run --gpu} and above the config. */
  public static final String ENV = "STUDIO_WORKER_GPU";

  private GpuPins() {}

  /**
   * A pin and where it was asked for.
   *
   * @param source how the operator wrote it, for messages: {@code --gpu 7}, {@code
   *     STUDIO_WORKER_GPU=7} or {@code config key gpu = 7}
   */
  public record Request(GpuSelector selector, String source) {
    /** Rejects nulls. */
    public Request {
      Objects.requireNonNull(selector, "selector");
      Objects.requireNonNull(source, "source");
    }
  }

  /**
   * The pin from {@code run --gpu}, else from {@code STUDIO_WORKER_GPU} (a blank value is none).
   *
   * @throws IllegalArgumentException when the one that applies is not a GPU index or UUID; the
   *     message names it
   */
  public static @Nullable Request fromOptionOrEnv(
      @Nullable String option, Map<String, String> env) {
    if (option != null) {
      return parse(option, "--gpu " + option.strip());
    }
    String fromEnv = env.get(ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return parse(fromEnv, ENV + "=" + fromEnv.strip());
    }
    return null;
  }

  /** The pin of the config key {@code gpu}, already checked when the file was read. */
  public static @Nullable Request fromConfig(WorkerConfig config) {
    String gpu = config.gpu();
    return gpu == null ? null : new Request(GpuSelector.parse(gpu), "config key gpu = " + gpu);
  }

  /**
   * The pin that applies, for commands other than {@code run}: the environment's, else the
   * config's; null when neither pins, or when the environment's value is not a GPU.
   */
  public static @Nullable Request configured(Map<String, String> env, WorkerConfig config) {
    try {
      Request fromEnv = fromOptionOrEnv(null, env);
      return fromEnv != null ? fromEnv : fromConfig(config);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static Request parse(String text, String source) {
    try {
      return new Request(GpuSelector.parse(text), source);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
  }

  /**
   * The config file of a worker started with {@code run --gpu} and no {@code --config}: {@code
   * gpu-<selector>/config.toml} in the folder of the default config file, so that each GPU's worker
   * has its own registration, lock, local API token and discovery file.
   */
  public static Path configPath(GpuSelector selector, Map<String, String> env) {
    Path standard = ConfigStore.defaultPath(env).toAbsolutePath();
    Path dir = Objects.requireNonNull(standard.getParent(), "the default config has a folder");
    return dir.resolve("gpu-" + selector.text()).resolve(standard.getFileName());
  }

  /**
   * What every engine program of a pinned worker must get: {@code CUDA_VISIBLE_DEVICES} set to the
   * GPU's UUID (CUDA accepts UUIDs there, and unlike an index a UUID does not depend on {@code
   * CUDA_DEVICE_ORDER}), and {@code GGML_VK_VISIBLE_DEVICES} set to its Vulkan device index when
   * that is known (Vulkan numbers devices in an order of its own).
   */
  public static Map<String, String> processEnv(GpuDevice device, OptionalInt vulkanIndex) {
    Map<String, String> env = new LinkedHashMap<>();
    if (device.uuid() != null) {
      env.put("CUDA_VISIBLE_DEVICES", device.uuid());
    }
    vulkanIndex.ifPresent(index -> env.put("GGML_VK_VISIBLE_DEVICES", Integer.toString(index)));
    return Map.copyOf(env);
  }

  /** {@code <host> GPU <index>}: the operator approving one request per GPU tells them apart. */
  public static String machineName(String host, @Nullable GpuDevice pinned) {
    return pinned == null ? host : host + " GPU " + pinned.index();
  }

  /**
   * The local API port: {@code STUDIO_WORKER_LOCAL_API_PORT}, else the config's {@code
   * local_api_port}, else 4787, plus the pinned GPU's index when neither is set (4787 for GPU 0,
   * 4788 for GPU 1, …); a port that is taken falls back to a free one when the server binds.
   */
  public static int localApiPort(
      WorkerConfig config, Map<String, String> env, @Nullable GpuDevice pinned) {
    int fallback =
        pinned == null
            ? LocalApiServer.DEFAULT_PORT
            : Math.min(65535, LocalApiServer.DEFAULT_PORT + pinned.index());
    return WorkerDaemon.localApiPort(config, env, fallback);
  }
}
