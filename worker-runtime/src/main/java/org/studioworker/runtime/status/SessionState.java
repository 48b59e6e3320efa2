package org.studioworker.runtime.status;

import java.time.Duration;
import java.util.Objects;

/** What the session is doing, for {@code status} and a UI. */
public sealed interface SessionState {
  /** The state's name in the local API ({@code waiting_for_approval}, {@code connected}, …). */
  default String wireName() {
    return switch (this) {
      case WaitingForApproval w -> "waiting_for_approval";
      case Connecting c -> "connecting";
      case Connected c -> "connected";
      case Reconnecting r -> "reconnecting";
      case AuthFailed a -> "auth_failed";
      case Fatal f -> "fatal";
      case Stopped s -> "stopped";
    };
  }

  /** The one-line summary of this state that the original's UI shows. */
  default String summary() {
    return switch (this) {
      case Reconnecting r -> summary(wireName(), String.valueOf(r.attempt()), "");
      case AuthFailed a -> summary(wireName(), "", a.why());
      case Fatal f -> summary(wireName(), "", f.why());
      default -> summary(wireName(), "", "");
    };
  }

  /**
   * The summary of a state given by its local API name (a client reads {@code /daemon/status}):
   * "waiting for studio operator approval", "connected — ready for jobs", …; an unknown name is
   * shown as it is.
   */
  static String summary(String wireName, String attempt, String reason) {
    return switch (wireName) {
      case "waiting_for_approval" -> "waiting for studio operator approval";
      case "connecting" -> "connecting to the studio…";
      case "connected" -> "connected — ready for jobs";
      case "reconnecting" -> "reconnecting (attempt " + attempt + ")…";
      case "auth_failed" ->
          "authentication failed: "
              + reason
              + ". Re-register with `studio-worker register --reset`.";
      case "fatal" -> "session ended: " + reason;
      case "stopped" -> "stopped";
      default -> wireName;
    };
  }

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
