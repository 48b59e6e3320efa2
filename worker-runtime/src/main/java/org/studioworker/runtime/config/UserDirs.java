package org.studioworker.runtime.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The user's home and config folders, read from the environment the way the original worker's
 * {@code dirs} crate reads them.
 *
 * <p>{@code HOME} wins over the passwd entry: Java's {@code user.home} comes from the passwd entry
 * and ignores {@code HOME}, so a container with an arbitrary UID, or {@code sudo -u x HOME=…},
 * would land in {@code /nonexistent}. {@code user.home} is only the fallback when {@code HOME} is
 * unset or empty. Stateless and thread-safe.
 */
final class UserDirs {
  private UserDirs() {}

  /** {@code $HOME}, else (unset or empty) the passwd entry's home as Java reports it. */
  static Path home(Map<String, String> env) {
    String home = env.get("HOME");
    if (home != null && !home.isEmpty()) {
      try {
        return Path.of(home);
      } catch (InvalidPathException e) {
        // A NUL in the variable: as good as unset.
      }
    }
    return Path.of(System.getProperty("user.home", ""));
  }

  /**
   * {@code $XDG_CONFIG_HOME} when it is an absolute path, else {@code $HOME/.config}: the XDG Base
   * Directory spec says a relative value is invalid and must be ignored.
   */
  static Path configHome(Map<String, String> env) {
    Path xdg = absolute(env.get("XDG_CONFIG_HOME"));
    return xdg != null ? xdg : home(env).resolve(".config");
  }

  private static @Nullable Path absolute(@Nullable String value) {
    if (value == null || value.isEmpty()) {
      return null;
    }
    try {
      Path path = Path.of(value);
      return path.isAbsolute() ? path : null;
    } catch (InvalidPathException e) {
      // A NUL in the variable; the spec's answer to an unusable value is the default.
      return null;
    }
  }
}
