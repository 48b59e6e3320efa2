package org.studioworker.runtime.localjobs;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.studioworker.spi.ChatStream;
import org.studioworker.spi.Claim;
import org.studioworker.spi.EngineId;
import org.studioworker.spi.Executor;
import org.studioworker.spi.ExecutorEnvironment;
import org.studioworker.spi.ExecutorException;
import org.studioworker.spi.ExecutorProvider;
import org.studioworker.spi.JobContext;
import org.studioworker.spi.JobResult;
import org.studioworker.spi.JsonText;
import org.studioworker.spi.TaskKind;

/** A hand-written engine that streams its answer in three pieces, as a streaming engine does. */
final class StreamingEngine implements ExecutorProvider, Executor {
  static final EngineId ID = new EngineId("streaming");

  static final List<String> PIECES = List.of("The sea ", "is ", "wide.");

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
    return Map.of(TaskKind.LLM, List.of("streaming-model", "streaming:*"));
  }

  @Override
  public JobResult run(Claim claim, JobContext context) {
    return answer();
  }

  @Override
  public JobResult stream(Claim claim, JobContext context, ChatStream out)
      throws ExecutorException {
    for (String piece : PIECES) {
      try {
        out.content(piece);
      } catch (IOException e) {
        context.log().warn("the reader went away; stopping");
        throw new ExecutorException("the reader went away", e);
      }
    }
    return answer();
  }

  private static JobResult answer() {
    return new JobResult.Json(
        new JsonText(
            "{\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":"
                + "{\"role\":\"assistant\",\"content\":\"The sea is wide.\"},"
                + "\"finish_reason\":\"stop\"}]}"));
  }

  @Override
  public void close() {}
}
