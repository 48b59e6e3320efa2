package org.studioworker.protocol;

import java.util.Locale;
import java.util.Optional;

/** The level of a shipped log entry; the wire name is the lowercase name. */
public enum LogLevel {
  TRACE,
  DEBUG,
  INFO,
  WARN,
  ERROR;

  /** The wire name ({@code warn}). */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The level with this wire name (any case; {@code warning} is read as warn), or empty. */
  public static Optional<LogLevel> fromWire(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    if (lower.equals("warning")) {
      return Optional.of(WARN);
    }
    for (LogLevel level : values()) {
      if (level.wireName().equals(lower)) {
        return Optional.of(level);
      }
    }
    return Optional.empty();
  }
}
