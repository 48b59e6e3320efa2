package org.studioworker.runtime.localapi;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The three checks of every guarded route, in order: a loopback {@code Host}, a loopback {@code
 * Origin}, the bearer token.
 *
 * <p>Why all three: a web page can send a "simple" {@code text/plain} POST to 127.0.0.1 without a
 * CORS preflight (the browser adds its {@code Origin}), and DNS rebinding lets a page read loopback
 * answers under its own host name (the browser sends that name as {@code Host}). A page knows
 * neither the token nor how to make the browser send {@code Host: 127.0.0.1}.
 */
final class Guards {
  /** {@code localhost} (any case), {@code 127.0.0.1} or {@code [::1]}, each with a port or not. */
  private static final Pattern LOOPBACK_HOST =
      Pattern.compile("(?i:localhost|127\\.0\\.0\\.1|\\[::1\\])(:[0-9]{1,5})?");

  private static final Pattern LOOPBACK_ORIGIN =
      Pattern.compile("https?://(?i:localhost|127\\.0\\.0\\.1|\\[::1\\])(:[0-9]{1,5})?");

  private static final String BEARER = "bearer ";

  /** The 401 text, which says where a local client finds the token. */
  static final String UNAUTHORIZED =
      "missing or invalid Authorization bearer token; local clients can read the current token"
          + " from the local-api.json discovery file in the worker's config directory";

  /** A refusal: the status and the message. */
  record Denial(int status, String code, String message) {}

  private final byte[] token;

  Guards(String token) {
    if (token.isEmpty()) {
      throw new IllegalArgumentException("an empty token is never served");
    }
    this.token = token.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Runs the checks.
   *
   * @param checkToken false for the unauthenticated routes that still refuse cross-site callers
   * @return the first refusal, or null when the request passes
   */
  @Nullable Denial check(
      @Nullable String host,
      @Nullable String origin,
      @Nullable String authorization,
      boolean checkToken) {
    if (host != null && !isLoopbackHost(host)) {
      return new Denial(
          403, "forbidden", "forbidden: non-loopback Host header \"" + shown(host) + "\"");
    }
    if (origin != null && !isLoopbackOrigin(origin)) {
      return new Denial(
          403, "forbidden", "forbidden: cross-site request from Origin \"" + shown(origin) + "\"");
    }
    if (checkToken && !bearerMatches(authorization)) {
      return new Denial(401, "unauthorized", UNAUTHORIZED);
    }
    return null;
  }

  static boolean isLoopbackHost(String host) {
    return LOOPBACK_HOST.matcher(host).matches();
  }

  static boolean isLoopbackOrigin(String origin) {
    return LOOPBACK_ORIGIN.matcher(origin).matches();
  }

  private boolean bearerMatches(@Nullable String authorization) {
    if (authorization == null
        || authorization.length() < BEARER.length()
        || !authorization.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
      return false;
    }
    byte[] given =
        authorization.substring(BEARER.length()).strip().getBytes(StandardCharsets.UTF_8);
    // Constant time in the length of the token: a caller cannot learn a prefix from the timing.
    return MessageDigest.isEqual(given, token);
  }

  /** A header value as it may be shown: at most 200 characters, control characters as '?'. */
  static String shown(String value) {
    String cut = value.length() > 200 ? value.substring(0, 200) + "…" : value;
    StringBuilder out = new StringBuilder(cut.length());
    cut.codePoints()
        .forEach(c -> out.appendCodePoint(Character.isISOControl(c) || c == '"' ? '?' : c));
    return out.toString();
  }
}
