package org.studioworker.runtime.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The studio's routes, derived from the configured base URL (PROTOCOL.md §1).
 *
 * <p>Normalising: drop query and fragment, drop trailing {@code /}, drop a trailing {@code
 * /graphics/api} (an outer mount path such as {@code /studio} stays), then append {@code
 * /graphics/api}.
 */
public final class StudioUrls {
  /** The prefix of every studio route. */
  public static final String API_PREFIX = "/graphics/api";

  private StudioUrls() {}

  /**
   * The normalised API base, ending in {@code /graphics/api}.
   *
   * @throws ConfigException when the URL does not parse or its scheme is not http(s) or ws(s)
   */
  public static URI normalise(String baseUrl) throws ConfigException {
    URI uri;
    try {
      uri = new URI(baseUrl.strip());
    } catch (URISyntaxException e) {
      throw new ConfigException("api_base_url is not a valid URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http")
        && !scheme.equals("https")
        && !scheme.equals("ws")
        && !scheme.equals("wss")) {
      throw new ConfigException(
          "api_base_url must start with http://, https://, ws:// or wss://"
              + (scheme.isEmpty() ? "" : " (scheme " + scheme + " is not supported)"));
    }
    if (uri.getHost() == null) {
      throw new ConfigException("api_base_url has no host");
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    if (path.endsWith(API_PREFIX)) {
      path = path.substring(0, path.length() - API_PREFIX.length());
    }
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    String authority = uri.getRawAuthority();
    return URI.create(scheme + "://" + authority + path + API_PREFIX);
  }

  /** The HTTP form of a normalised base: {@code ws} becomes {@code http}, {@code wss} https. */
  public static URI http(URI apiBase) {
    String text = apiBase.toString();
    if (text.startsWith("ws://")) {
      return URI.create("http://" + text.substring(5));
    } else if (text.startsWith("wss://")) {
      return URI.create("https://" + text.substring(6));
    }
    return apiBase;
  }

  /**
   * The origin of a normalised base, the part that decides who receives the credentials: scheme,
   * host and port, as {@code https://host} or {@code http://host:8787}. {@code ws} counts as {@code
   * http} and {@code wss} as {@code https}, since the worker speaks HTTP to both the same way; the
   * host is lower-cased, a default port is left out and so is any user info. Two bases share an
   * origin when these strings are equal.
   */
  public static String origin(URI apiBase) {
    URI base = http(apiBase);
    String scheme = base.getScheme().toLowerCase(Locale.ROOT);
    String host = base.getHost() == null ? "" : base.getHost().toLowerCase(Locale.ROOT);
    int port = base.getPort();
    int standard = scheme.equals("https") ? 443 : 80;
    return scheme + "://" + host + (port == -1 || port == standard ? "" : ":" + port);
  }

  /** {@code POST .../workers/register-request}. */
  public static URI registerRequest(URI apiBase) {
    return URI.create(http(apiBase) + "/workers/register-request");
  }

  /** {@code GET .../workers/register-requests/{id}}. */
  public static URI registerPoll(URI apiBase, String requestId) {
    return URI.create(http(apiBase) + "/workers/register-requests/" + segment(requestId));
  }

  /** The session's WebSocket URL: http becomes ws, https becomes wss. */
  public static URI connect(URI apiBase, String workerId) {
    String text = apiBase.toString();
    if (text.startsWith("http://")) {
      text = "ws://" + text.substring(7);
    } else if (text.startsWith("https://")) {
      text = "wss://" + text.substring(8);
    }
    return URI.create(text + "/workers/" + segment(workerId) + "/connect");
  }

  /** {@code POST .../workers/{workerId}/jobs/{jobId}/complete}. */
  public static URI complete(URI apiBase, String workerId, String jobId) {
    return URI.create(
        http(apiBase) + "/workers/" + segment(workerId) + "/jobs/" + segment(jobId) + "/complete");
  }

  private static String segment(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
