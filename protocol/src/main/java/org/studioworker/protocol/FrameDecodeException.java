package org.studioworker.protocol;

import org.jspecify.annotations.Nullable;

/**
 * A frame or body that does not decode.
 *
 * <p>The message names the frame type when it is known and the field at fault; it never quotes a
 * field's value, so that a secret in a broken frame cannot reach a log line.
 */
public final class FrameDecodeException extends Exception {
  private static final long serialVersionUID = 1L;

  private final @Nullable String frameType;

  FrameDecodeException(@Nullable String frameType, String message, @Nullable Throwable cause) {
    super(frameType == null ? message : frameType + ": " + message, cause);
    this.frameType = frameType;
  }

  /** The {@code type} of the frame when it was read before the error, else null. */
  public @Nullable String frameType() {
    return frameType;
  }
}
