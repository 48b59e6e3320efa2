package org.studioworker.runtime.status;

import java.time.Duration;
import java.util.Objects;

/** What the session is doing, for {@code status} and a UI. */
public sealed interface SessionState {
  /** Before registration is approved. */
  record WaitingForApproval() implements SessionState {}

  /** Opening attempt {@code attempt} (1-based since the last welcome). */
  record Connecting(int attempt) implements SessionState {}

  /** Live: welcomed by the studio. */
  record Connected(String workerId, String serverTime) implements SessionState {
    /** Rejects nulls. */
    public Connected {
      Objects.requireNonNull(workerId, "workerId");
      Objects.requireNonNull(serverTime, "serverTime");
    }
  }

  /** Waiting {@code delay} before reconnect attempt {@code attempt}. */
  record Reconnecting(int attempt, Duration delay, String why) implements SessionState {}

  /** The studio refused the token; the worker must re-register. */
  record AuthFailed(String why) implements SessionState {}

  /** A fatal error; the worker stops. */
  record Fatal(String why) implements SessionState {}

  /** Stopped on request. */
  record Stopped() implements SessionState {}
}
