package org.studioworker.runtime.config;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The line on which each top-level key of a TOML file is first defined.
 *
 * <p>The TOML reader gives a tree without positions, so error messages and warnings find the line
 * here. A light scan, not a second parser: it runs only on text the reader has accepted, follows
 * strings (multi-line ones included), comments and arrays spanning lines, and counts a {@code
 * [table]} or {@code a.b = …} under its first name. A key it cannot place (a quoted name with
 * escapes) has no line. Immutable.
 */
final class KeyLines {
  /** A bare, basic-quoted or literal-quoted first key segment, then {@code .} or {@code =}. */
  private static final Pattern KEY =
      Pattern.compile("([A-Za-z0-9_-]+|\"((?:[^\"\\\\]|\\\\.)*)\"|'([^']*)')\\s*[.=]");

  /** A table header {@code [name…} or {@code [[name…}, with its first name segment. */
  private static final Pattern HEADER =
      Pattern.compile("\\[\\[?\\s*([A-Za-z0-9_-]+|\"((?:[^\"\\\\]|\\\\.)*)\"|'([^']*)')");

  private final Map<String, Integer> lines;

  private KeyLines(Map<String, Integer> lines) {
    this.lines = Map.copyOf(lines);
  }

  /** The 1-based line of {@code key}, if the scan placed it. */
  OptionalInt line(String key) {
    Integer line = lines.get(key);
    return line == null ? OptionalInt.empty() : OptionalInt.of(line);
  }

  private enum State {
    NORMAL,
    BASIC,
    LITERAL,
    MULTI_BASIC,
    MULTI_LITERAL
  }

  /** Scans {@code text}, which the TOML reader has accepted. */
  static KeyLines of(String text) {
    Map<String, Integer> lines = new HashMap<>();
    State state = State.NORMAL;
    int arrayDepth = 0;
    boolean inTable = false;
    String[] rows = text.split("\n", -1);
    for (int row = 0; row < rows.length; row++) {
      String line = rows[row];
      if (state == State.NORMAL && arrayDepth == 0) {
        String start = line.stripLeading();
        if (start.startsWith("[")) {
          Matcher header = HEADER.matcher(start);
          if (header.lookingAt()) {
            lines.putIfAbsent(name(header), row + 1);
          }
          // Keys below a header belong to its table; a header holds no value to scan.
          inTable = true;
          continue;
        }
        Matcher key = KEY.matcher(start);
        if (!inTable && key.lookingAt()) {
          lines.putIfAbsent(name(key), row + 1);
        }
      }
      for (int i = 0; i < line.length(); i++) {
        char c = line.charAt(i);
        switch (state) {
          case NORMAL -> {
            if (c == '#') {
              i = line.length();
            } else if (line.startsWith("\"\"\"", i)) {
              state = State.MULTI_BASIC;
              i += 2;
            } else if (line.startsWith("'''", i)) {
              state = State.MULTI_LITERAL;
              i += 2;
            } else if (c == '"') {
              state = State.BASIC;
            } else if (c == '\'') {
              state = State.LITERAL;
            } else if (c == '[') {
              arrayDepth++;
            } else if (c == ']' && arrayDepth > 0) {
              arrayDepth--;
            }
          }
          case BASIC, MULTI_BASIC -> {
            if (c == '\\') {
              i++;
            } else if (state == State.BASIC && c == '"') {
              state = State.NORMAL;
            } else if (state == State.MULTI_BASIC && line.startsWith("\"\"\"", i)) {
              state = State.NORMAL;
              i += 2;
            }
          }
          case LITERAL -> {
            if (c == '\'') {
              state = State.NORMAL;
            }
          }
          case MULTI_LITERAL -> {
            if (line.startsWith("'''", i)) {
              state = State.NORMAL;
              i += 2;
            }
          }
        }
      }
      // Single-line strings end with their line.
      if (state == State.BASIC || state == State.LITERAL) {
        state = State.NORMAL;
      }
    }
    return new KeyLines(lines);
  }

  private static String name(Matcher m) {
    if (m.group(2) != null) {
      return m.group(2);
    }
    if (m.group(3) != null) {
      return m.group(3);
    }
    return m.group(1);
  }
}
