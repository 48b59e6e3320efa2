package org.studioworker.protocol;

import java.util.Objects;
import org.studioworker.spi.Claim;

/** A frame the studio sends to the worker, tagged on the wire by {@link #type()}. */
public sealed interface StudioFrame {
  /** The wire {@code type} of this frame. */
  String type();

  /**
   * The session is live.
   *
   * @param serverTime the studio's clock, as it sent it (logged so that clock skew shows)
   */
  record Welcome(String workerId, String serverTime) implements StudioFrame {
    /** Rejects nulls. */
    public Welcome {
      Objects.requireNonNull(workerId, "workerId");
      Objects.requireNonNull(serverTime, "serverTime");
    }

    @Override
    public String type() {
      return "welcome";
    }
  }

  /** A job for this worker. */
  record Offer(Claim claim) implements StudioFrame {
    /** Rejects null. */
    public Offer {
      Objects.requireNonNull(claim, "claim");
    }

    @Override
    public String type() {
      return "offer";
    }
  }

  /** Acknowledges a heartbeat; the worker does nothing, not even log. */
  record HeartbeatAck() implements StudioFrame {
    @Override
    public String type() {
      return "heartbeatAck";
    }
  }

  /** The studio stored a job's result. */
  record CompleteAck(String jobId) implements StudioFrame {
    /** Rejects null. */
    public CompleteAck {
      Objects.requireNonNull(jobId, "jobId");
    }

    @Override
    public String type() {
      return "completeAck";
    }
  }

  /** The studio recorded a job's failure. */
  record FailAck(String jobId) implements StudioFrame {
    /** Rejects null. */
    public FailAck {
      Objects.requireNonNull(jobId, "jobId");
    }

    @Override
    public String type() {
      return "failAck";
    }
  }

  /** The studio ends the session; a close with {@link ErrorCode#closeCode()} follows. */
  record Error(ErrorCode code, String message) implements StudioFrame {
    /** Rejects nulls. */
    public Error {
      Objects.requireNonNull(code, "code");
      Objects.requireNonNull(message, "message");
    }

    @Override
    public String type() {
      return "error";
    }
  }
}
