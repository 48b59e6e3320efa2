package org.studioworker.spi;

import java.util.Objects;

/**
 * A JSON value carried as text, so that the plugin API needs no JSON library.
 *
 * <p>The text is whatever valid JSON the sender wrote; the runtime parses and validates it where it
 * crosses the wire. Equality is textual.
 *
 * @param json the JSON text, for example {@code {"type":"object"}}
 */
public record JsonText(String json) {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /** Checks that the text is not blank. */
  public JsonText {
    Objects.requireNonNull(json, "json");
    if (json.isBlank()) {
      throw new IllegalArgumentException("JSON text must not be blank");
    }
  }

  @Override
  public String toString() {
    return json;
  }

  /**
   * A string as a JSON string literal (RFC 8259), for engines that write JSON without a library.
   *
   * <p>Escapes the quote, the backslash and every control character below U+0020; also U+2028 and
   * U+2029 (valid JSON, but line breaks to JavaScript) and unpaired surrogates, which would
   * otherwise turn into invalid UTF-8 on the wire. Everything else is written as is.
   */
  public static String quote(String value) {
    StringBuilder out = new StringBuilder(value.length() + 2);
    appendQuoted(out, value);
    return out.toString();
  }

  /** Appends {@link #quote(String) the quoted literal} of {@code value} to {@code out}. */
  public static void appendQuoted(StringBuilder out, String value) {
    out.append('"');
    int length = value.length();
    for (int i = 0; i < length; i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20 || c == '\u2028' || c == '\u2029') {
            unicodeEscape(out, c);
          } else if (Character.isHighSurrogate(c)
              && i + 1 < length
              && Character.isLowSurrogate(value.charAt(i + 1))) {
            out.append(c).append(value.charAt(++i));
          } else if (Character.isSurrogate(c)) {
            unicodeEscape(out, c);
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  private static void unicodeEscape(StringBuilder out, char c) {
    out.append("\\u")
        .append(HEX[(c >>> 12) & 0xf])
        .append(HEX[(c >>> 8) & 0xf])
        .append(HEX[(c >>> 4) & 0xf])
        .append(HEX[c & 0xf]);
  }
}
