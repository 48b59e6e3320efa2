package org.studioworker.executors.onnx;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.studioworker.spi.Claim;
import org.studioworker.spi.EngineId;
import org.studioworker.spi.Executor;
import org.studioworker.spi.ExecutorException;
import org.studioworker.spi.FileRole;
import org.studioworker.spi.JobContext;
import org.studioworker.spi.JobResult;
import org.studioworker.spi.ModelFile;
import org.studioworker.spi.Task;
import org.studioworker.spi.TaskKind;
import org.studioworker.spi.UnsupportedJobException;
import org.studioworker.spi.net.InputDownloads;

/**
 * LaMa object removal ({@code modelSource.engine = onnx}): an image job with an init image and a
 * mask comes back with what the mask covers painted over, every pixel outside the mask's feather
 * unchanged (ENGINES.md, "onnx").
 *
 * <p>Advertises {@code image: ["onnx:*"]}, as the original. ONNX Runtime is loaded at the first
 * job, not at start: a worker that waits for jobs does not hold its 24 MiB, nor spend its 100 ms of
 * loading on the way to {@code hello}. Runs one job at a time; {@link #readiness} and {@link
 * #serves} never block.
 */
final class OnnxExecutor implements Executor {
  /** What the studio's capability matching reads: any model of this engine. */
  static final String ANY_MODEL = "onnx:*";

  private final Supplier<OrtHost.Loaded> loader;
  private final String pending;
  private final InputDownloads downloads;
  private volatile @Nullable LamaSession session;
  private volatile @Nullable String problem;

  /**
   * An executor that loads the runtime at its first job.
   *
   * @param loader loads the runtime; throws {@link IllegalStateException} with the reason when it
   *     cannot
   * @param pending the readiness until then ({@code ok: …, loaded at the first job})
   */
  OnnxExecutor(Supplier<OrtHost.Loaded> loader, String pending, InputDownloads downloads) {
    this.loader = loader;
    this.pending = pending;
    this.downloads = downloads;
  }

  /** An executor that cannot run here, and says why. */
  static OnnxExecutor unable(String problem, InputDownloads downloads) {
    OnnxExecutor executor =
        new OnnxExecutor(
            () -> {
              throw new IllegalStateException(problem);
            },
            problem,
            downloads);
    executor.problem = problem;
    return executor;
  }

  @Override
  public Map<TaskKind, List<String>> serves() {
    return problem != null ? Map.of() : Map.of(TaskKind.IMAGE, List.of(ANY_MODEL));
  }

  @Override
  public String readiness() {
    String failed = problem;
    LamaSession loaded = session;
    return failed != null ? failed : loaded != null ? "ok: " + loaded.detail() : pending;
  }

  /** The session, the runtime loaded first when this is the first job. */
  private synchronized LamaSession session() throws ExecutorException {
    LamaSession loaded = session;
    if (loaded == null && problem == null) {
      try {
        loaded = new LamaSession(loader.get());
        session = loaded;
      } catch (IllegalStateException e) {
        problem = String.valueOf(e.getMessage());
        System.getLogger("onnx").log(System.Logger.Level.WARNING, problem);
      }
    }
    if (loaded == null) {
      throw new ExecutorException("the onnx engine cannot run here: " + problem);
    }
    return loaded;
  }

  /** Sessions built so far (a second job of one model builds none). */
  int sessionsBuilt() {
    LamaSession loaded = session;
    return loaded == null ? 0 : loaded.sessionsBuilt();
  }

  @Override
  public JobResult run(Claim claim, JobContext context)
      throws ExecutorException, InterruptedException {
    if (!claim.modelSource().engine().equals(EngineId.ONNX)) {
      throw new UnsupportedJobException(
          "the onnx engine runs only jobs whose modelSource.engine is onnx, not "
              + claim.modelSource().engine());
    }
    if (!(claim.task() instanceof Task.Image image)) {
      throw new UnsupportedJobException(
          "the onnx engine runs only image jobs (object removal), not " + claim.task().kind());
    }
    String initUrl = required("initImageUrl", image.initImageUrl());
    String maskUrl = required("maskUrl", image.maskUrl());
    ModelFile weights =
        claim.modelSource().files().stream()
            .filter(f -> f.role() == FileRole.MODEL)
            .findFirst()
            .orElseThrow(
                () ->
                    new ExecutorException(
                        "onnx modelSource has no model file (the .onnx weights)"));

    LamaSession lama = session();
    Path modelPath = context.modelFile(weights);
    cancelled(context);
    byte[] initBytes = downloads.fetch("initImageUrl", initUrl);
    cancelled(context);
    byte[] maskBytes = downloads.fetch("maskUrl", maskUrl);
    cancelled(context);
    Raster init = Images.decode("initImageUrl", initBytes);
    Raster mask = Images.decode("maskUrl", maskBytes).luma();
    context
        .log()
        .info(
            "onnx: init image "
                + init.width()
                + "x"
                + init.height()
                + ", mask "
                + mask.width()
                + "x"
                + mask.height()
                + ", output "
                + image.width()
                + "x"
                + image.height());

    long started = System.nanoTime();
    boolean built = lama.prepare(modelPath);
    context
        .log()
        .info(
            (built ? "onnx: loaded " : "onnx: reusing the loaded ")
                + modelPath.getFileName()
                + (built ? " in " + (System.nanoTime() - started) / 1_000_000 + " ms" : ""));
    Raster base = init.resized(image.width(), image.height(), 3);
    Raster grey = mask.resized(image.width(), image.height(), 1);
    Inpainting.Box box = Inpainting.cropBox(grey);
    context
        .log()
        .info(
            box == null
                ? "onnx: the model sees the whole image"
                : "onnx: the model sees the square "
                    + box.side()
                    + " px at ("
                    + box.x()
                    + ","
                    + box.y()
                    + ")");
    long pass = System.nanoTime();
    Raster out;
    try {
      out = Inpainting.removeObject(base, grey, (in, m) -> lama.run(in, m, context::isCancelled));
    } catch (ExecutorException | InterruptedException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new ExecutorException("the object removal failed: " + OrtHost.reason(e), e);
    }
    JobResult.Binary result = Images.encode(out, image.ext());
    context
        .log()
        .info(
            "onnx: done in "
                + (System.nanoTime() - pass) / 1_000_000
                + " ms, "
                + result.ext()
                + " of "
                + result.size()
                + " bytes");
    return result;
  }

  private static String required(String what, @Nullable String url) throws ExecutorException {
    if (url == null || url.isBlank()) {
      throw new ExecutorException(
          "an onnx job (object removal) needs " + what + "; the task has none");
    }
    return url;
  }

  private static void cancelled(JobContext context) throws InterruptedException {
    if (context.isCancelled() || Thread.currentThread().isInterrupted()) {
      throw new InterruptedException("the job was cancelled");
    }
  }

  @Override
  public void close() {
    LamaSession loaded = session;
    if (loaded != null) {
      loaded.close();
    }
  }
}
