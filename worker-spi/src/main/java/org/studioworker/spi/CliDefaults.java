package org.studioworker.spi;

import org.jspecify.annotations.Nullable;

/**
 * The defaults a model prefers, which win over a task parameter still at its own default.
 *
 * <p>Which engine reads which field is the engine's business; {@code contextSize} is for llama.cpp,
 * the rest mostly for stable-diffusion.cpp.
 */
public record CliDefaults(
    double cfgScale,
    int steps,
    int width,
    int height,
    @Nullable String samplingMethod,
    @Nullable Double flowShift,
    @Nullable Boolean zeroCondT,
    @Nullable Boolean offloadToCpu,
    @Nullable Integer contextSize,
    @Nullable JsonText chatTemplateKwargs) {

  /** Defaults with only the four required fields set. */
  public static CliDefaults of(double cfgScale, int steps, int width, int height) {
    return new CliDefaults(cfgScale, steps, width, height, null, null, null, null, null, null);
  }
}
