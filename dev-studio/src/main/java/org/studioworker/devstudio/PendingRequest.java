package org.studioworker.devstudio;

import java.time.Instant;
import java.util.Objects;
import org.studioworker.protocol.Capabilities;

/**
 * A registration request waiting for the operator.
 *
 * @param since when the studio first saw the request; later requests of the same install do not
 *     move it
 */
public record PendingRequest(
    String requestId,
    String installId,
    Instant since,
    Capabilities capabilities,
    String userAgent) {
  /** Rejects nulls. */
  public PendingRequest {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(installId, "installId");
    Objects.requireNonNull(since, "since");
    Objects.requireNonNull(capabilities, "capabilities");
    Objects.requireNonNull(userAgent, "userAgent");
  }
}
