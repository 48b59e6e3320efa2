package org.studioworker.executors.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.studioworker.spi.ExecutorException;

/**
 * The LaMa model loaded into ONNX Runtime, kept between jobs: one session, for the last model file
 * used, rebuilt when a job names another file or the file changed on disk.
 *
 * <p>A run can be stopped: while it runs, a watcher thread asks {@code isCancelled} every 50 ms and
 * sets the run's terminate flag, which ONNX Runtime checks between operators. Used by one job at a
 * time (the executor's lock); {@link #close} may come from any thread.
 */
final class LamaSession implements AutoCloseable {
  static final String IMAGE = "image";
  static final String MASK = "mask";
  static final String OUTPUT = "output";

  private static final long[] IMAGE_SHAPE = {1, 3, Inpainting.MODEL_SIDE, Inpainting.MODEL_SIDE};
  private static final long[] MASK_SHAPE = {1, 1, Inpainting.MODEL_SIDE, Inpainting.MODEL_SIDE};

  /** A model file as it was when its session was built. */
  private record Key(Path file, long size, FileTime modified) {}

  private final OrtHost.Loaded runtime;
  private @Nullable Key key;
  private @Nullable OrtSession session;
  private int sessionsBuilt;

  LamaSession(OrtHost.Loaded runtime) {
    this.runtime = runtime;
  }

  /** The runtime's one line for {@code status}: its version and provider. */
  String detail() {
    return runtime.detail();
  }

  /** How many sessions were built so far: a second job of one model builds none. */
  synchronized int sessionsBuilt() {
    return sessionsBuilt;
  }

  /**
   * The session for {@code file}, built when it is not the cached one.
   *
   * @return whether it was built now (false: reused)
   */
  synchronized boolean prepare(Path file) throws ExecutorException {
    Key wanted;
    try {
      wanted = new Key(file, Files.size(file), Files.getLastModifiedTime(file));
    } catch (IOException e) {
      throw new ExecutorException("the model file " + file + " cannot be read", e);
    }
    if (wanted.equals(key) && session != null) {
      return false;
    }
    closeSession();
    try (OrtSession.SessionOptions options = runtime.sessionOptions()) {
      OrtSession built = runtime.environment().createSession(file.toString(), options);
      String problem = checkSignature(built);
      if (problem != null) {
        built.close();
        throw new ExecutorException(file.getFileName() + " is not a LaMa model: " + problem);
      }
      session = built;
      key = wanted;
      sessionsBuilt++;
      return true;
    } catch (OrtException e) {
      throw new ExecutorException(
          "ONNX Runtime could not load " + file.getFileName() + ": " + OrtHost.reason(e), e);
    }
  }

  private static @Nullable String checkSignature(OrtSession session) {
    Set<String> inputs = session.getInputNames();
    Set<String> outputs = session.getOutputNames();
    if (!inputs.contains(IMAGE) || !inputs.contains(MASK) || !outputs.contains(OUTPUT)) {
      return "its inputs are "
          + inputs
          + " and its outputs "
          + outputs
          + "; LaMa has inputs [image, mask] and the output output";
    }
    return null;
  }

  /** The model on one 512² square; {@link #prepare} first. */
  synchronized FloatBuffer run(FloatBuffer image, FloatBuffer mask, BooleanSupplier cancelled)
      throws ExecutorException, InterruptedException {
    OrtSession current = session;
    if (current == null) {
      throw new IllegalStateException("prepare() first");
    }
    try (OrtSession.RunOptions options = new OrtSession.RunOptions();
        OnnxTensor imageTensor =
            OnnxTensor.createTensor(runtime.environment(), image, IMAGE_SHAPE);
        OnnxTensor maskTensor = OnnxTensor.createTensor(runtime.environment(), mask, MASK_SHAPE)) {
      Thread caller = Thread.currentThread();
      Thread watcher =
          Thread.ofVirtual()
              .name("onnx-run-watch")
              .start(
                  () -> {
                    while (!Thread.currentThread().isInterrupted()) {
                      if (cancelled.getAsBoolean() || caller.isInterrupted()) {
                        terminate(options);
                        return;
                      }
                      LockSupport.parkNanos(50_000_000L);
                    }
                  });
      try (OrtSession.Result result =
          current.run(Map.of(IMAGE, imageTensor, MASK, maskTensor), Set.of(OUTPUT), options)) {
        OnnxValue value = result.get(OUTPUT).orElseThrow();
        if (!(value instanceof OnnxTensor tensor)) {
          throw new ExecutorException("the model's output is not a tensor");
        }
        long[] shape = tensor.getInfo().getShape();
        if (!Arrays.equals(shape, IMAGE_SHAPE)) {
          throw new ExecutorException(
              "the model's output has the shape "
                  + Arrays.toString(shape)
                  + ", not "
                  + Arrays.toString(IMAGE_SHAPE));
        }
        FloatBuffer out = tensor.getFloatBuffer();
        if (out == null) {
          throw new ExecutorException("the model's output is not float32");
        }
        return out;
      } catch (OrtException e) {
        if (cancelled.getAsBoolean() || Thread.currentThread().isInterrupted()) {
          throw new InterruptedException("the job was cancelled; the model run was stopped");
        }
        throw new ExecutorException("the model run failed: " + OrtHost.reason(e), e);
      } finally {
        stop(watcher);
      }
    } catch (OrtException e) {
      throw new ExecutorException("could not build the model's inputs: " + OrtHost.reason(e), e);
    }
  }

  /** Stops the watcher and waits for it: the run options it may touch close right after. */
  private static void stop(Thread watcher) {
    watcher.interrupt();
    boolean interrupted = false;
    while (true) {
      try {
        watcher.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static void terminate(OrtSession.RunOptions options) {
    try {
      options.setTerminate(true);
    } catch (OrtException e) {
      // The run ended meanwhile; nothing is left to stop.
    }
  }

  private void closeSession() {
    OrtSession old = session;
    session = null;
    key = null;
    if (old != null) {
      try {
        old.close();
      } catch (OrtException e) {
        System.getLogger("onnx")
            .log(System.Logger.Level.WARNING, "closing a model session: " + OrtHost.reason(e));
      }
    }
  }

  @Override
  public synchronized void close() {
    closeSession();
  }
}
