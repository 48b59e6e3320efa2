package org.studioworker.executors.synthetic;

import java.io.IOException;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.studioworker.spi.ChatStream;
import org.studioworker.spi.Claim;
import org.studioworker.spi.EngineId;
import org.studioworker.spi.Executor;
import org.studioworker.spi.ExecutorException;
import org.studioworker.spi.JobContext;
import org.studioworker.spi.JobResult;
import org.studioworker.spi.Task;
import org.studioworker.spi.TaskKind;
import org.studioworker.spi.UnsupportedJobException;

/**
 * The synthetic engine: real, decodable files derived only from the SHA-256 of the job's input, so
 * that CI and the demo exercise the whole worker without a GPU or a model.
 *
 * <p>It serves the model {@code synthetic} and {@code synthetic-<kind>} for each task kind, and
 * refuses every other model and every job routed to another engine: it never claims a real model.
 * Results: image → {@code webp} (lossless) or {@code png}; video → animated {@code webp}; audio_tts
 * → {@code wav}; llm → a {@code chat.completion} document; audio_stt → {@code {text, language,
 * duration}}.
 *
 * <p>Thread-safe and stateless: jobs may run concurrently. {@link #run} checks for cancellation
 * between rows, frames and blocks of samples.
 */
final class SyntheticExecutor implements Executor {
  /** The model every kind serves. */
  static final String MODEL = "synthetic";

  private static final Map<TaskKind, List<String>> SERVES = servedModels();

  @Override
  public Map<TaskKind, List<String>> serves() {
    return SERVES;
  }

  @Override
  public JobResult run(Claim claim, JobContext context)
      throws ExecutorException, InterruptedException {
    return produce(claim, context, null);
  }

  /**
   * For an llm job, hands the answer's content to {@code out} word by word (the pieces concatenate
   * to the content exactly) and returns what {@link #run} returns; other kinds run as {@link #run}.
   * Checks for cancellation between pieces.
   *
   * @throws ExecutorException "the caller went away" when {@code out} throws
   */
  @Override
  public JobResult stream(Claim claim, JobContext context, ChatStream out)
      throws ExecutorException, InterruptedException {
    return produce(claim, context, out);
  }

  private JobResult produce(Claim claim, JobContext context, @Nullable ChatStream out)
      throws ExecutorException, InterruptedException {
    EngineId engine = claim.modelSource().engine();
    if (!engine.equals(EngineId.SYNTHETIC)) {
      throw new UnsupportedJobException(
          "the synthetic engine runs only jobs whose modelSource.engine is synthetic, not "
              + engine);
    }
    TaskKind kind = claim.task().kind();
    String model = claim.model();
    List<String> served = modelsFor(kind);
    if (!served.contains(model)) {
      throw new UnsupportedJobException(
          "the synthetic engine serves only the models "
              + String.join(" and ", served)
              + " for "
              + kind
              + " jobs, not "
              + model);
    }
    Checkpoint checkpoint = Checkpoint.of(context);
    checkpoint.check();
    InputHash hash = InputHash.of(model, claim.task());
    context.log().info("synthetic " + kind + " for model " + model + ", input " + hash.shortHex());
    JobResult result =
        switch (claim.task()) {
          case Task.Image image -> ImageProducer.produce(image, hash, checkpoint);
          case Task.Video video -> VideoProducer.produce(video, hash, checkpoint);
          case Task.AudioTts tts -> SpeechProducer.produce(hash, checkpoint);
          case Task.Llm llm -> chat(llm, model, hash, checkpoint, out);
          case Task.AudioStt stt -> TranscriptProducer.produce(stt, hash);
        };
    context.log().info("synthetic " + kind + " done: " + describe(result));
    return result;
  }

  private static JobResult chat(
      Task.Llm llm, String model, InputHash hash, Checkpoint checkpoint, @Nullable ChatStream out)
      throws ExecutorException, InterruptedException {
    ChatCompletionProducer.Answer answer = ChatCompletionProducer.answer(llm, model, hash);
    if (out != null) {
      for (String piece : ChatCompletionProducer.pieces(answer.content())) {
        checkpoint.check();
        try {
          out.content(piece);
        } catch (IOException e) {
          String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
          throw new ExecutorException("the caller went away: " + why, e);
        }
      }
    }
    return answer.result();
  }

  /** Holds nothing. */
  @Override
  public void close() {}

  /** The models served for a kind: {@code synthetic} and {@code synthetic-<kind>}. */
  static List<String> modelsFor(TaskKind kind) {
    return List.of(MODEL, MODEL + "-" + kind.wireName());
  }

  private static String describe(JobResult result) {
    return switch (result) {
      case JobResult.Binary binary -> binary.size() + " bytes of " + binary.ext();
      case JobResult.File file -> "a file of " + file.ext();
      case JobResult.Json json -> json.json().json().length() + " characters of JSON";
    };
  }

  /** {@code synthetic} and {@code synthetic-<kind>} for every kind, sorted, in kind order. */
  private static Map<TaskKind, List<String>> servedModels() {
    Map<TaskKind, List<String>> models = new EnumMap<>(TaskKind.class);
    for (TaskKind kind : TaskKind.values()) {
      models.put(kind, modelsFor(kind));
    }
    return Collections.unmodifiableMap(models);
  }
}
