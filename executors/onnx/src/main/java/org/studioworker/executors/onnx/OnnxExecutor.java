package org.studioworker.executors.onnx;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
 * <p>Advertises {@code image: ["onnx:*"]}, as the original. Runs one job at a time; {@link
 * #readiness} and {@link #serves} never block.
 */
final class OnnxExecutor implements Executor {
  /** What the studio's capability matching reads: any model of this engine. */
  static final String ANY_MODEL = "onnx:*";

  private final @Nullable LamaSession session;
  private final String readiness;
  private final InputDownloads downloads;

  /**
   * An executor on a loaded runtime, or one that says why it has none.
   *
   * @param runtime the runtime, or null when it did not load
   * @param problem why the runtime did not load, when it did not
   */
  OnnxExecutor(
      OrtHost.@Nullable Loaded runtime, @Nullable String problem, InputDownloads downloads) {
    this.session = runtime == null ? null : new LamaSession(runtime);
    this.readiness = runtime != null ? "ok: " + runtime.detail() : String.valueOf(problem);
    this.downloads = downloads;
  }

  @Override
  public Map<TaskKind, List<String>> serves() {
    return session == null ? Map.of() : Map.of(TaskKind.IMAGE, List.of(ANY_MODEL));
  }

  @Override
  public String readiness() {
    return readiness;
  }

  /** Sessions built so far (a second job of one model builds none). */
  int sessionsBuilt() {
    return session == null ? 0 : session.sessionsBuilt();
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
    LamaSession lama = session;
    if (lama == null) {
      throw new ExecutorException("the onnx engine cannot run here: " + readiness);
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
    if (session != null) {
      session.close();
    }
  }
}
