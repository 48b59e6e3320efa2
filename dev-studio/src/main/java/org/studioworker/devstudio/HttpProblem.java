package org.studioworker.devstudio;

import org.jspecify.annotations.Nullable;

/**
 * An HTTP answer other than success, thrown by a route and written by the router as {@code
 * {"error": message}} with the status.
 */
final class HttpProblem extends RuntimeException {
  private static final long serialVersionUID = 1L;

  final int status;
  final String message;

  HttpProblem(int status, @Nullable String message) {
    super(message, null, false, false);
    this.status = status;
    this.message = message == null ? "error " + status : message;
  }
}
