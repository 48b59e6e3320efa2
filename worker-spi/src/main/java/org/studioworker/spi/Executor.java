package org.studioworker.spi;

import java.util.List;
import java.util.Map;

/**
 * One engine, ready to run jobs.
 *
 * <p>The runtime runs at most one job at a time per worker and calls {@link #run} on a thread of
 * its own for each job; {@link #serves()} may be called from any thread at any time.
 */
public interface Executor extends AutoCloseable {
  /**
   * What this engine can run now: each task kind with the model ids it serves for that kind.
   *
   * <p>Does not block. The runtime takes the union over all engines for the worker's capabilities.
   */
  Map<TaskKind, List<String>> serves();

  /**
   * Runs one job to completion.
   *
   * <p>Blocks until the result is ready. On cancellation the executor stops its work (killing any
   * process it started) and throws {@link InterruptedException} or an {@link ExecutorException}.
   *
   * @throws UnsupportedJobException when this engine cannot serve the job's kind at all
   * @throws ExecutorException when the job failed; the message goes to the studio
   * @throws InterruptedException when the job was cancelled
   */
  JobResult run(Claim claim, JobContext context) throws ExecutorException, InterruptedException;

  /**
   * Runs one llm job, handing its answer to {@code out} piece by piece as it is generated, and
   * returns the whole answer as {@link #run} would (the {@code chat.completion} document, which
   * carries the finish reason and the token counts).
   *
   * <p>The default streams nothing and returns {@link #run}'s answer; the caller then sends the
   * whole text as one piece. An engine that can stream overrides it. When {@code out} throws, the
   * reader is gone: stop generating and throw {@link ExecutorException} (or let the {@link
   * java.io.IOException} through wrapped in one).
   *
   * @throws UnsupportedJobException when this engine cannot serve the job's kind at all
   * @throws ExecutorException when the job failed or the reader went away
   * @throws InterruptedException when the job was cancelled
   */
  default JobResult stream(Claim claim, JobContext context, ChatStream out)
      throws ExecutorException, InterruptedException {
    return run(claim, context);
  }

  /**
   * Whether the engine can run jobs on this machine now, in one line for {@code status} and the
   * start-up log: {@code ok} (or {@code ok: } and what it runs on, "ok: ONNX Runtime 1.29.0 on the
   * CPU"), or what is missing and how to fix it ("the Vulkan loader libvulkan.so.1 is missing:
   * apt-get install libvulkan1").
   *
   * <p>Does not block. The default is {@code ok}.
   */
  default String readiness() {
    return "ok";
  }

  /**
   * GPU memory, in GB, that this engine holds between jobs (a model it keeps loaded) and that the
   * next job it runs may count as available: reused when that job needs the same model, freed when
   * the engine unloads it to load another. 0 when nothing is resident.
   *
   * <p>The runtime adds it to the free memory it reads when it admits an offer for this engine, so
   * a worker never turns down the second job of a model it already holds. Does not block. The
   * default is 0.
   */
  default double residentVramGb() {
    return 0;
  }

  /** Releases what the engine holds (processes, native memory). Never throws. */
  @Override
  void close();
}
