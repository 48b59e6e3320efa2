package org.studioworker.executors.sdcpp;

import java.util.Map;
import org.studioworker.spi.EngineId;
import org.studioworker.spi.Executor;
import org.studioworker.spi.ExecutorEnvironment;
import org.studioworker.spi.ExecutorProvider;
import org.studioworker.spi.net.InputDownloads;

/**
 * Provides the sd-cpp engine ({@code modelSource.engine = sd-cpp}): image jobs through
 * stable-diffusion.cpp's {@code sd-cli}.
 *
 * <p>Creating the executor looks for sd-cli and the Vulkan loader and logs what it found once; it
 * never fails, so the engine loads even on a machine where it cannot run yet. Thread-safe.
 */
public final class SdCppExecutorProvider implements ExecutorProvider {
  private static final System.Logger LOG = System.getLogger("sd-cpp");

  private final Map<String, String> env;

  /** Called by {@link java.util.ServiceLoader}; reads the process environment. */
  public SdCppExecutorProvider() {
    this(System.getenv());
  }

  /** A provider that reads the given environment instead of the process's. */
  SdCppExecutorProvider(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  @Override
  public EngineId engine() {
    return EngineId.SD_CPP;
  }

  @Override
  public String version() {
    return "0.5.0";
  }

  @Override
  public Executor create(ExecutorEnvironment environment) {
    SdCppSettings settings = SdCppSettings.fromEnv(env);
    SdCliExecutor executor =
        new SdCliExecutor(
            env,
            environment.modelsRoot(),
            environment.workDir(),
            environment.processEnv(),
            settings,
            VulkanLoaderProbe.forMachine(env),
            InputDownloads.create(settings.maxInputBytes()),
            System::nanoTime);
    // The daemon logs each engine's readiness once, in its roster; the details are for debugging.
    LOG.log(
        System.Logger.Level.DEBUG,
        "{0}; job timeout {1} s",
        executor.describe(),
        settings.jobTimeout().toSeconds());
    return executor;
  }

  /**
   * Whether the GPU runtime that sd-cli needs is here, for {@code status}: the Vulkan loader's
   * location, or the exact remedy ({@code install the Vulkan loader: apt-get install libvulkan1}).
   *
   * <p>Checks now; blocks for at most one {@code ldconfig -p} run.
   */
  public String preflight() {
    return VulkanLoaderProbe.forMachine(env).check().detail();
  }
}
