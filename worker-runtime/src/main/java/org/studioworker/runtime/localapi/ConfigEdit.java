package org.studioworker.runtime.localapi;

import java.net.URI;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.studioworker.runtime.config.ConfigException;
import org.studioworker.runtime.config.StudioUrls;
import org.studioworker.runtime.config.WorkerConfig;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The editable config of {@code GET|PUT /daemon/config}: the keys a UI may change, in the
 * original's camelCase names, with the original's validation order and messages.
 *
 * <p>{@code onlyWhenIdle} is newer than the original's fields: a body may leave it out (older
 * clients do), and the saved value is then kept.
 */
final class ConfigEdit {
  /** The keys, in the order they are shown and checked for presence. */
  static final List<String> KEYS =
      List.of(
          "apiBaseUrl",
          "vramThresholdGb",
          "startMinimised",
          "autoUpdateEnabled",
          "autoUpdateIntervalSecs",
          "autoUpdateFeed",
          "autoUpdatePrerelease",
          "modelsRoot");

  /** The optional key that newer clients send; checked after {@link #KEYS}. */
  static final String ONLY_WHEN_IDLE = "onlyWhenIdle";

  /** The keys {@code GET /daemon/config} answers, in order: {@link #KEYS}, then the newer one. */
  static final List<String> SHOWN =
      java.util.stream.Stream.concat(KEYS.stream(), java.util.stream.Stream.of(ONLY_WHEN_IDLE))
          .toList();

  /** A refusal: {@code bad_request} for a malformed body, {@code invalid_config} for a value. */
  static final class Refused extends Exception {
    final String code;

    Refused(String code, String message) {
      super(message, null, false, false);
      this.code = code;
    }
  }

  /** The values of a valid body. */
  record Values(
      String apiBaseUrl,
      double vramThresholdGb,
      boolean startMinimised,
      boolean autoUpdateEnabled,
      long autoUpdateIntervalSecs,
      @Nullable String autoUpdateFeed,
      boolean autoUpdatePrerelease,
      String modelsRoot,
      @Nullable Boolean onlyWhenIdle) {
    /** These values over {@code config}; every other key (credentials among them) is kept. */
    WorkerConfig applyTo(WorkerConfig config) {
      boolean idle = onlyWhenIdle == null ? config.onlyWhenIdle() : onlyWhenIdle;
      return new WorkerConfig.Builder(config)
          .onlyWhenIdle(idle)
          .apiBaseUrl(apiBaseUrl)
          .vramThresholdGb(vramThresholdGb)
          .startMinimised(startMinimised)
          .autoUpdateEnabled(autoUpdateEnabled)
          .autoUpdateIntervalSecs(autoUpdateIntervalSecs)
          .autoUpdateFeed(autoUpdateFeed)
          .autoUpdatePrerelease(autoUpdatePrerelease)
          .modelsRoot(modelsRoot)
          .build();
    }
  }

  private ConfigEdit() {}

  /** The editable config as JSON. */
  static ObjectNode toJson(ObjectNode out, WorkerConfig config) {
    out.put("apiBaseUrl", config.apiBaseUrl());
    out.put("vramThresholdGb", config.vramThresholdGb());
    out.put("startMinimised", config.startMinimised());
    out.put("autoUpdateEnabled", config.autoUpdateEnabled());
    out.put("autoUpdateIntervalSecs", config.autoUpdateIntervalSecs());
    out.put("autoUpdateFeed", config.autoUpdateFeed());
    out.put("autoUpdatePrerelease", config.autoUpdatePrerelease());
    out.put("modelsRoot", config.modelsRoot());
    out.put(ONLY_WHEN_IDLE, config.onlyWhenIdle());
    return out;
  }

