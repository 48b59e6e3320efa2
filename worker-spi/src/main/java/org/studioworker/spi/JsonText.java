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
}
