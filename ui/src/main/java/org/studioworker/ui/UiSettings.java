package org.studioworker.ui;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The UI's own settings, {@code ui-settings.json} beside the config ({@code {"theme":"dark"}}); the
 * daemon never reads them. Written atomically (a temp file in the same folder, then a rename).
 */
final class UiSettings {
  static final String FILE_NAME = "ui-settings.json";

  private static final Logger LOG = LoggerFactory.getLogger(UiSettings.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** Why 64 KiB? The file holds one short key; anything bigger is not ours. */
  private static final long MAX_BYTES = 64 * 1024;

  private final Path file;

  UiSettings(Path configPath) {
    Path dir = configPath.toAbsolutePath().getParent();
    this.file = (dir == null ? Path.of(".") : dir).resolve(FILE_NAME);
  }

  Path file() {
    return file;
  }

  /** The saved theme; dark when none is saved or the file cannot be read (logged). */
  Theme theme() {
    try {
      if (!Files.isRegularFile(file) || Files.size(file) > MAX_BYTES) {
        return Theme.DARK;
      }
      JsonNode node = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
      return Theme.ofKey(node.path("theme").asString("")).orElse(Theme.DARK);
    } catch (IOException | JacksonException e) {
      LOG.warn("cannot read {}: {}; the theme is dark", file, e.getMessage());
      return Theme.DARK;
    }
  }

  /** Saves the theme. */
  void saveTheme(Theme theme) throws IOException {
    ObjectNode node = JSON.createObjectNode();
    node.put("theme", theme.key());
    Path dir = file.getParent();
    Files.createDirectories(dir);
    Path temp = Files.createTempFile(dir, ".ui-settings", ".tmp");
    try {
      Files.writeString(temp, JSON.writeValueAsString(node) + "\n", StandardCharsets.UTF_8);
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}
