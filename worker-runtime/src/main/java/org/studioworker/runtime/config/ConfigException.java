package org.studioworker.runtime.config;

/**
 * A config file that cannot be read, parsed or written, or a value in it that makes no sense.
 *
 * <p>The message names the file and, where known, the line and the key; it never quotes a value.
 */
public final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  /** An error with its message. */
  public ConfigException(String message) {
    super(message);
  }

  /** An error with its message and cause; the cause's message must not carry a value either. */
  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
