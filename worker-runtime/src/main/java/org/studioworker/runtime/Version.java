package org.studioworker.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The worker's version, as built. */
public final class Version {
  private static final String CURRENT = load();

  private Version() {}

  /** The version, for example {@code 0.5.0}. */
  public static String current() {
    return CURRENT;
  }

  /** The user agent sent to the studio: {@code studio-worker/<version>}. */
  public static String userAgent() {
    return "studio-worker/" + CURRENT;
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
}
