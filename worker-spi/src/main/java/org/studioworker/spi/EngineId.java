package org.studioworker.spi;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The name of an engine, as {@code modelSource.engine} carries it ({@code sd-cpp}).
 *
 * <p>Jobs are routed strictly by this name. It is a value rather than an enum so that a plugin jar
 * can bring an engine the runtime has never heard of, and so that an offer naming an engine that is
 * not installed still decodes and can be failed as not retryable.
 *
 * @param name lowercase letters, digits and dashes, 1 to 64 characters
 */
public record EngineId(String name) {
  // Declared before the constants below: they are built during class initialisation.
  private static final Pattern VALID = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");

  /** The deterministic engine used by CI and the demo; it never claims real models. */
  public static final EngineId SYNTHETIC = new EngineId("synthetic");

  /** stable-diffusion.cpp's {@code sd-cli}. */
  public static final EngineId SD_CPP = new EngineId("sd-cpp");

  /** llama.cpp's {@code llama-server}. */
  public static final EngineId LLAMA_CPP = new EngineId("llama-cpp");

  /** ONNX Runtime. */
  public static final EngineId ONNX = new EngineId("onnx");

  /** NVIDIA Parakeet speech recognition. */
  public static final EngineId PARAKEET = new EngineId("parakeet");

  /** Validates the name. */
  public EngineId {
    Objects.requireNonNull(name, "name");
    if (!VALID.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "engine name must be 1-64 lowercase letters, digits or dashes");
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
