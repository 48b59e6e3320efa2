package org.studioworker.executors.sdcpp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;

/**
 * The model ids an operator lists for this engine in {@code <models_root>/sd-cpp-models.txt}: one
 * id a line, blank lines and {@code #} comments skipped.
 *
 * <p>Stateless; each call reads the file again (it is a few lines).
 */
final class ModelList {
  static final String FILE_NAME = "sd-cpp-models.txt";

  private ModelList() {}

  /** The ids, sorted and without duplicates; empty when the file is absent or unreadable. */
  static List<String> read(Path modelsRoot) {
    List<String> lines;
    try {
      lines = Files.readAllLines(modelsRoot.resolve(FILE_NAME));
    } catch (IOException e) {
      // Absent (the usual case), unreadable or not UTF-8: no ids, and the engine still serves.
      return List.of();
    }
    TreeSet<String> ids = new TreeSet<>();
    for (String line : lines) {
      String id = line.strip();
      if (!id.isEmpty() && !id.startsWith("#")) {
        ids.add(id);
      }
    }
    return List.copyOf(ids);
  }
}
