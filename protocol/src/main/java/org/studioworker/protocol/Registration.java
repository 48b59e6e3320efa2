package org.studioworker.protocol;

import java.util.Objects;

/** The bodies of the registration routes (PROTOCOL.md §2). */
public final class Registration {
  private Registration() {}

  /**
   * The body of {@code POST register-request}.
   *
   * @param registrationSecretHash SHA-256 of the secret, 64 lowercase hex characters; the raw
   *     secret never travels in this request
   */
  public record Request(
      String installId,
      String registrationSecretHash,
      Capabilities capabilities,
      String userAgent) {
    /** Rejects nulls. */
    public Request {
      Objects.requireNonNull(installId, "installId");
      Objects.requireNonNull(registrationSecretHash, "registrationSecretHash");
      Objects.requireNonNull(capabilities, "capabilities");
      Objects.requireNonNull(userAgent, "userAgent");
    }
  }

  /** The reply to {@code POST register-request}. */
  public record Accepted(String requestId, String status) {
    /** Rejects nulls. */
    public Accepted {
      Objects.requireNonNull(requestId, "requestId");
      Objects.requireNonNull(status, "status");
    }
  }

  /** The reply to a poll, tagged by {@code status}. */
  public sealed interface Status {}

  /** The operator has not decided yet. */
  public record Pending() implements Status {}

  /** Approved: the worker's id and its session token. The token never appears in toString. */
  public record Approved(String workerId, String authToken) implements Status {
    /** Rejects nulls. */
    public Approved {
      Objects.requireNonNull(workerId, "workerId");
      Objects.requireNonNull(authToken, "authToken");
    }

    @Override
    public String toString() {
      return "Approved[workerId=" + workerId + ", authToken=<redacted>]";
    }
  }

  /** Rejected, with the operator's reason (empty when none was given). */
  public record Rejected(String reason) implements Status {
    /** Rejects null. */
    public Rejected {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
