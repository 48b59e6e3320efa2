package org.studioworker.runtime.logs;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Replaces known secrets with {@code <redacted>} in text about to leave the process (log lines,
 * shipped entries, crash reports).
 *
 * <p>The code never logs a secret on purpose; this is the second line of defence against one
 * slipping into an exception message from a library. Thread-safe.
 */
public final class Redactor {
  /** What a secret becomes. */
  public static final String MASK = "<redacted>";

  /** Shorter strings are not registered: masking them would garble ordinary text. */
  private static final int MIN_SECRET_LENGTH = 8;

  private static final Pattern BEARER = Pattern.compile("(?i)(bearer\\s+)[A-Za-z0-9._~+/=-]+");

  private static final Set<String> SECRETS = ConcurrentHashMap.newKeySet();

  private Redactor() {}

  /** Registers a secret to mask from now on; nulls and short strings are ignored. */
  public static void register(@org.jspecify.annotations.Nullable String secret) {
    if (secret != null && secret.length() >= MIN_SECRET_LENGTH) {
      SECRETS.add(secret);
    }
  }

  /** The text with every registered secret and every bearer credential masked. */
  public static String redact(String text) {
    String out = text;
    for (String secret : SECRETS) {
      if (out.contains(secret)) {
        out = out.replace(secret, MASK);
      }
    }
    return BEARER.matcher(out).replaceAll("$1" + MASK);
  }
}
