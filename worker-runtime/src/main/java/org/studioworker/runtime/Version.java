package org.studioworker.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The worker's version and build kind, as built.
 *
 * <p>The build kind follows the update keys the build trusts (the resource {@code
 * update/trusted-keys.txt}, filtered at build time; docs/update.md): a <b>development build</b>
 * trusts the development key, whose private half is committed with the source, so anyone can sign
 * an update for it; a <b>release build</b> was built with {@code -Dstudio.update.trustedKey} and
 * trusts that key alone. Reading the kind from the keys, not from a flag of its own, means the two
 * cannot disagree. Immutable; thread-safe.
 */
public final class Version {
  private static final String CURRENT = load();
  private static final boolean DEVELOPMENT = trustsDevelopmentKey();

  private Version() {}

  /** The version, for example {@code 0.5.0}. */
  public static String current() {
    return CURRENT;
  }

  /** The user agent sent to the studio: {@code studio-worker/<version>}. */
  public static String userAgent() {
    return "studio-worker/" + CURRENT;
  }

  /**
   * Whether this build trusts the development update key: it then takes updates only from a
   * loopback feed, and must never be deployed (README, "Installing on a Linux GPU server").
   */
  public static boolean isDevelopmentBuild() {
    return DEVELOPMENT;
  }

  /**
   * The version and the build kind: {@code 0.5.0 (release build)}, {@code 0.5.0 (development
   * build)}.
   */
  public static String describe() {
    return CURRENT + (DEVELOPMENT ? " (development build)" : " (release build)");
  }

  /**
   * One line about the build kind for an operator: {@code release build} or, for a development
   * build, what it trusts and what that means.
   */
  public static String buildNote() {
    return DEVELOPMENT
        ? "development build: trusts the development update key committed with the source, so it"
            + " takes updates only from a loopback feed; do not deploy it"
        : "release build";
  }

  private static String load() {
    try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        return "0.0.0-dev";
      }
      Properties properties = new Properties();
      properties.load(in);
      String version = properties.getProperty("version", "0.0.0-dev");
      return version.startsWith("${") ? "0.0.0-dev" : version;
    } catch (IOException e) {
      return "0.0.0-dev";
    }
  }

  /**
   * The rule of {@code update.TrustedKeys}, read from the same resource: a filled-in {@code
   * release} line that is not a development key makes a release build; anything else (the line
   * unfilled, empty, the resource missing or unreadable) a development build.
   */
  private static boolean trustsDevelopmentKey() {
    try (InputStream in = Version.class.getResourceAsStream("update/trusted-keys.txt")) {
      if (in == null) {
        return true;
      }
      return trustsDevelopmentKey(new String(in.readAllBytes(), StandardCharsets.US_ASCII));
    } catch (IOException e) {
      return true;
    }
  }

  static boolean trustsDevelopmentKey(String keys) {
    List<String> release = new ArrayList<>();
    List<String> dev = new ArrayList<>();
    for (String raw : keys.split("\n")) {
      String[] parts = raw.strip().split("\\s+", 2);
      if (parts.length != 2 || parts[0].startsWith("#") || parts[1].startsWith("${")) {
        continue;
      }
      if (parts[0].equals("release")) {
        release.add(parts[1].strip());
      } else if (parts[0].equals("dev")) {
        dev.add(parts[1].strip());
      }
    }
    return release.isEmpty() || release.stream().anyMatch(dev::contains);
  }
}
