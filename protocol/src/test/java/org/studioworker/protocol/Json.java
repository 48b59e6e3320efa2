package org.studioworker.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Structural JSON assertions: both sides are parsed and compared as trees. */
final class Json {
  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  private Json() {}

  static JsonNode tree(String json) {
    return MAPPER.readTree(json);
  }

  /** Asserts that two JSON texts hold the same value, whatever their key order and spacing. */
  static void assertSameJson(String actual, String expected) {
    assertThat(tree(actual)).as("encoded JSON %s", actual).isEqualTo(tree(expected));
  }

  /** Asserts that the object at {@code path} (dotted) of a JSON text has no key {@code key}. */
  static void assertNoKey(String json, String path, String key) {
    JsonNode node = tree(json);
    if (!path.isEmpty()) {
      for (String part : path.split("\\.")) {
        node = node.get(part);
      }
    }
    assertThat(node.isObject()).as("%s is an object in %s", path, json).isTrue();
    assertThat(node.has(key)).as("key %s is omitted in %s", key, json).isFalse();
  }
}
