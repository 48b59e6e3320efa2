package org.studioworker.gpu;

/**
 * A failed NVML call: which function, which status, and the library's own words for it ({@code
 * nvmlErrorString}).
 *
 * <p>Internal to the binding; the inventory turns it into a note or a missing field, never into a
 * crash.
 */
final class NvmlException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String function;
  private final int code;
  private final String text;
  private final String message;

  NvmlException(String function, int code, String text) {
    super(function + " failed: " + text + " (" + describe(code) + ")");
    this.function = function;
    this.code = code;
    this.text = text;
    this.message = function + " failed: " + text + " (" + describe(code) + ")";
  }

  /** The function, the library's text and the status, in one line; never null. */
  @Override
  public String getMessage() {
    return message;
  }

  private static String describe(int code) {
    NvmlStatus status = NvmlStatus.of(code);
    return status == NvmlStatus.UNRECOGNISED
        ? "NVML status " + code
        : "NVML_ERROR_" + status.name() + " = " + code;
  }

  /** The NVML function that failed, e.g. {@code nvmlInit_v2}. */
  String function() {
    return function;
  }

  /** The raw return code. */
  int code() {
    return code;
  }

  /** The status by name. */
  NvmlStatus status() {
    return NvmlStatus.of(code);
  }

  /** What {@code nvmlErrorString} says about the code. */
  String text() {
    return text;
  }
}
