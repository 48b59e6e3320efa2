package org.studioworker.spi;

import java.util.Optional;

/** The kinds of generation job that the studio sends, by their wire names. */
public enum TaskKind {
  IMAGE("image"),
  LLM("llm"),
  AUDIO_STT("audio_stt"),
  AUDIO_TTS("audio_tts"),
  VIDEO("video");

  private final String wireName;

  TaskKind(String wireName) {
    this.wireName = wireName;
  }

  /** The snake_case name used in JSON ({@code audio_stt}). */
  public String wireName() {
    return wireName;
  }

  /** The kind with this wire name, or empty. */
  public static Optional<TaskKind> fromWire(String name) {
    for (TaskKind kind : values()) {
      if (kind.wireName.equals(name)) {
        return Optional.of(kind);
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return wireName;
  }
}
