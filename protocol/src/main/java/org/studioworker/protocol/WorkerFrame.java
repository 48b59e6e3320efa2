package org.studioworker.protocol;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.studioworker.spi.JsonText;

/** A frame the worker sends to the studio, tagged on the wire by {@link #type()}. */
public sealed interface WorkerFrame {
  /** The wire {@code type} of this frame. */
  String type();

  /** The first frame of a session. The token never appears in {@link #toString()}. */
  record Hello(String authToken, Capabilities capabilities) implements WorkerFrame {
    /** Rejects nulls. */
    public Hello {
      Objects.requireNonNull(authToken, "authToken");
      Objects.requireNonNull(capabilities, "capabilities");
    }

    @Override
    public String type() {
      return "hello";
    }

    @Override
    public String toString() {
      return "Hello[authToken=<redacted>, capabilities=" + capabilities + "]";
    }
  }

  /** Sent every heartbeat interval once the session is live. */
  record Heartbeat(Capabilities capabilities, @Nullable String currentJobId)
      implements WorkerFrame {
    /** Rejects a null capabilities object. */
    public Heartbeat {
      Objects.requireNonNull(capabilities, "capabilities");
    }

    @Override
    public String type() {
      return "heartbeat";
    }
  }

  /** The worker takes the offered job. */
  record Accept(String jobId) implements WorkerFrame {
    /** Rejects null. */
    public Accept {
      Objects.requireNonNull(jobId, "jobId");
    }

    @Override
    public String type() {
      return "accept";
    }
  }

  /** The worker turns the offered job down. */
  record Reject(String jobId, String reason, @Nullable RejectCode code) implements WorkerFrame {
    /** Rejects nulls. */
    public Reject {
      Objects.requireNonNull(jobId, "jobId");
      Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String type() {
      return "reject";
    }
  }

  /**
   * A JSON result.
   *
   * @param prompt the FULL prompt of the task, never the preview
   */
  record CompleteJson(String jobId, JsonText result, @Nullable String prompt)
      implements WorkerFrame {
    /** Rejects nulls. */
    public CompleteJson {
      Objects.requireNonNull(jobId, "jobId");
      Objects.requireNonNull(result, "result");
    }

    @Override
    public String type() {
      return "completeJson";
    }
  }

  /** The job failed. */
  record Fail(String jobId, String error, boolean retryable) implements WorkerFrame {
    /** Rejects nulls. */
    public Fail {
      Objects.requireNonNull(jobId, "jobId");
      Objects.requireNonNull(error, "error");
    }

    @Override
    public String type() {
      return "fail";
    }
  }

  /** A batch of shipped log lines. */
  record LogBatch(List<LogEntry> entries) implements WorkerFrame {
    /** Copies the entries. */
    public LogBatch {
      entries = List.copyOf(entries);
    }

    @Override
    public String type() {
      return "logBatch";
    }
  }

  /**
   * Defined by the contract, but a worker must never send it: it double-books offers. It exists so
   * that the studio side can decode it and treat it as a no-op.
   */
  record ReadyForMore() implements WorkerFrame {
    @Override
    public String type() {
      return "readyForMore";
    }
  }
}
