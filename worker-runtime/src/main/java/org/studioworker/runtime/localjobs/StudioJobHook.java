package org.studioworker.runtime.localjobs;

import org.studioworker.runtime.jobs.JobRunner;
import org.studioworker.spi.Claim;
import org.studioworker.spi.JobResult;
import org.studioworker.spi.TaskKind;

/**
 * What a studio job leaves for local use: its prompt in the {@link JobArtifactStore} once it
 * starts; once completed, its model in the {@link LocalCatalogue} and, for an image job, a
 * thumbnail. Pass it to {@link JobRunner} as its {@link JobRunner.Completed}.
 */
public final class StudioJobHook implements JobRunner.Completed {
  private final LocalCatalogue catalogue;
  private final JobArtifactStore artifacts;

  /** A hook over the daemon's catalogue and artifact store. */
  public StudioJobHook(LocalCatalogue catalogue, JobArtifactStore artifacts) {
    this.catalogue = catalogue;
    this.artifacts = artifacts;
  }

  @Override
  public void started(Claim claim) {
    artifacts.started(claim.jobId(), claim.task().prompt());
  }

  @Override
  public void completed(Claim claim, JobResult result) {
    catalogue.remember(claim);
    if (claim.task().kind() == TaskKind.IMAGE && !(result instanceof JobResult.Json)) {
      // A file result is read here, before the runner deletes it (images only, size-capped).
      artifacts.imageResult(claim.jobId(), result);
    }
  }
}
