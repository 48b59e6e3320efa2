package org.studioworker.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ui-settings.json}: the theme saved beside the config, dark when absent or unreadable. */
final class UiSettingsTest {
  @TempDir Path dir;

  @Test
  void theThemeIsSavedBesideTheConfigAndReadBack() throws Exception {
    UiSettings settings = new UiSettings(dir.resolve("config.toml"));
    assertThat(settings.theme()).isEqualTo(Theme.DARK);

    settings.saveTheme(Theme.LIGHT);

    assertThat(settings.file()).isEqualTo(dir.resolve("ui-settings.json"));
    assertThat(Files.readString(settings.file())).contains("\"theme\":\"light\"");
    assertThat(new UiSettings(dir.resolve("config.toml")).theme()).isEqualTo(Theme.LIGHT);
    try (var left = Files.list(dir)) {
      assertThat(left.map(p -> p.getFileName().toString())).containsExactly("ui-settings.json");
    }
  }

  @Test
  void anUnreadableFileMeansDark() throws Exception {
    Files.writeString(dir.resolve("ui-settings.json"), "{not json");
    assertThat(new UiSettings(dir.resolve("config.toml")).theme()).isEqualTo(Theme.DARK);
    Files.writeString(dir.resolve("ui-settings.json"), "{\"theme\":\"purple\"}");
    assertThat(new UiSettings(dir.resolve("config.toml")).theme()).isEqualTo(Theme.DARK);
  }
}
