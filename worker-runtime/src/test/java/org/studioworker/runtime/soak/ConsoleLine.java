package org.studioworker.runtime.soak;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One line of the worker's own console log (the terminal layout of {@code ConsoleLayout}: {@code
 * <ts> <LEVEL> <category>: [job <id>] <message>}); continuation lines of stack traces are not
 * lines.
 */
record ConsoleLine(
    Instant ts, String level, String category, @Nullable String jobId, String message) {
  private static final Pattern LINE =
      Pattern.compile(
          "^(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z) (TRACE|DEBUG|INFO|WARN|ERROR)\\s+"
              + "(\\S+): (?:\\[job (\\S+)\\] )?(.*)$");

  /** Whether the ship appender sends this line to the studio: info and up, a category name. */
  boolean isShipped() {
    return !level.equals("DEBUG") && !level.equals("TRACE") && category.indexOf('.') < 0;
  }

  /** Every line of the file, in order. */
  static List<ConsoleLine> read(Path file) throws IOException {
    List<ConsoleLine> out = new ArrayList<>();
    for (String text : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      Matcher m = LINE.matcher(text);
      if (m.matches()) {
        out.add(
            new ConsoleLine(
                Instant.parse(m.group(1)), m.group(2), m.group(3), m.group(4), m.group(5)));
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return ts + " " + level + " " + category + ": " + message;
  }
}
