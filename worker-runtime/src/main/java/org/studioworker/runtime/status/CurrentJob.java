package org.studioworker.runtime.status;

import java.time.Instant;
import org.studioworker.spi.TaskKind;

/**
 * The job in flight, as shown to the operator.
 *
 * @param promptPreview the first {@value #PREVIEW_CODE_POINTS} code points of the prompt, plus
 *     {@code …} when cut
 */
public record CurrentJob(
    String jobId,
    TaskKind kind,
    String model,
    String engine,
    String promptPreview,
    Instant startedAt) {
  /** The preview length of the original worker. */
  public static final int PREVIEW_CODE_POINTS = 200;

  /** The preview of a prompt: 200 code points, never splitting a surrogate pair. */
  public static String preview(String prompt) {
    int count = prompt.codePointCount(0, prompt.length());
    if (count <= PREVIEW_CODE_POINTS) {
      return prompt;
    }
    int end = prompt.offsetByCodePoints(0, PREVIEW_CODE_POINTS);
    return prompt.substring(0, end) + "…";
  }
}
