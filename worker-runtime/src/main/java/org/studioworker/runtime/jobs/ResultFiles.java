package org.studioworker.runtime.jobs;

import java.io.IOException;
import java.nio.file.Files;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.studioworker.spi.JobResult;

/**
 * The end of a {@link JobResult.File}: the runtime owns the file from the moment an engine returns
 * it, and deletes it here once it is done with it (delivered, failed for good, cancelled, answered
 * to a local caller).
 */
public final class ResultFiles {
  private static final Logger log = LoggerFactory.getLogger("jobs");

  private ResultFiles() {}

  /**
   * Deletes the file of a {@link JobResult.File}; does nothing for any other result or null. A file
   * that will not go is logged, never thrown about.
   */
  public static void discard(@Nullable JobResult result, String jobId) {
    if (result instanceof JobResult.File file) {
      try {
        Files.deleteIfExists(file.path());
      } catch (IOException e) {
        log.warn("job {}: could not delete the result file: {}", jobId, e.toString());
      }
    }
  }
}
