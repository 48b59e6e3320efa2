package org.studioworker.spi;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a job asks for: one record per {@link TaskKind}, with the parameters and defaults of the
 * wire contract.
 *
 * <p>Instances are immutable values and safe to share between threads.
 */
public sealed interface Task {
  /** The kind of this task. */
  TaskKind kind();

  /**
   * The prompt of this task as the studio defines it: the image or video prompt, the content of the
   * last llm message, the stt input URL, the tts text.
   */
  String prompt();

  /** Default image and video width and height, in pixels. */
  int DEFAULT_SIZE = 512;

  /** An image generation. */
  record Image(
      String prompt,
      @Nullable String negativePrompt,
      @Nullable String initImageUrl,
      @Nullable String maskUrl,
      @Nullable String refImageUrl,
      @Nullable Double denoise,
      @Nullable Double cfgScale,
      @Nullable String samplingMethod,
      int width,
      int height,
      int steps,
      @Nullable Long seed,
      String ext)
      implements Task {
    /** Default number of sampling steps. */
    public static final int DEFAULT_STEPS = 20;

    /** Default output extension. */
    public static final String DEFAULT_EXT = "webp";

    /** Validates sizes and steps. */
    public Image {
      Objects.requireNonNull(prompt, "prompt");
      Objects.requireNonNull(ext, "ext");
      positive("width", width);
      positive("height", height);
      positive("steps", steps);
    }

    /** An image task with every optional parameter at its default. */
    public static Image of(String prompt) {
      return new Image(
          prompt,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          DEFAULT_SIZE,
          DEFAULT_SIZE,
          DEFAULT_STEPS,
          null,
          DEFAULT_EXT);
    }

    @Override
    public TaskKind kind() {
      return TaskKind.IMAGE;
    }
  }

  /** A chat completion. */
  record Llm(
      List<ChatMessage> messages,
      @Nullable String system,
      int maxTokens,
      double temperature,
      @Nullable Double topP,
      @Nullable List<String> stop,
      @Nullable JsonText jsonSchema,
      @Nullable JsonText reasoning,
      @Nullable JsonText chatTemplateKwargs)
      implements Task {
    /** Default token budget. */
    public static final int DEFAULT_MAX_TOKENS = 512;

    /** Default sampling temperature. */
    public static final double DEFAULT_TEMPERATURE = 0.7;

    /** Copies the lists and validates the token budget. */
    public Llm {
      messages = List.copyOf(messages);
      stop = stop == null ? null : List.copyOf(stop);
      positive("maxTokens", maxTokens);
    }

    /** An llm task with every optional parameter at its default. */
    public static Llm of(List<ChatMessage> messages) {
      return new Llm(
          messages, null, DEFAULT_MAX_TOKENS, DEFAULT_TEMPERATURE, null, null, null, null, null);
    }

    /** The content of the last message, or the empty string when there is none. */
    @Override
    public String prompt() {
      return messages.isEmpty() ? "" : messages.getLast().content();
    }

    @Override
    public TaskKind kind() {
      return TaskKind.LLM;
    }
  }

  /** Speech to text. */
  record AudioStt(
      String inputUrl,
      @Nullable String language,
      @Nullable Boolean translate,
      @Nullable String prompt,
      @Nullable Boolean vad,
      @Nullable Timestamps timestamps)
      implements Task {
    /** Rejects a null input URL. */
    public AudioStt {
      Objects.requireNonNull(inputUrl, "inputUrl");
    }

    /** The optional initial prompt for the recogniser, as sent; {@link #prompt()} is the URL. */
    public @Nullable String initialPrompt() {
      return prompt;
    }

    /** The input URL: the studio shows it as the prompt of an stt job. */
    @Override
    public String prompt() {
      return inputUrl;
    }

    @Override
    public TaskKind kind() {
      return TaskKind.AUDIO_STT;
    }
  }

  /** Timestamp granularity of a transcription. */
  enum Timestamps {
    SEGMENT("segment"),
    WORD("word");

    private final String wireName;

    Timestamps(String wireName) {
      this.wireName = wireName;
    }

    /** The wire name. */
    public String wireName() {
      return wireName;
    }
  }

  /** Text to speech. */
  record AudioTts(
      String text, String voice, @Nullable Double speed, @Nullable String language, String ext)
      implements Task {
    /** Default voice name. */
    public static final String DEFAULT_VOICE = "default";

    /** Default output extension. */
    public static final String DEFAULT_EXT = "wav";

    /** Rejects nulls. */
    public AudioTts {
      Objects.requireNonNull(text, "text");
      Objects.requireNonNull(voice, "voice");
      Objects.requireNonNull(ext, "ext");
    }

    /** A tts task with every optional parameter at its default. */
    public static AudioTts of(String text) {
      return new AudioTts(text, DEFAULT_VOICE, null, null, DEFAULT_EXT);
    }

    @Override
    public String prompt() {
      return text;
    }

    @Override
    public TaskKind kind() {
      return TaskKind.AUDIO_TTS;
    }
  }

  /** A short video clip. */
  record Video(
      String prompt,
      @Nullable String negativePrompt,
      @Nullable String initImageUrl,
      double seconds,
      @Nullable Integer fps,
      int width,
      int height,
      String ext)
      implements Task {
    /** Default clip length in seconds. */
    public static final double DEFAULT_SECONDS = 2.0;

    /** Default output extension. */
    public static final String DEFAULT_EXT = "mp4";

    /** Validates the length and the size. */
    public Video {
      Objects.requireNonNull(prompt, "prompt");
      Objects.requireNonNull(ext, "ext");
      if (!(seconds > 0) || Double.isInfinite(seconds)) {
        throw new IllegalArgumentException("seconds must be a positive number, got " + seconds);
      }
      if (fps != null) {
        positive("fps", fps);
      }
      positive("width", width);
      positive("height", height);
    }

    /** A video task with every optional parameter at its default. */
    public static Video of(String prompt) {
      return new Video(
          prompt, null, null, DEFAULT_SECONDS, null, DEFAULT_SIZE, DEFAULT_SIZE, DEFAULT_EXT);
    }

    @Override
    public TaskKind kind() {
      return TaskKind.VIDEO;
    }
  }

  private static void positive(String name, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }
}
