package org.studioworker.protocol;

import java.util.Optional;

/** The codes of a studio {@code error} frame, with the close code the studio sends after each. */
public enum ErrorCode {
  AUTH_FAILED("auth_failed", CloseCodes.AUTH_FAILED),
  PROTOCOL_VIOLATION("protocol_violation", CloseCodes.PROTOCOL_VIOLATION),
  DUPLICATE_WORKER("duplicate_worker", CloseCodes.DUPLICATE_WORKER),
  WORKER_DELETED("worker_deleted", CloseCodes.WORKER_DELETED),
  INTERNAL_ERROR("internal_error", CloseCodes.NORMAL);

  private final String wireName;
  private final int closeCode;

  ErrorCode(String wireName, int closeCode) {
    this.wireName = wireName;
    this.closeCode = closeCode;
  }

  /** The wire name. */
  public String wireName() {
    return wireName;
  }

  /** The WebSocket close code that follows this error. */
  public int closeCode() {
    return closeCode;
  }

  /** The code with this wire name, or empty. */
  public static Optional<ErrorCode> fromWire(String name) {
    for (ErrorCode code : values()) {
      if (code.wireName.equals(name)) {
        return Optional.of(code);
      }
    }
    return Optional.empty();
  }
}
