package org.studioworker.devstudio;

import java.util.Objects;

/**
 * What an approved worker holds: its id and its session token. The token never appears in {@link
 * #toString()}.
 */
public record WorkerCredentials(String workerId, String authToken) {
  /** Rejects nulls and blanks. */
  public WorkerCredentials {
    Objects.requireNonNull(workerId, "workerId");
    Objects.requireNonNull(authToken, "authToken");
    if (workerId.isBlank() || authToken.isBlank()) {
      throw new IllegalArgumentException("worker id and token must not be blank");
    }
  }

  @Override
  public String toString() {
    return "WorkerCredentials[workerId=" + workerId + ", authToken=<redacted>]";
  }
}
