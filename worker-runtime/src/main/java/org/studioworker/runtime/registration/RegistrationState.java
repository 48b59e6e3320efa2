package org.studioworker.runtime.registration;

import java.time.Instant;
import java.util.Objects;

/** Where the worker stands with the studio: Pristine → Pending → Approved | Rejected. */
public sealed interface RegistrationState {
  /** Nothing asked yet, or the last request went stale. */
  record Pristine() implements RegistrationState {}

  /**
   * Asked, waiting for the operator.
   *
   * @param since the first time this request was seen; later polls do not move it
   */
  record Pending(String requestId, Instant since) implements RegistrationState {
    /** Rejects nulls. */
    public Pending {
      Objects.requireNonNull(requestId, "requestId");
      Objects.requireNonNull(since, "since");
    }
  }

  /** Holding a worker id and a token. */
  record Approved(String workerId) implements RegistrationState {
    /** Rejects null. */
    public Approved {
      Objects.requireNonNull(workerId, "workerId");
    }
  }

  /** The operator said no. */
  record Rejected(String reason) implements RegistrationState {
    /** Rejects null. */
    public Rejected {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
