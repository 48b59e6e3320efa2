package org.studioworker.ui;

import com.formdev.flatlaf.FlatDarkLaf;
import com.formdev.flatlaf.FlatLaf;
import com.formdev.flatlaf.FlatLightLaf;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The window's look: dark, light, or what the desktop prefers. */
enum Theme {
  DARK("Dark"),
  LIGHT("Light"),
  SYSTEM("Follow system");

  private final String label;

  Theme(String label) {
    this.label = label;
  }

  @Override
  public String toString() {
    return label;
  }

  /** The name saved in {@code ui-settings.json}. */
  String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The theme saved as {@code key}, if it names one. */
  static Optional<Theme> ofKey(String key) {
    for (Theme theme : values()) {
      if (theme.key().equals(key)) {
        return Optional.of(theme);
      }
    }
    return Optional.empty();
  }

  /** Whether this theme is dark here; {@link #SYSTEM} asks the desktop. */
  boolean isDark(Map<String, String> env) {
    return switch (this) {
      case DARK -> true;
      case LIGHT -> false;
      case SYSTEM -> systemPrefersDark(env);
    };
  }

  /** Installs the look and repaints every window. EDT only. */
  void apply(Map<String, String> env) {
    FlatLaf laf = isDark(env) ? new FlatDarkLaf() : new FlatLightLaf();
    FlatLaf.setup(laf);
    FlatLaf.updateUI();
  }

  /**
   * GNOME's {@code color-scheme} ({@code 'prefer-dark'}, {@code 'prefer-light'}, {@code
   * 'default'}), asked with a 2 s limit; dark when it cannot be asked or says nothing.
   */
  static boolean systemPrefersDark(Map<String, String> env) {
    if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
      return true;
    }
    try {
      Process gsettings =
          new ProcessBuilder("gsettings", "get", "org.gnome.desktop.interface", "color-scheme")
              .redirectErrorStream(true)
              .start();
      try (InputStream out = gsettings.getInputStream()) {
        if (!gsettings.waitFor(2, TimeUnit.SECONDS)) {
          gsettings.destroyForcibly();
          return true;
        }
        // Why 256? The answer is one word in quotes.
        String answer = new String(out.readNBytes(256), StandardCharsets.UTF_8).strip();
        return gsettings.exitValue() != 0
            || !answer.contains("light") && !answer.contains("default");
      }
    } catch (IOException notThere) {
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }
}
