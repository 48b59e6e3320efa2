package org.studioworker.ui.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The autostart entry under a temporary {@code XDG_CONFIG_HOME}. */
final class AutostartTest {
  @TempDir Path home;

  private Map<String, String> env() {
    return Map.of("XDG_CONFIG_HOME", home.toString());
  }

  private Path entry() {
    return home.resolve("autostart").resolve("studio-worker-ui.desktop");
  }

  private List<String> execArguments() throws Exception {
    return parseExec(Autostart.value(Files.readString(entry()), "Exec").orElseThrow());
  }

  @Test
  void writesADesktopEntryThatRunsTheUiOfTheConfig() throws Exception {
    assertThat(Autostart.enabled(env())).isFalse();

    Autostart.set(env(), true, Path.of("/opt/sw/current/bin/studio-worker"), Path.of("/c/w.toml"));

    assertThat(Autostart.enabled(env())).isTrue();
    assertThat(Files.readAllLines(entry()))
        .containsExactly(
            "[Desktop Entry]",
            "Type=Application",
            "Name=Studio worker",
            "Comment=The studio worker's window and tray icon",
            "Exec=/opt/sw/current/bin/studio-worker --config /c/w.toml ui",
            "Terminal=false",
            "X-GNOME-Autostart-enabled=true");
    try (var stream = Files.list(entry().getParent())) {
      assertThat(stream).containsExactly(entry()); // no temporary file left
    }
  }

  @Test
  void quotesPathsWithSpacesAndQuotesAsTheDesktopEntrySpecSays() throws Exception {
    Path launcher = Path.of("/opt/my apps/studio-worker");
    Path config = Path.of("/home/u/it's \"mine\" $HOME 100% \\ `x`/config.toml");

    Autostart.set(env(), true, launcher, config);

    assertThat(Autostart.value(Files.readString(entry()), "Exec"))
        .contains(
            "\"/opt/my apps/studio-worker\" --config"
                + " \"/home/u/it's \\\\\"mine\\\\\" \\\\$HOME 100%% \\\\\\\\ \\\\`x\\\\`/config.toml\""
                + " ui");
    assertThat(execArguments())
        .containsExactly(launcher.toString(), "--config", config.toString(), "ui");
  }

  @Test
  void refreshRewritesAnEntryThatNamesAMovedLauncher() throws Exception {
    Path config = Path.of("/c/w.toml");
    Autostart.set(env(), true, Path.of("/old place/studio-worker"), config);

    Autostart.refresh(env(), Path.of("/new place/studio-worker"), config);

    assertThat(execArguments())
        .containsExactly("/new place/studio-worker", "--config", "/c/w.toml", "ui");
    String written = Files.readString(entry());
    Autostart.refresh(env(), Path.of("/new place/studio-worker"), config);
    assertThat(Files.readString(entry())).isEqualTo(written);

    Autostart.refresh(env(), Path.of("/new place/studio-worker"), Path.of("/d/other.toml"));
    assertThat(execArguments())
        .containsExactly("/new place/studio-worker", "--config", "/d/other.toml", "ui");
  }

  @Test
  void refreshWritesNothingWhereThereIsNoEntryOrAHiddenOne() throws Exception {
    Autostart.refresh(env(), Path.of("/sw"), Path.of("/c/w.toml"));
    assertThat(entry()).doesNotExist();

    Files.createDirectories(entry().getParent());
    String hidden =
        "[Desktop Entry]\nType=Application\nExec=/old/sw --config /c/w.toml ui\nHidden=true\n";
    Files.writeString(entry(), hidden);
    assertThat(Autostart.enabled(env())).isFalse();

    Autostart.refresh(env(), Path.of("/sw"), Path.of("/c/w.toml"));

    assertThat(Files.readString(entry())).isEqualTo(hidden);
  }

  @Test
  void anEntryTurnedOffByGnomeIsNotEnabled() throws Exception {
    Files.createDirectories(entry().getParent());
    Files.writeString(
        entry(),
        "[Desktop Entry]\nExec=/sw --config /c/w.toml ui\nX-GNOME-Autostart-enabled=false\n");

    assertThat(Autostart.enabled(env())).isFalse();
  }

  @Test
  void turnedOffTheEntryIsRemoved() throws Exception {
    Autostart.set(env(), true, Path.of("/sw"), Path.of("/c/w.toml"));

    Autostart.set(env(), false, Path.of("/sw"), Path.of("/c/w.toml"));

    assertThat(entry()).doesNotExist();
    assertThat(Autostart.enabled(env())).isFalse();
    Autostart.set(env(), false, Path.of("/sw"), Path.of("/c/w.toml")); // already off: no error
  }

  @Test
  void withoutXdgConfigHomeTheEntryLivesUnderDotConfig() {
    assertThat(Autostart.entryPath(Map.of("HOME", "/home/u")))
        .isEqualTo(Path.of("/home/u/.config/autostart/studio-worker-ui.desktop"));
    // The base-directory spec: a relative XDG_CONFIG_HOME is ignored.
    assertThat(Autostart.entryPath(Map.of("HOME", "/home/u", "XDG_CONFIG_HOME", "rel")))
        .isEqualTo(Path.of("/home/u/.config/autostart/studio-worker-ui.desktop"));
  }

  /**
   * Reads an Exec value as a desktop session does (Desktop Entry spec): the string escapes first,
   * then the arguments, split at spaces outside double quotes, with {@code \} escapes inside.
   */
  static List<String> parseExec(String value) {
    StringBuilder unescaped = new StringBuilder();
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\\' && i + 1 < value.length()) {
        char next = value.charAt(++i);
        unescaped.append(
            switch (next) {
              case 's' -> ' ';
              case 'n' -> '\n';
              case 't' -> '\t';
              case 'r' -> '\r';
              default -> next;
            });
      } else {
        unescaped.append(c);
      }
    }
    List<String> arguments = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean quoted = false;
    boolean any = false;
    String text = unescaped.toString();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quoted) {
        if (c == '\\' && i + 1 < text.length()) {
          current.append(text.charAt(++i));
        } else if (c == '"') {
          quoted = false;
        } else if (c == '%' && i + 1 < text.length() && text.charAt(i + 1) == '%') {
          current.append('%');
          i++;
        } else {
          current.append(c);
        }
      } else if (c == '"') {
        quoted = true;
        any = true;
      } else if (c == ' ') {
        if (any) {
          arguments.add(current.toString());
          current.setLength(0);
          any = false;
        }
      } else if (c == '%' && i + 1 < text.length() && text.charAt(i + 1) == '%') {
        current.append('%');
        i++;
        any = true;
      } else {
        current.append(c);
        any = true;
      }
    }
    if (any) {
      arguments.add(current.toString());
    }
    return arguments;
  }
}
