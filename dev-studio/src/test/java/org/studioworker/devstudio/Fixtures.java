package org.studioworker.devstudio;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.studioworker.protocol.Capabilities;
import org.studioworker.protocol.FrameCodec;
import org.studioworker.protocol.Registration;
import org.studioworker.spi.ChatMessage;
import org.studioworker.spi.CliDefaults;
import org.studioworker.spi.EngineId;
import org.studioworker.spi.ModelSource;
import org.studioworker.spi.Task;
import org.studioworker.spi.TaskKind;

/** Values shared by the tests: capabilities, tasks, a model source, a short timeout. */
final class Fixtures {
  static final Duration WAIT = Duration.ofSeconds(10);
  static final FrameCodec CODEC = new FrameCodec();

  private Fixtures() {}

  /** A synthetic model source. */
  static ModelSource synthetic() {
    return new ModelSource(EngineId.SYNTHETIC, List.of(), CliDefaults.of(7.0, 20, 512, 512));
  }

  /** An idle worker that runs llm and image jobs, threshold 16 GB. */
  static Capabilities capabilities() {
    return capabilities(true, 16.0);
  }

  static Capabilities capabilities(boolean autoEnabled, double thresholdGb) {
    return Capabilities.of(
        "test-machine",
        "tester",
        "0.5.0-test",
        24.0,
        thresholdGb,
        autoEnabled,
        true,
        Map.of(TaskKind.LLM, List.of("tiny-llm"), TaskKind.IMAGE, List.of("tiny-image")));
  }

  static Task.Llm llm(String prompt) {
    return Task.Llm.of(List.of(new ChatMessage("user", prompt)));
  }

  static Task.Image image(String prompt) {
    return Task.Image.of(prompt);
  }

  static Registration.Request registration(String installId, String secret) {
    return new Registration.Request(
        installId, Secrets.sha256Hex(secret), capabilities(), "studio-worker/0.5.0-test");
  }
}
