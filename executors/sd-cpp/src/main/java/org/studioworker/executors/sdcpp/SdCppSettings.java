package org.studioworker.executors.sdcpp;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import org.studioworker.spi.net.InputDownloads;

/**
 * The engine's limits and rhythms.
 *
 * @param jobTimeout how long one sd-cli run may take ({@code STUDIO_WORKER_SD_TIMEOUT_SECS})
 * @param killGrace how long a stopped process tree gets before it is killed
 * @param logInterval at most one sd-cli line per interval reaches the job's log
 * @param refreshInterval how often what the engine serves is re-checked
 * @param maxInputBytes the largest input image accepted
 */
record SdCppSettings(
    Duration jobTimeout,
    Duration killGrace,
    Duration logInterval,
    Duration refreshInterval,
    long maxInputBytes) {
  static final String TIMEOUT_VAR = "STUDIO_WORKER_SD_TIMEOUT_SECS";

  SdCppSettings {
    Objects.requireNonNull(jobTimeout, "jobTimeout");
    Objects.requireNonNull(killGrace, "killGrace");
    Objects.requireNonNull(logInterval, "logInterval");
    Objects.requireNonNull(refreshInterval, "refreshInterval");
    if (jobTimeout.isNegative() || jobTimeout.isZero()) {
      throw new IllegalArgumentException("jobTimeout must be positive");
    }
    if (maxInputBytes <= 0 || maxInputBytes >= Integer.MAX_VALUE) {
      throw new IllegalArgumentException("maxInputBytes must be between 1 and 2^31 - 2");
    }
  }

  /**
   * The defaults (30 min, 5 s, 2 s, 30 s, 32 MiB), the timeout overridable from the environment.
   */
  static SdCppSettings fromEnv(Map<String, String> env) {
    Duration timeout = Duration.ofMinutes(30);
    String value = env.get(TIMEOUT_VAR);
    if (value != null && !value.isBlank()) {
      try {
        long seconds = Long.parseLong(value.strip());
        if (seconds > 0) {
          timeout = Duration.ofSeconds(seconds);
        }
      } catch (NumberFormatException e) {
        // Ignored: the default stands; the provider logs the settings it uses.
      }
    }
    return new SdCppSettings(
        timeout,
        Duration.ofSeconds(5),
        Duration.ofSeconds(2),
        Duration.ofSeconds(30),
        InputDownloads.DEFAULT_MAX_BYTES);
  }
}
