package org.studioworker.runtime.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Maps the TOML tree to {@link WorkerConfig} and back, key by key.
 *
 * <p>The writer is hand-made so that the file stays readable and so that absent optional keys are
 * simply not written. Errors name the key and the expected type, never the value.
 */
final class ConfigMapping {
  /** Keys this worker reads; anything else is dropped on the next save. */
  static final Set<String> KNOWN_KEYS =
      Set.of(
          "api_base_url",
          "worker_id",
          "auth_token",
          "vram_threshold_gb",
          "auto_start",
          "start_minimised",
          "only_when_idle",
          "auto_update_enabled",
          "auto_update_interval_secs",
          "auto_update_feed",
          "auto_update_prerelease",
          "models_root",
          "ws_reconnect_attempts",
          "local_api_port",
          "local_api_token",
          "install_id",
          "registration_request_id",
          "registration_secret",
          "drain_timeout_secs",
          "vram_margin_gb",
          "gpu");

  /**
   * Keys the original worker writes that this one does not read (PROTOCOL.md §6): accepted in
   * silence and dropped on the next save; none at present ({@code only_when_idle} is read now). Any
   * other unknown key is likely a typo and is warned of.
   */
  static final Set<String> LEGACY_KEYS = Set.of();

  private ConfigMapping() {}

  /** A key whose value has the wrong type or is out of range; the message names no value. */
  static final class KeyError extends Exception {
    private static final long serialVersionUID = 1L;

    private final String key;

    KeyError(String key, String message) {
      super(message);
      this.key = key;
    }

    /** The key at fault, or {@code ""} for the file as a whole. */
    String key() {
      return key;
    }
  }

  static WorkerConfig fromTree(JsonNode tree) throws KeyError {
    if (!tree.isObject()) {
      throw new KeyError("", "the top level must be a table of keys");
    }
    WorkerConfig d = WorkerConfig.defaults();
    return new WorkerConfig.Builder(d)
        .apiBaseUrl(text(tree, "api_base_url", d.apiBaseUrl()))
        .workerId(optText(tree, "worker_id"))
        .authToken(optText(tree, "auth_token"))
        .vramThresholdGb(number(tree, "vram_threshold_gb", d.vramThresholdGb()))
        .autoStart(bool(tree, "auto_start", d.autoStart()))
        .startMinimised(bool(tree, "start_minimised", d.startMinimised()))
        .onlyWhenIdle(bool(tree, "only_when_idle", d.onlyWhenIdle()))
        .autoUpdateEnabled(bool(tree, "auto_update_enabled", d.autoUpdateEnabled()))
        .autoUpdateIntervalSecs(
            integer(tree, "auto_update_interval_secs", d.autoUpdateIntervalSecs(), 1))
        .autoUpdateFeed(optText(tree, "auto_update_feed"))
        .autoUpdatePrerelease(bool(tree, "auto_update_prerelease", d.autoUpdatePrerelease()))
        .modelsRoot(text(tree, "models_root", d.modelsRoot()))
        .wsReconnectAttempts(optInt(tree, "ws_reconnect_attempts", Integer.MAX_VALUE))
        .localApiPort(optInt(tree, "local_api_port", 65535))
        .localApiToken(optText(tree, "local_api_token"))
        .installId(optText(tree, "install_id"))
        .registrationRequestId(optText(tree, "registration_request_id"))
        .registrationSecret(optText(tree, "registration_secret"))
        .drainTimeoutSecs(integer(tree, "drain_timeout_secs", d.drainTimeoutSecs(), 0))
        .vramMarginGb(number(tree, "vram_margin_gb", d.vramMarginGb()))
        .gpu(gpu(tree))
        .build();
  }

  /** {@code gpu}: an index as a whole number or a string, or a UUID string. */
  private static @Nullable String gpu(JsonNode tree) throws KeyError {
    JsonNode value = present(tree, "gpu");
    if (value == null) {
      return null;
    }
    String text;
    if (value.isIntegralNumber() && value.canConvertToInt() && value.intValue() >= 0) {
      text = Integer.toString(value.intValue());
    } else if (value.isString()) {
      text = value.stringValue();
    } else {
      text = "";
    }
    try {
      return org.studioworker.gpu.GpuSelector.parse(text).text();
    } catch (IllegalArgumentException e) {
      throw new KeyError(
          "gpu", "key gpu must be a GPU index such as 0 or a UUID string such as \"GPU-…\"");
    }
  }

  /** The top-level keys that are neither read nor known legacy, in file order. */
  static List<String> unknownKeys(JsonNode tree) {
    List<String> unknown = new ArrayList<>();
    for (String key : tree.propertyNames()) {
      if (!KNOWN_KEYS.contains(key) && !LEGACY_KEYS.contains(key)) {
        unknown.add(key);
      }
    }
    return unknown;
  }

  private static @Nullable JsonNode present(JsonNode tree, String key) {
    JsonNode value = tree.get(key);
    return value == null || value.isNull() || value.isMissingNode() ? null : value;
  }

  private static @Nullable String optText(JsonNode tree, String key) throws KeyError {
    JsonNode value = present(tree, key);
    if (value == null) {
      return null;
    }
    if (!value.isString()) {
      throw new KeyError(key, "key " + key + " must be a string");
    }
    return value.stringValue();
  }

  private static String text(JsonNode tree, String key, String fallback) throws KeyError {
    String value = optText(tree, key);
    return value == null ? fallback : value;
  }

