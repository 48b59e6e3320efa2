package org.studioworker.runtime.daemon;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.studioworker.spi.Claim;
import org.studioworker.spi.CliDefaults;
import org.studioworker.spi.EngineId;
import org.studioworker.spi.Executor;
import org.studioworker.spi.ExecutorEnvironment;
import org.studioworker.spi.ExecutorException;
import org.studioworker.spi.ExecutorProvider;
import org.studioworker.spi.JobContext;
import org.studioworker.spi.JobResult;
import org.studioworker.spi.JsonText;
import org.studioworker.spi.ModelSource;
import org.studioworker.spi.TaskKind;

/** A hand-written engine whose jobs run until the test opens the gate (or cancels them). */
public final class GatedEngine implements ExecutorProvider, Executor {
  /** The engine's name. */
  public static final EngineId ID = new EngineId("gated");

  /** A model source routed to this engine. */
  public static final ModelSource SOURCE =
      new ModelSource(ID, List.of(), CliDefaults.of(7.0, 20, 512, 512));

  private final CountDownLatch started = new CountDownLatch(1);
  private final CountDownLatch gate = new CountDownLatch(1);
  private volatile double residentVramGb;
  private volatile boolean stubborn;
  private volatile boolean keepsInterruptFlag;
  private volatile @Nullable String result;
  private volatile JobResult.@Nullable File fileResult;

  @Override
  public EngineId engine() {
    return ID;
  }

  @Override
  public String version() {
    return "test";
  }

  @Override
  public Executor create(ExecutorEnvironment environment) {
    return this;
  }

  @Override
  public Map<TaskKind, List<String>> serves() {
    return Map.of(TaskKind.LLM, List.of("gated-model"));
  }

  @Override
  public JobResult run(Claim claim, JobContext context)
      throws ExecutorException, InterruptedException {
    started.countDown();
    boolean opened = false;
    while (!opened) {
      try {
        opened = gate.await(60, TimeUnit.SECONDS);
        if (!opened) {
          throw new ExecutorException("the test never opened the gate");
        }
      } catch (InterruptedException e) {
        if (keepsInterruptFlag) {
          // The usual courtesy: restore the flag, report the cancel as an engine error.
          Thread.currentThread().interrupt();
          throw new ExecutorException("cancelled");
        }
        if (!stubborn) {
          throw e;
        }
        // A stubborn engine does not stop when cancelled; only the gate ends its job.
      }
    }
    JobResult.File file = fileResult;
    if (file != null) {
      return file;
    }
    String json = result;
    return new JobResult.Json(
        new JsonText(json != null ? json : "{\"answer\":\"" + claim.jobId() + "\"}"));
  }

  @Override
  public double residentVramGb() {
    return residentVramGb;
  }

  /** Says the engine holds this much VRAM for a resident model. */
  public void resident(double gb) {
    residentVramGb = gb;
  }

  /** Makes jobs ignore cancellation: only {@link #open} ends them. */
  public void stubborn() {
    stubborn = true;
  }

  /** Makes a cancelled job restore the interrupt flag and throw an {@link ExecutorException}. */
  public void keepInterruptFlag() {
    keepsInterruptFlag = true;
  }

  /** Makes every later job return this JSON text. */
  public void result(String json) {
    result = json;
  }

  /** Makes every later job hand over this file as its result. */
  public void fileResult(java.nio.file.Path path, String ext) {
    fileResult = new JobResult.File(path, ext);
  }

  /** Waits until a job is running. */
  public boolean awaitStarted(long seconds) throws InterruptedException {
    return started.await(seconds, TimeUnit.SECONDS);
  }

  /** Lets the running job finish. */
  public void open() {
    gate.countDown();
  }

  @Override
  public void close() {
    gate.countDown();
  }
}
