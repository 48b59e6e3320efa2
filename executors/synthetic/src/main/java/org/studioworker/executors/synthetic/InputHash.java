package org.studioworker.executors.synthetic;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.jspecify.annotations.Nullable;
import org.studioworker.spi.ChatMessage;
import org.studioworker.spi.JsonText;
import org.studioworker.spi.Task;

/**
 * The SHA-256 of a job's input: the model id and every parameter of the task, in a canonical
 * encoding. Everything the synthetic engine produces is derived from it, so equal inputs give equal
 * outputs and any changed parameter changes them.
 *
 * <p>The encoding is unambiguous: each field is its name, a type tag and a length-prefixed value,
 * strings as their UTF-16 code units (so that even a lone surrogate counts), numbers as their
 * 64-bit patterns, absent values as their own tag. JSON-valued parameters count as their text.
 * Immutable.
 */
final class InputHash {
  /** Bump when the encoding or what is derived from it changes: outputs change with it. */
  private static final String FORMAT = "studio-worker synthetic input v1";

  private final byte[] digest;

  private InputHash(byte[] digest) {
    this.digest = digest;
  }

  /** The hash of a task run for a model. */
  static InputHash of(String model, Task task) {
    Canonical input = new Canonical();
    input.text("format", FORMAT);
    input.text("model", model);
    input.text("kind", task.kind().wireName());
    switch (task) {
      case Task.Image image -> {
        input.text("prompt", image.prompt());
        input.text("negativePrompt", image.negativePrompt());
        input.text("initImageUrl", image.initImageUrl());
        input.text("maskUrl", image.maskUrl());
        input.text("refImageUrl", image.refImageUrl());
        input.decimal("denoise", image.denoise());
        input.decimal("cfgScale", image.cfgScale());
        input.text("samplingMethod", image.samplingMethod());
        input.integer("width", (long) image.width());
        input.integer("height", (long) image.height());
        input.integer("steps", (long) image.steps());
        input.integer("seed", image.seed());
      }
      case Task.Llm llm -> {
        input.messages(llm.messages());
        input.text("system", llm.system());
        input.integer("maxTokens", (long) llm.maxTokens());
        input.decimal("temperature", llm.temperature());
        input.decimal("topP", llm.topP());
        input.texts("stop", llm.stop());
        input.json("jsonSchema", llm.jsonSchema());
        input.json("reasoning", llm.reasoning());
        input.json("chatTemplateKwargs", llm.chatTemplateKwargs());
      }
      case Task.AudioStt stt -> {
        input.text("inputUrl", stt.inputUrl());
        input.text("language", stt.language());
        input.flag("translate", stt.translate());
        input.text("prompt", stt.initialPrompt());
        input.flag("vad", stt.vad());
        input.text("timestamps", stt.timestamps() == null ? null : stt.timestamps().wireName());
      }
      case Task.AudioTts tts -> {
        input.text("text", tts.text());
        input.text("voice", tts.voice());
        input.decimal("speed", tts.speed());
        input.text("language", tts.language());
      }
      case Task.Video video -> {
        input.text("prompt", video.prompt());
        input.text("negativePrompt", video.negativePrompt());
        input.text("initImageUrl", video.initImageUrl());
        input.decimal("seconds", video.seconds());
        input.integer("fps", video.fps() == null ? null : (long) video.fps());
        input.integer("width", (long) video.width());
        input.integer("height", (long) video.height());
      }
    }
    return new InputHash(input.digest());
  }

  /** Byte {@code index} (0..31) of the digest, 0..255. */
  int unsignedByte(int index) {
    return digest[index] & 0xff;
  }

  /** A non-negative number from the digest, below {@code bound}, chosen by {@code index}. */
  int pick(int index, int bound) {
    return Math.floorMod(ByteBuffer.wrap(digest).getInt(4 * (index & 7)), bound);
  }

  /**
   * A random sequence seeded from the digest, for when 32 bytes are not enough.
   *
   * <p>{@link Random}, because its algorithm is fixed by its specification: the same seed gives the
   * same sequence on every JDK.
   */
  Random random() {
    return new Random(ByteBuffer.wrap(digest).getLong(24));
  }

  /** The whole digest as 64 lowercase hex characters. */
  String hex() {
    return HexFormat.of().formatHex(digest);
  }

  /** The first 12 hex characters: enough to tell inputs apart in a log line. */
  String shortHex() {
    return hex().substring(0, 12);
  }

  @Override
  public String toString() {
    return "sha256:" + hex();
  }

  /** Feeds fields to the digest in the canonical encoding. Not thread-safe. */
  private static final class Canonical {
    private static final byte ABSENT = 0;
    private static final byte TEXT = 1;
    private static final byte INTEGER = 2;
    private static final byte DECIMAL = 3;
    private static final byte FLAG = 4;
    private static final byte LIST = 5;

    private final MessageDigest sha256;

    /** Scratch space for one 64-bit value. */
    private final ByteBuffer scratch = ByteBuffer.allocate(Long.BYTES);

    Canonical() {
      try {
        sha256 = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every JDK provides SHA-256", e);
      }
    }

    void text(String name, @Nullable String value) {
      name(name);
      if (value == null) {
        sha256.update(ABSENT);
      } else {
        sha256.update(TEXT);
        string(value);
      }
    }

    void json(String name, @Nullable JsonText value) {
      text(name, value == null ? null : value.json());
    }

    void integer(String name, @Nullable Long value) {
      name(name);
      if (value == null) {
        sha256.update(ABSENT);
      } else {
        sha256.update(INTEGER);
        int64(value);
      }
    }

    void decimal(String name, @Nullable Double value) {
      name(name);
      if (value == null) {
        sha256.update(ABSENT);
      } else {
        sha256.update(DECIMAL);
        int64(Double.doubleToLongBits(value));
      }
    }

    void flag(String name, @Nullable Boolean value) {
      name(name);
      if (value == null) {
        sha256.update(ABSENT);
      } else {
        sha256.update(FLAG);
        sha256.update(value ? (byte) 1 : (byte) 0);
      }
    }

    void texts(String name, @Nullable List<String> values) {
      name(name);
      if (values == null) {
        sha256.update(ABSENT);
        return;
      }
      sha256.update(LIST);
      int64(values.size());
      for (String value : values) {
        string(value);
      }
    }

    void messages(List<ChatMessage> messages) {
      name("messages");
      sha256.update(LIST);
      int64(messages.size());
      for (ChatMessage message : messages) {
        string(message.role());
        string(message.content());
      }
    }

    byte[] digest() {
      return sha256.digest();
    }

    private void name(String name) {
      string(name);
    }

    private void string(String value) {
      // The code units themselves, not a charset's encoding: UTF-16 and UTF-8 encoders replace an
      // unpaired surrogate with U+FFFD, which would make two different prompts hash alike.
      byte[] units = new byte[2 * value.length()];
      for (int i = 0; i < value.length(); i++) {
        char unit = value.charAt(i);
        units[2 * i] = (byte) (unit >>> 8);
        units[2 * i + 1] = (byte) unit;
      }
      int64(value.length());
      sha256.update(units);
    }

    private void int64(long value) {
      scratch.clear();
      scratch.putLong(value);
      sha256.update(scratch.array());
    }
  }
}
