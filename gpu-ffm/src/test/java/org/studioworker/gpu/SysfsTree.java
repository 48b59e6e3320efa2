package org.studioworker.gpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a small {@code /sys/class/drm} look-alike for tests. */
final class SysfsTree {
  private final Path root;

  SysfsTree(Path root) {
    this.root = root;
  }

  Path root() {
    return root;
  }

  /**
   * Writes {@code <root>/<card>/device/<file>} with the value and a newline, as the kernel does.
   */
  SysfsTree file(String card, String file, String value) throws IOException {
    Path path = root.resolve(card).resolve("device").resolve(file);
    Files.createDirectories(path.getParent());
    Files.writeString(path, value + "\n");
    return this;
  }

  /** A connector entry such as {@code card0-DP-1}, which has no memory files. */
  SysfsTree connector(String name) throws IOException {
    Files.createDirectories(root.resolve(name));
    Files.writeString(root.resolve(name).resolve("status"), "connected\n");
    return this;
  }
}
