package org.studioworker.executors.llamacpp;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * The engine's limits and rhythms.
 *
 * @param jobTimeout how long one chat completion may take ({@code
 *     STUDIO_WORKER_LLAMA_TIMEOUT_SECS})
 * @param loadTimeout how long llama-server may take to load a model and answer {@code /health}
 * @param idleStop how long a loaded server waits for the next job before it is stopped ({@code
 *     STUDIO_WORKER_LLAMA_IDLE_SECS})
 * @param killGrace how long a stopped server gets before it is killed
 * @param maxReplyBytes the largest reply accepted from the server
 */
record LlamaCppSettings(
    Duration jobTimeout,
    Duration loadTimeout,
    Duration idleStop,
    Duration killGrace,
    long maxReplyBytes) {
  static final String TIMEOUT_VAR = "STUDIO_WORKER_LLAMA_TIMEOUT_SECS";
  static final String IDLE_VAR = "STUDIO_WORKER_LLAMA_IDLE_SECS";

  LlamaCppSettings {
    Objects.requireNonNull(jobTimeout, "jobTimeout");
    Objects.requireNonNull(loadTimeout, "loadTimeout");
    Objects.requireNonNull(idleStop, "idleStop");
    Objects.requireNonNull(killGrace, "killGrace");
    if (maxReplyBytes <= 0) {
      throw new IllegalArgumentException("maxReplyBytes must be positive");
    }
  }

  /**
   * The defaults: 30 min a completion, 10 min to load, stop after 10 idle minutes, 5 s grace, 16
   * MiB a reply; the timeout and the idle period overridable from the environment.
   */
  static LlamaCppSettings fromEnv(Map<String, String> env) {
    return new LlamaCppSettings(
        seconds(env, TIMEOUT_VAR, Duration.ofMinutes(30)),
        Duration.ofMinutes(10),
        seconds(env, IDLE_VAR, Duration.ofMinutes(10)),
        Duration.ofSeconds(5),
        16L << 20);
  }

  private static Duration seconds(Map<String, String> env, String name, Duration fallback) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      long seconds = Long.parseLong(value.strip());
      return seconds > 0 ? Duration.ofSeconds(seconds) : fallback;
    } catch (NumberFormatException e) {
      return fallback;
    }
  }
}
