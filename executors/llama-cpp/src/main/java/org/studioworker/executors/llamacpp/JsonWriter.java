package org.studioworker.executors.llamacpp;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.studioworker.spi.JsonText;

/**
 * Writes one JSON object, member by member, with correct string escaping.
 *
 * <p>Values already in JSON form ({@link #raw}) are written as given; the caller has parsed them.
 * Not thread-safe; one writer per document.
 */
final class JsonWriter {
  private final StringBuilder out = new StringBuilder("{");
  private boolean empty = true;

  JsonWriter string(String name, String value) {
    name(name);
    quote(out, value);
    return this;
  }

  JsonWriter number(String name, long value) {
    name(name);
    out.append(value);
    return this;
  }

  /** A finite number without exponent ({@code 0.7}); JSON has no NaN or infinity. */
  JsonWriter number(String name, double value) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException(name + " must be a finite number, got " + value);
    }
    name(name);
    out.append(value == 0 ? "0" : BigDecimal.valueOf(value).stripTrailingZeros().toPlainString());
    return this;
  }

  JsonWriter bool(String name, boolean value) {
    name(name);
    out.append(value);
    return this;
  }

  /** A member whose value is JSON text already. */
  JsonWriter raw(String name, String json) {
    name(name);
    out.append(json);
    return this;
  }

  /** A member whose value is an array of strings. */
  JsonWriter strings(String name, List<String> values) {
    name(name);
    out.append('[');
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      quote(out, values.get(i));
    }
    out.append(']');
    return this;
  }

  /** A member whose value is an array of JSON texts. */
  JsonWriter rawArray(String name, List<String> jsons) {
    name(name);
    out.append('[').append(String.join(",", jsons)).append(']');
    return this;
  }

  /** A member whose value is a value {@link JsonReader#parse} returned, written back as JSON. */
  JsonWriter value(String name, Object value) {
    name(name);
    write(out, value);
    return this;
  }

  /** The document; the writer must not be used afterwards. */
  String close() {
    return out.append('}').toString();
  }

  private void name(String name) {
    if (!empty) {
      out.append(',');
    }
    empty = false;
    quote(out, name);
    out.append(':');
  }

  /** Appends {@code value} as a JSON string literal (see {@link JsonText#appendQuoted}). */
  static void quote(StringBuilder out, String value) {
    JsonText.appendQuoted(out, value);
  }

  /** Appends a value as {@link JsonReader#parse} returns them (maps, lists, strings, ...). */
  static void write(StringBuilder out, Object value) {
    switch (value) {
      case String text -> quote(out, text);
      case BigDecimal number -> out.append(number.toString());
      case Boolean bool -> out.append(bool.booleanValue());
      case Map<?, ?> map -> {
        out.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> member : map.entrySet()) {
          if (!first) {
            out.append(',');
          }
          first = false;
          quote(out, String.valueOf(member.getKey()));
          out.append(':');
          write(out, Objects.requireNonNull(member.getValue()));
        }
        out.append('}');
      }
      case List<?> list -> {
        out.append('[');
        for (int i = 0; i < list.size(); i++) {
          if (i > 0) {
            out.append(',');
          }
          write(out, Objects.requireNonNull(list.get(i)));
        }
        out.append(']');
      }
      default -> {
        if (value != JsonReader.NULL) {
          throw new IllegalArgumentException("not a JSON value: " + value.getClass().getName());
        }
        out.append("null");
      }
    }
  }

  static String quote(String value) {
    return JsonText.quote(value);
  }
}
