package org.studioworker.executors.synthetic;

import java.net.URI;
import java.util.Random;
import org.studioworker.spi.JobResult;
import org.studioworker.spi.JsonText;
import org.studioworker.spi.Task;

/**
 * Produces an {@code audio_stt} job's transcript, {@code {"text", "language", "duration"}}, without
 * fetching the input: the text names the input file and adds deterministic words; the language is
 * the task's or {@code en}; the duration is 1.0 to 30.0 s, from the input hash.
 */
final class TranscriptProducer {
  static final String DEFAULT_LANGUAGE = "en";

  private TranscriptProducer() {}

  static JobResult produce(Task.AudioStt stt, InputHash hash) {
    Random random = hash.random();
    String text =
        "Synthetic transcript of "
            + fileName(stt.inputUrl())
            + ": "
            + SyntheticProse.sentence(random, 6 + random.nextInt(15));
    String language =
        stt.language() == null || stt.language().isBlank() ? DEFAULT_LANGUAGE : stt.language();
    // Tenths of a second, 10..300, so that the number prints exactly: "12.3", never 12.299999.
    int tenths = 10 + hash.pick(1, 291);

    StringBuilder json = new StringBuilder(128 + text.length());
    json.append("{\"text\":");
    JsonText.appendQuoted(json, text);
    json.append(",\"language\":");
    JsonText.appendQuoted(json, language);
    json.append(",\"duration\":").append(tenths / 10).append('.').append(tenths % 10).append('}');
    return new JobResult.Json(new JsonText(json.toString()));
  }

  /** The last path segment of the input URL, or the whole text when it is not a URL with a path. */
  private static String fileName(String inputUrl) {
    try {
      String path = URI.create(inputUrl).getPath();
      if (path != null) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        if (!name.isEmpty()) {
          return name;
        }
      }
    } catch (IllegalArgumentException e) {
      // Not a URI: the studio's own text is the best name we have.
    }
    return inputUrl;
  }
}
