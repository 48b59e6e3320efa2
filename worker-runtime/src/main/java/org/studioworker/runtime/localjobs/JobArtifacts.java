package org.studioworker.runtime.localjobs;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What jobs leave behind for the person at the machine, studio and local jobs alike: the lines each
 * job logged and a thumbnail of each image result (LOCAL_API.md, {@code GET /jobs/:id/log} and
 * {@code /jobs/:id/thumbnail}). Bounded: {@link #MAX_JOBS} logs of {@link #MAX_LINES} lines of
 * {@link #MAX_LINE_CHARS} characters, oldest dropped and counted; {@link #MAX_THUMBNAILS}
 * thumbnails; the prompts of the last {@link #MAX_JOBS} jobs, {@link #MAX_PROMPT_BYTES} each. The
 * prompt is not a secret, but it is the person's words: it is never logged. Thread-safe.
 */
public interface JobArtifacts {
  /** How many jobs' logs are kept. */
  int MAX_JOBS = 128;

  /** How many lines of one job are kept (the newest). */
  int MAX_LINES = 400;

  /** How long a kept line may be; longer ones are cut. */
  int MAX_LINE_CHARS = 2000;

  /** How many thumbnails are kept (the newest image jobs). */
  int MAX_THUMBNAILS = 100;

  /** The longer side of a thumbnail, at most. */
  int THUMBNAIL_SIDE = 384;

  /** How much of a job's prompt is kept, in bytes of UTF-8 (the first 16 KiB). */
  int MAX_PROMPT_BYTES = 16 * 1024;

  /**
   * One line a job logged.
   *
   * @param level {@code INFO}, {@code WARN}, {@code ERROR}, …
   * @param target the logger's name
   */
  record Line(Instant ts, String level, String target, String message) {}

  /**
   * A job's log.
   *
   * @param lines the kept lines, oldest first
   * @param dropped how many older lines were dropped to keep {@link #MAX_LINES}
   */
  record Log(List<Line> lines, long dropped) {}

  /** The log of a job, if it is among the kept ones. */
  Optional<Log> log(String jobId);

  /**
   * The prompt of a job, at most {@link #MAX_PROMPT_BYTES} of it, if the job is among the last
   * {@link #MAX_JOBS} started.
   */
  default Optional<String> prompt(String jobId) {
    return Optional.empty();
  }

  /** The PNG thumbnail of an image job, if it is among the kept ones. */
  Optional<byte[]> thumbnail(String jobId);

  /** Whether {@link #thumbnail} has one for the job. */
  default boolean hasThumbnail(String jobId) {
    return thumbnail(jobId).isPresent();
  }
}
