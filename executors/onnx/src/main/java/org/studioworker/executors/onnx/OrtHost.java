package org.studioworker.executors.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * ONNX Runtime, loaded once per process: its natives copied out of this jar into a cache folder
 * under {@code models_root} (once per version, not into a new {@code /tmp} folder on every start)
 * and loaded from there through {@code onnxruntime.native.path}, and the execution provider that
 * runs.
 *
 * <p>The CPU natives ship in the jar. The GPU natives ({@code onnxruntime_gpu}, CUDA 12, 640 MB) do
 * not: an operator who installs them into {@link #cudaFolder} gets them loaded instead, and {@code
 * addCUDA} probed; when the probe fails (no CUDA 12 or cuDNN 9 on the machine) jobs run on the CPU
 * and the reason is kept for {@code status} (docs/onnx.md). Thread-safe.
 */
final class OrtHost {
  private static final System.Logger LOG = System.getLogger("onnx");

  /** The version of the ONNX Runtime classes in this jar; the cache folder is named after it. */
  static final String ORT_VERSION = "1.29.0";

  /** The natives of the CPU build, as they sit in the jar. */
  private static final List<String> CPU_LIBRARIES =
      List.of("libonnxruntime.so", "libonnxruntime4j_jni.so");

  /** What the GPU build needs besides the CPU names. */
  private static final List<String> CUDA_LIBRARIES =
      List.of(
          "libonnxruntime.so",
          "libonnxruntime4j_jni.so",
          "libonnxruntime_providers_shared.so",
          "libonnxruntime_providers_cuda.so");

  private static final String NATIVE_PATH = "onnxruntime.native.path";

  /** Where jobs run. */
  enum Provider {
    CPU,
    CUDA
  }

  /**
   * The loaded runtime.
   *
   * @param environment the process's one environment
   * @param provider where sessions run
   * @param detail one line for {@code status}: the version, the provider and why
   * @param cudaDevice the device index given to {@code addCUDA} when the provider is CUDA
   */
  record Loaded(OrtEnvironment environment, Provider provider, String detail, int cudaDevice) {
    /** Options for a new session on this provider. */
    OrtSession.SessionOptions sessionOptions() throws OrtException {
      OrtSession.SessionOptions options = new OrtSession.SessionOptions();
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      if (provider == Provider.CUDA) {
        options.addCUDA(cudaDevice);
      }
      return options;
    }
  }

  private static @Nullable Loaded loaded;

  private OrtHost() {}

