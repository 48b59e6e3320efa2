package org.studioworker.runtime.update;

/** A check or an install that could not go on; the message is safe to log. */
final class UpdateException extends Exception {
  private static final long serialVersionUID = 1L;

  UpdateException(String message) {
    super(message);
  }

  UpdateException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The message, never null. */
  String reason() {
    String message = getMessage();
    return message == null ? "unknown" : message;
  }
}
