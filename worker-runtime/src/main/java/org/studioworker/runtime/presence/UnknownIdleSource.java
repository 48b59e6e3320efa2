package org.studioworker.runtime.presence;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/** The source of a machine whose idle time cannot be read; it says why. */
public record UnknownIdleSource(String reason) implements IdleSource {
  /** Requires a reason. */
  public UnknownIdleSource {
    Objects.requireNonNull(reason, "reason");
  }

  @Override
  public Optional<Duration> idleTime() {
    return Optional.empty();
  }

  @Override
  public String describe() {
    return reason;
  }
}
