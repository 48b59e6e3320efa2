package org.studioworker.ui.process;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ~/.config/autostart/studio-worker-ui.desktop}: the UI starts with the desktop session.
 *
 * <p>A freedesktop desktop entry ({@code $XDG_CONFIG_HOME/autostart} when that is set), written
 * atomically. Not thread-safe against another process editing the same entry; the last write wins.
 */
public final class Autostart {
  private static final Logger log = LoggerFactory.getLogger("ui");

  static final String FILE_NAME = "studio-worker-ui.desktop";

  /** Why 64 KiB? Ours is a few hundred bytes; a larger file is read no further. */
  static final int READ_LIMIT = 64 * 1024;

  /** The characters that make the Desktop Entry spec quote an Exec argument. */
  private static final String RESERVED = " \t\n\"'\\><~|&;$*?#()`";

  private Autostart() {}

  /** Whether the entry exists and is not hidden. */
  public static boolean enabled(Map<String, String> env) {
    try {
      return read(entryPath(env)).map(Autostart::isEnabled).orElse(false);
    } catch (IOException e) {
      log.warn("cannot read {}: {}", entryPath(env), e.toString());
      return false;
    }
  }

  /** Writes or removes the entry; written, it runs {@code <launcher> --config <p> ui}. */
  public static void set(Map<String, String> env, boolean on, Path launcher, Path configPath)
      throws IOException {
    Path entry = entryPath(env);
    if (on) {
      write(entry, launcher, configPath);
      log.info("the UI now starts with the desktop session ({})", entry);
    } else if (Files.deleteIfExists(entry)) {
      log.info("the UI no longer starts with the desktop session (removed {})", entry);
    }
  }

  /**
   * Rewrites an existing entry whose command no longer names {@code launcher}.
   *
   * <p>An entry the user turned off ({@code Hidden=true}) is left as it is: rewritten, it would be
   * on again.
   */
  public static void refresh(Map<String, String> env, Path launcher, Path configPath)
      throws IOException {
    Path entry = entryPath(env);
    Optional<String> text = read(entry);
    if (text.isEmpty() || !isEnabled(text.get())) {
      return;
    }
    String exec = exec(launcher, configPath);
    if (!value(text.get(), "Exec").orElse("").equals(exec)) {
      write(entry, launcher, configPath);
      log.info("{} now runs {}", entry, exec);
    }
  }

  /** {@code $XDG_CONFIG_HOME/autostart/studio-worker-ui.desktop}, else under {@code ~/.config}. */
  static Path entryPath(Map<String, String> env) {
    String xdg = env.get("XDG_CONFIG_HOME");
    Path configHome;
    // The base-directory spec: a relative XDG_CONFIG_HOME is invalid and ignored.
    if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
      configHome = Path.of(xdg);
    } else {
      String home = env.get("HOME");
      configHome =
          Path.of(
              home == null || home.isBlank() ? System.getProperty("user.home") : home, ".config");
    }
    return configHome.resolve("autostart").resolve(FILE_NAME);
  }

  /** The entry's text, the {@code [Desktop Entry]} group of the Desktop Entry spec. */
  static String entry(Path launcher, Path configPath) {
    return String.join(
        "\n",
        "[Desktop Entry]",
        "Type=Application",
        "Name=Studio worker",
        "Comment=The studio worker's window and tray icon",
        "Exec=" + exec(launcher, configPath),
        "Terminal=false",
        "X-GNOME-Autostart-enabled=true",
        "");
  }

  /** The Exec value: {@code <launcher> --config <p> ui}, each argument quoted where it must be. */
  static String exec(Path launcher, Path configPath) {
    return String.join(
        " ",
        List.of(
            execArgument(launcher.toAbsolutePath().toString()),
            "--config",
            execArgument(configPath.toAbsolutePath().toString()),
            "ui"));
  }

  /**
   * One argument of Exec, as the Desktop Entry spec writes it: in double quotes when it holds a
   * reserved character, with {@code " ` $ \} escaped by a backslash inside; {@code %} doubled (a
   * field code otherwise); then the string escapes of the file, applied after the quoting, which
   * double every backslash again (so a literal backslash is four).
   */
  static String execArgument(String argument) {
    String field = argument.replace("%", "%%");
    String quoted = field;
    if (field.isEmpty() || field.chars().anyMatch(c -> RESERVED.indexOf(c) >= 0)) {
      StringBuilder inner = new StringBuilder("\"");
      for (char c : field.toCharArray()) {
        if (c == '"' || c == '`' || c == '$' || c == '\\') {
          inner.append('\\');
        }
        inner.append(c);
      }
      quoted = inner.append('"').toString();
    }
    StringBuilder escaped = new StringBuilder();
    for (char c : quoted.toCharArray()) {
      switch (c) {
        case '\\' -> escaped.append("\\\\");
        case '\n' -> escaped.append("\\n");
        case '\t' -> escaped.append("\\t");
        case '\r' -> escaped.append("\\r");
        default -> escaped.append(c);
      }
    }
    return escaped.toString();
  }

  private static boolean isEnabled(String text) {
    // GNOME's own switch for an autostart entry is X-GNOME-Autostart-enabled; false is off too.
    return !value(text, "Hidden").orElse("false").equalsIgnoreCase("true")
        && !value(text, "X-GNOME-Autostart-enabled").orElse("true").equalsIgnoreCase("false");
  }

  /** The raw value of {@code key} in the {@code [Desktop Entry]} group, if present. */
  static Optional<String> value(String text, String key) {
    boolean inGroup = false;
    for (String line : text.lines().toList()) {
      String stripped = line.strip();
      if (stripped.startsWith("[")) {
        inGroup = stripped.equals("[Desktop Entry]");
        continue;
      }
      int equals = line.indexOf('=');
      if (inGroup && equals > 0 && line.substring(0, equals).strip().equals(key)) {
        return Optional.of(line.substring(equals + 1).strip());
      }
    }
    return Optional.empty();
  }

  private static Optional<String> read(Path entry) throws IOException {
    try (InputStream in = Files.newInputStream(entry)) {
      return Optional.of(new String(in.readNBytes(READ_LIMIT), StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  private static void write(Path entry, Path launcher, Path configPath) throws IOException {
    Path dir = Objects.requireNonNull(entry.getParent(), "the entry lies in autostart/");
    Files.createDirectories(dir);
    Path temp = dir.resolve("." + FILE_NAME + "." + ProcessHandle.current().pid() + ".tmp");
    Files.writeString(temp, entry(launcher, configPath), StandardCharsets.UTF_8);
    // Atomic: a session that starts while this runs reads the old entry or the new, never half.
    Files.move(temp, entry, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
