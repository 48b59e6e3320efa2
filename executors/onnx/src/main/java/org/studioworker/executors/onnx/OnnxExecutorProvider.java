package org.studioworker.executors.onnx;

import java.util.Map;
import org.studioworker.spi.EngineId;
import org.studioworker.spi.Executor;
import org.studioworker.spi.ExecutorEnvironment;
import org.studioworker.spi.ExecutorProvider;
import org.studioworker.spi.net.InputDownloads;

/**
 * Provides the onnx engine ({@code modelSource.engine = onnx}): LaMa object removal on ONNX
 * Runtime.
 *
 * <p>Creating the executor loads ONNX Runtime (its natives copied to {@code
 * <models_root>/.onnxruntime/} on the first start) and probes CUDA when its GPU natives are
 * installed there. It never fails: when the runtime cannot load, the engine says why in {@code
 * readiness()} and serves nothing.
 */
public final class OnnxExecutorProvider implements ExecutorProvider {
  /** Called by {@link java.util.ServiceLoader}; does no work. */
  public OnnxExecutorProvider() {}

  @Override
  public EngineId engine() {
    return EngineId.ONNX;
  }

  @Override
  public String version() {
    return "0.5.0";
  }

  @Override
  public Executor create(ExecutorEnvironment environment) {
    InputDownloads downloads = InputDownloads.create(InputDownloads.DEFAULT_MAX_BYTES);
    try {
      OrtHost.Loaded runtime =
          OrtHost.load(environment.modelsRoot(), cudaDevice(environment.processEnv()));
      return new OnnxExecutor(runtime, null, downloads);
    } catch (IllegalStateException e) {
      System.getLogger("onnx").log(System.Logger.Level.WARNING, e.getMessage());
      return new OnnxExecutor(null, e.getMessage(), downloads);
    }
  }

  /**
   * The CUDA device to probe: a worker pinned to one GPU runs its engines with {@code
   * CUDA_VISIBLE_DEVICES} naming it; in-process, that index is the device. 0 otherwise.
   */
  static int cudaDevice(Map<String, String> processEnv) {
    String visible = processEnv.getOrDefault("CUDA_VISIBLE_DEVICES", "");
    try {
      return visible.isBlank() ? 0 : Math.max(0, Integer.parseInt(visible.strip()));
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
