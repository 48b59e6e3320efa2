package org.studioworker.executors.onnx;

import java.nio.file.Path;
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
 * <p>The executor loads ONNX Runtime at its first job (its natives copied to {@code
 * <models_root>/.onnxruntime/} the first time) and probes CUDA then when its GPU natives are
 * installed there. Creating it never fails: where the runtime cannot run, the engine says why in
 * {@code readiness()} and serves nothing.
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
    String platform = OrtHost.platform();
    if (platform == null) {
      return OnnxExecutor.unable(OrtHost.unsupportedPlatform(), downloads);
    }
    Path modelsRoot = environment.modelsRoot();
    int device = cudaDevice(environment.processEnv());
    String where =
        OrtHost.hasCudaNatives(modelsRoot, platform)
            ? "the GPU natives are installed: CUDA device " + device + " is probed then"
            : "on the CPU";
    return new OnnxExecutor(
        () -> OrtHost.load(modelsRoot, device),
        "ok: ONNX Runtime " + OrtHost.ORT_VERSION + ", loaded at the first job (" + where + ")",
        downloads);
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
