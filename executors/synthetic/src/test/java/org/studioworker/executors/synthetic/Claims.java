package org.studioworker.executors.synthetic;

import java.util.List;
import org.studioworker.spi.ChatMessage;
import org.studioworker.spi.Claim;
import org.studioworker.spi.CliDefaults;
import org.studioworker.spi.EngineId;
import org.studioworker.spi.ModelSource;
import org.studioworker.spi.Task;

/** Claims and tasks for the tests. */
final class Claims {
  private Claims() {}

  static Claim synthetic(Task task) {
    return claim("synthetic", task, EngineId.SYNTHETIC);
  }

  static Claim claim(String model, Task task, EngineId engine) {
    return new Claim(
        "job-1",
        "game-1",
        "asset-1",
        model,
        1.0,
        task,
        new ModelSource(engine, List.of(), CliDefaults.of(7.0, 20, 512, 512)));
  }

  static Task.Image image(String prompt, int width, int height, String ext) {
    return new Task.Image(
        prompt, null, null, null, null, null, null, null, width, height, 20, null, ext);
  }

  static Task.Video video(String prompt, double seconds, Integer fps, int width, int height) {
    return new Task.Video(prompt, null, null, seconds, fps, width, height, "mp4");
  }

  static Task.AudioTts speech(String text, String ext) {
    return new Task.AudioTts(text, "default", null, null, ext);
  }

  static Task.Llm chat(String... userMessages) {
    return Task.Llm.of(
        java.util.Arrays.stream(userMessages).map(m -> new ChatMessage("user", m)).toList());
  }

  static Task.AudioStt transcription(String inputUrl, String language) {
    return new Task.AudioStt(inputUrl, language, null, null, null, null);
  }

  /** One task of every kind. */
  static List<Task> everyKind() {
    return List.of(
        image("a red fox", 8, 8, "webp"),
        chat("hello"),
        transcription("https://studio.example/audio/line-1.wav", null),
        speech("hello there", "wav"),
        video("waves", 0.5, 4, 8, 8));
  }
}