  /**
   * Reads and validates a PUT body: every key present with its type (else {@code bad_request}),
   * then the values in the original's order (else {@code invalid_config}).
   */
  static Values parse(JsonNode body) throws Refused {
    if (!body.isObject()) {
      throw new Refused("bad_request", "the body must be a JSON object");
    }
    for (String key : KEYS) {
      if (!body.has(key)) {
        throw new Refused("bad_request", "missing field `" + key + "`");
      }
    }
    String apiBaseUrl = string(body, "apiBaseUrl");
    double threshold = number(body, "vramThresholdGb");
    boolean startMinimised = bool(body, "startMinimised");
    boolean autoUpdateEnabled = bool(body, "autoUpdateEnabled");
    long interval = integer(body, "autoUpdateIntervalSecs");
    JsonNode feedNode = body.get("autoUpdateFeed");
    String feed = feedNode.isNull() ? null : string(body, "autoUpdateFeed");
    boolean prerelease = bool(body, "autoUpdatePrerelease");
    String modelsRoot = string(body, "modelsRoot");

    if (!isHttpUrl(apiBaseUrl) || !normalises(apiBaseUrl)) {
      throw invalid("apiBaseUrl", "must be an http(s) URL");
    }
    if (!Double.isFinite(threshold) || threshold < 0) {
      throw invalid("vramThresholdGb", "must be a number of GB, 0 or more");
    }
    if (interval < 60) {
      throw invalid("autoUpdateIntervalSecs", "must be at least 60 seconds");
    }
    if (feed != null && feed.isBlank()) {
      feed = null;
    }
    if (feed != null && !isHttpUrl(feed)) {
      throw invalid("autoUpdateFeed", "must be an http(s) URL");
    }
    if (modelsRoot.isBlank()) {
      throw invalid("modelsRoot", "must not be empty");
    }
    Boolean onlyWhenIdle = null;
    JsonNode idleNode = body.get(ONLY_WHEN_IDLE);
    if (idleNode != null) {
      if (!idleNode.isBoolean()) {
        throw invalid(ONLY_WHEN_IDLE, "must be true or false");
      }
      onlyWhenIdle = idleNode.booleanValue();
    }
    return new Values(
        apiBaseUrl.strip(),
        threshold,
        startMinimised,
        autoUpdateEnabled,
        interval,
        feed == null ? null : feed.strip(),
        prerelease,
        modelsRoot.strip(),
        onlyWhenIdle);
  }

  private static Refused invalid(String field, String problem) {
    return new Refused("invalid_config", "invalid config: " + field + ": " + problem);
  }

  private static boolean isHttpUrl(String text) {
    try {
      URI uri = new URI(text.strip());
      String scheme = uri.getScheme();
      return scheme != null
          && (scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
          && uri.getHost() != null
          && !uri.getHost().isEmpty();
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }

  /** Whether the worker could connect to it: the config file refuses what does not normalise. */
  private static boolean normalises(String url) {
    try {
      StudioUrls.normalise(url.strip());
      return true;
    } catch (ConfigException e) {
      return false;
    }
  }

  private static String string(JsonNode body, String key) throws Refused {
    JsonNode node = body.get(key);
    if (!node.isString()) {
      throw wrongType(key, "a string");
    }
    return node.asString();
  }

  private static double number(JsonNode body, String key) throws Refused {
    JsonNode node = body.get(key);
    if (!node.isNumber()) {
      throw wrongType(key, "a number");
    }
    return node.asDouble();
  }

  private static long integer(JsonNode body, String key) throws Refused {
    JsonNode node = body.get(key);
    if (!node.isIntegralNumber() || !node.canConvertToLong()) {
      throw wrongType(key, "a whole number");
    }
    return node.asLong();
  }

  private static boolean bool(JsonNode body, String key) throws Refused {
    JsonNode node = body.get(key);
    if (!node.isBoolean()) {
      throw wrongType(key, "true or false");
    }
    return node.asBoolean();
  }

  private static Refused wrongType(String key, String type) {
    return new Refused("bad_request", "field `" + key + "` must be " + type);
  }
}