  /** The platform folder of the natives in the jar, or null where none ship. */
  static @Nullable String platform() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    if (!os.contains("linux")) {
      return null;
    }
    return switch (arch) {
      case "amd64", "x86_64" -> "linux-x64";
      case "aarch64", "arm64" -> "linux-aarch64";
      default -> null;
    };
  }

  /** Why the runtime cannot run on a platform {@link #platform} does not know. */
  static String unsupportedPlatform() {
    return "this plugin carries ONNX Runtime for linux-x64 and linux-aarch64 only, not "
        + System.getProperty("os.name")
        + "/"
        + System.getProperty("os.arch");
  }

  /** The folder the CPU natives are copied to. */
  static Path cpuFolder(Path modelsRoot, String platform) {
    return modelsRoot.resolve(".onnxruntime").resolve(ORT_VERSION).resolve(platform);
  }

  /** The folder an operator installs the GPU natives into (docs/onnx.md). */
  static Path cudaFolder(Path modelsRoot, String platform) {
    return modelsRoot.resolve(".onnxruntime").resolve(ORT_VERSION).resolve(platform + "-cuda");
  }

  /** Whether an operator installed the GPU natives (docs/onnx.md); nothing is loaded. */
  static boolean hasCudaNatives(Path modelsRoot, String platform) {
    return holdsAll(cudaFolder(modelsRoot, platform), CUDA_LIBRARIES);
  }

  /**
   * Loads the runtime, the first call only; later calls return what the first loaded.
   *
   * @param cudaDevice the CUDA device to probe (the worker's pinned GPU, else 0)
   * @throws IllegalStateException with the reason when the runtime cannot load here
   */
  static synchronized Loaded load(Path modelsRoot, int cudaDevice) {
    Loaded done = loaded;
    if (done != null) {
      return done;
    }
    String platform = platform();
    if (platform == null) {
      throw new IllegalStateException(unsupportedPlatform());
    }
    Path cuda = cudaFolder(modelsRoot, platform);
    String cudaProblem = null;
    if (holdsAll(cuda, CUDA_LIBRARIES)) {
      try {
        done = loadFrom(cuda, cudaDevice);
      } catch (LinkageError | IllegalStateException e) {
        cudaProblem = "the GPU natives in " + cuda + " did not load (" + reason(e) + ")";
        LOG.log(System.Logger.Level.WARNING, cudaProblem + "; using the CPU natives");
      }
    }
    if (done == null) {
      Path cpu = cpuFolder(modelsRoot, platform);
      extract(platform, cpu);
      done = loadFrom(cpu, -1);
      if (cudaProblem != null) {
        done =
            new Loaded(done.environment(), done.provider(), done.detail() + "; " + cudaProblem, -1);
      }
    }
    loaded = done;
    LOG.log(System.Logger.Level.INFO, "ONNX Runtime: " + done.detail());
    return done;
  }

  private static Loaded loadFrom(Path folder, int cudaDevice) {
    System.setProperty(NATIVE_PATH, folder.toString());
    OrtEnvironment environment;
    try {
      environment =
          OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING, "studio-worker");
    } catch (LinkageError | IllegalCallerException e) {
      throw new IllegalStateException("ONNX Runtime did not load: " + reason(e), e);
    } catch (RuntimeException e) {
      throw new IllegalStateException("ONNX Runtime did not start: " + reason(e), e);
    }
    return cudaDevice < 0
        ? new Loaded(
            environment,
            Provider.CPU,
            "ONNX Runtime " + environment.getVersion() + " on the CPU",
            -1)
        : probe(environment, cudaDevice);
  }

  /**
   * Whether sessions can run on CUDA device {@code cudaDevice}: {@code addCUDA} succeeds only with
   * the GPU natives on a machine with CUDA 12 and cuDNN 9. On failure, the CPU, and why.
   */
  static Loaded probe(OrtEnvironment environment, int cudaDevice) {
    String version = "ONNX Runtime " + environment.getVersion();
    try (OrtSession.SessionOptions probe = new OrtSession.SessionOptions()) {
      probe.addCUDA(cudaDevice);
      return new Loaded(
          environment, Provider.CUDA, version + " on CUDA device " + cudaDevice, cudaDevice);
    } catch (OrtException | RuntimeException | LinkageError e) {
      return new Loaded(
          environment,
          Provider.CPU,
          version + " on the CPU (CUDA did not start: " + reason(e) + ")",
          -1);
    }
  }

  /** Copies the CPU natives out of the jar, unless an earlier start left them there whole. */
  static void extract(String platform, Path folder) {
    try {
      Files.createDirectories(folder);
      for (String name : CPU_LIBRARIES) {
        String resource = "/ai/onnxruntime/native/" + platform + "/" + name;
        Path target = folder.resolve(name);
        try (InputStream in = OrtHost.class.getResourceAsStream(resource)) {
          if (in == null) {
            throw new IllegalStateException("this plugin jar lacks " + resource);
          }
          long size = resourceSize(resource);
          if (Files.isRegularFile(target) && Files.size(target) == size) {
            continue;
          }
          // Written beside and renamed over: a second worker on the same models_root, or a
          // crash half-way, never leaves a torn library behind.
          Path part = Files.createTempFile(folder, name, ".part");
          try {
            Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
            move(part, target);
          } finally {
            Files.deleteIfExists(part);
          }
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(
          "could not copy the ONNX Runtime natives to " + folder + ": " + reason(e), e);
    }
  }

  /** The entry's size from the jar's directory, without inflating it. */
  private static long resourceSize(String resource) throws IOException {
    java.net.URL url = OrtHost.class.getResource(resource);
    return url == null ? -1 : url.openConnection().getContentLengthLong();
  }

  private static void move(Path part, Path target) throws IOException {
    try {
      Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static boolean holdsAll(Path folder, List<String> names) {
    for (String name : names) {
      if (!Files.isRegularFile(folder.resolve(name))) {
        return false;
      }
    }
    return true;
  }

  static String reason(Throwable e) {
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }
}