  private static boolean bool(JsonNode tree, String key, boolean fallback) throws KeyError {
    JsonNode value = present(tree, key);
    if (value == null) {
      return fallback;
    }
    if (!value.isBoolean()) {
      throw new KeyError(key, "key " + key + " must be true or false");
    }
    return value.booleanValue();
  }

  /** A finite number of at least 0; an integer is fine too ({@code 8} reads as 8.0). */
  private static double number(JsonNode tree, String key, double fallback) throws KeyError {
    JsonNode value = present(tree, key);
    if (value == null) {
      return fallback;
    }
    double number = Double.NaN;
    if (value.isBigDecimal()) {
      // 1e400 reads as a BigDecimal; its doubleValue() is infinite where the node's would throw.
      number = value.decimalValue().doubleValue();
    } else if (value.isBigInteger()) {
      number = value.bigIntegerValue().doubleValue();
    } else if (value.isNumber()) {
      number = value.doubleValue();
    }
    if (!Double.isFinite(number) || number < 0) {
      throw new KeyError(key, "key " + key + " must be a number of at least 0");
    }
    return number;
  }

  /** A whole number from {@code min} to {@link Long#MAX_VALUE}. */
  private static long integer(JsonNode tree, String key, long fallback, long min) throws KeyError {
    JsonNode value = present(tree, key);
    if (value == null) {
      return fallback;
    }
    if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < min) {
      throw new KeyError(key, "key " + key + " must be a whole number of at least " + min);
    }
    return value.longValue();
  }

  /** A whole number from 0 to {@code max}. */
  private static @Nullable Integer optInt(JsonNode tree, String key, int max) throws KeyError {
    JsonNode value = present(tree, key);
    if (value == null) {
      return null;
    }
    if (!value.isIntegralNumber()
        || !value.canConvertToInt()
        || value.intValue() < 0
        || value.intValue() > max) {
      throw new KeyError(
          key,
          max == Integer.MAX_VALUE
              ? "key " + key + " must be a whole number of at least 0"
              : "key " + key + " must be a whole number from 0 to " + max);
    }
    return value.intValue();
  }

  /** The file's text; absent optional keys are not written. */
  static String toToml(WorkerConfig c) {
    StringBuilder out = new StringBuilder();
    out.append("# minis.gg studio worker configuration\n");
    string(out, "api_base_url", c.apiBaseUrl());
    string(out, "worker_id", c.workerId());
    string(out, "auth_token", c.authToken());
    out.append("vram_threshold_gb = ").append(decimal(c.vramThresholdGb())).append('\n');
    out.append("auto_start = ").append(c.autoStart()).append('\n');
    out.append("start_minimised = ").append(c.startMinimised()).append('\n');
    out.append("only_when_idle = ").append(c.onlyWhenIdle()).append('\n');
    out.append("auto_update_enabled = ").append(c.autoUpdateEnabled()).append('\n');
    out.append("auto_update_interval_secs = ").append(c.autoUpdateIntervalSecs()).append('\n');
    string(out, "auto_update_feed", c.autoUpdateFeed());
    out.append("auto_update_prerelease = ").append(c.autoUpdatePrerelease()).append('\n');
    string(out, "models_root", c.modelsRoot());
    integer(out, "ws_reconnect_attempts", c.wsReconnectAttempts());
    integer(out, "local_api_port", c.localApiPort());
    string(out, "local_api_token", c.localApiToken());
    string(out, "install_id", c.installId());
    string(out, "registration_request_id", c.registrationRequestId());
    string(out, "registration_secret", c.registrationSecret());
    if (c.drainTimeoutSecs() != WorkerConfig.DEFAULT_DRAIN_TIMEOUT_SECS) {
      out.append("drain_timeout_secs = ").append(c.drainTimeoutSecs()).append('\n');
    }
    if (c.vramMarginGb() != WorkerConfig.DEFAULT_VRAM_MARGIN_GB) {
      out.append("vram_margin_gb = ").append(decimal(c.vramMarginGb())).append('\n');
    }
    String gpu = c.gpu();
    if (gpu != null) {
      // An index is written as a whole number, a UUID as a string, as an operator writes them.
      boolean index = gpu.chars().allMatch(ch -> ch >= '0' && ch <= '9');
      out.append("gpu = ").append(index ? gpu : quote(gpu)).append('\n');
    }
    return out.toString();
  }

  /**
   * The same text with the secrets replaced by {@code "<redacted>"}, for {@code studio-worker
   * config}.
   */
  static String toRedactedToml(WorkerConfig c) {
    String redacted = "<redacted>";
    return toToml(
        new WorkerConfig.Builder(c)
            .authToken(c.authToken() == null ? null : redacted)
            .registrationSecret(c.registrationSecret() == null ? null : redacted)
            .localApiToken(c.localApiToken() == null ? null : redacted)
            .build());
  }

  private static void string(StringBuilder out, String key, @Nullable String value) {
    if (value != null) {
      out.append(key).append(" = ").append(quote(value)).append('\n');
    }
  }

  private static void integer(StringBuilder out, String key, @Nullable Integer value) {
    if (value != null) {
      out.append(key).append(" = ").append(value).append('\n');
    }
  }

  private static String decimal(double value) {
    // TOML floats need a fraction or exponent: 12 would read back as an integer.
    String text = Double.toString(value);
    return text.toLowerCase(Locale.ROOT);
  }

  /** A TOML basic string. */
  static String quote(String value) {
    StringBuilder out = new StringBuilder(value.length() + 2).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
