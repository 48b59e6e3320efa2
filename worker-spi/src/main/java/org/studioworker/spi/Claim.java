package org.studioworker.spi;

import java.util.Objects;

/**
 * One job as the studio offers it: the {@code claim} inside an {@code offer} frame.
 *
 * @param jobId the studio's id for the job
 * @param gameId the game the asset belongs to
 * @param assetName the asset being generated
 * @param model the model id the job asks for
 * @param vramGbEstimate how much GPU memory the studio expects the job to need, in GB
 * @param task what to generate
 * @param modelSource which engine runs it and which files it needs
 */
public record Claim(
    String jobId,
    String gameId,
    String assetName,
    String model,
    double vramGbEstimate,
    Task task,
    ModelSource modelSource) {
  /** Rejects nulls. */
  public Claim {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(gameId, "gameId");
    Objects.requireNonNull(assetName, "assetName");
    Objects.requireNonNull(model, "model");
    if (!Double.isFinite(vramGbEstimate) || vramGbEstimate < 0) {
      throw new IllegalArgumentException("vramGbEstimate must be a finite number, 0 or more");
    }
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(modelSource, "modelSource");
  }
}
