package org.studioworker.spi;

import java.util.Optional;

/** What a model file is for, by its wire name ({@code text-encoder-vision}). */
public enum FileRole {
  DIFFUSION_MODEL("diffusion-model"),
  TEXT_ENCODER("text-encoder"),
  TEXT_ENCODER_VISION("text-encoder-vision"),
  VAE("vae"),
  LORA("lora"),
  MODEL("model");

  private final String wireName;

  FileRole(String wireName) {
    this.wireName = wireName;
  }

  /** The kebab-case name used in JSON. */
  public String wireName() {
    return wireName;
  }

  /** The role with this wire name, or empty. */
  public static Optional<FileRole> fromWire(String name) {
    for (FileRole role : values()) {
      if (role.wireName.equals(name)) {
        return Optional.of(role);
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return wireName;
  }
}
