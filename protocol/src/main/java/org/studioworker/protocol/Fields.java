package org.studioworker.protocol;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.studioworker.spi.JsonText;
import tools.jackson.databind.JsonNode;

/**
 * Typed, strict reads of one JSON object, with errors that name the frame and the path.
 *
 * <p>Absent and {@code null} are the same for optional fields. Numbers must be numbers, integers
 * must be integral and in range, and no error message quotes a value.
 */
final class Fields {
  private final @Nullable String frameType;
  private final String path;
  private final JsonNode node;

  Fields(@Nullable String frameType, String path, JsonNode node) throws FrameDecodeException {
    this.frameType = frameType;
    this.path = path;
    this.node = node;
    if (!node.isObject()) {
      throw fail(describe(path) + " must be a JSON object, got " + kindOf(node));
    }
  }

  FrameDecodeException fail(String message) {
    return new FrameDecodeException(frameType, message, null);
  }

  private String at(String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  private static String describe(String path) {
    return path.isEmpty() ? "the frame" : path;
  }

  static String kindOf(JsonNode value) {
    if (value.isObject()) {
      return "an object";
    } else if (value.isArray()) {
      return "an array";
    } else if (value.isString()) {
      return "a string";
    } else if (value.isNumber()) {
      return "a number";
    } else if (value.isBoolean()) {
      return "a boolean";
    } else if (value.isNull()) {
      return "null";
    }
    return "an unknown value";
  }

  private @Nullable JsonNode present(String name) {
    JsonNode value = node.get(name);
    return value == null || value.isNull() || value.isMissingNode() ? null : value;
  }

  private JsonNode required(String name) throws FrameDecodeException {
    JsonNode value = present(name);
    if (value == null) {
      throw fail("missing required field " + at(name));
    }
    return value;
  }

  String text(String name) throws FrameDecodeException {
    JsonNode value = required(name);
    return asText(name, value);
  }

  @Nullable String optText(String name) throws FrameDecodeException {
    JsonNode value = present(name);
    return value == null ? null : asText(name, value);
  }

  String text(String name, String fallback) throws FrameDecodeException {
    String value = optText(name);
    return value == null ? fallback : value;
  }

  private String asText(String name, JsonNode value) throws FrameDecodeException {
    if (!value.isString()) {
      throw fail(at(name) + " must be a string, got " + kindOf(value));
    }
    return value.stringValue();
  }

  boolean bool(String name) throws FrameDecodeException {
    return asBool(name, required(name));
  }

  @Nullable Boolean optBool(String name) throws FrameDecodeException {
    JsonNode value = present(name);
    return value == null ? null : asBool(name, value);
  }

  boolean bool(String name, boolean fallback) throws FrameDecodeException {
    Boolean value = optBool(name);
    return value == null ? fallback : value;
  }

  private boolean asBool(String name, JsonNode value) throws FrameDecodeException {
    if (!value.isBoolean()) {
      throw fail(at(name) + " must be a boolean, got " + kindOf(value));
    }
    return value.booleanValue();
  }

  double number(String name) throws FrameDecodeException {
    return asDouble(name, required(name));
  }

  @Nullable Double optNumber(String name) throws FrameDecodeException {
    JsonNode value = present(name);
    return value == null ? null : asDouble(name, value);
  }

  double number(String name, double fallback) throws FrameDecodeException {
    Double value = optNumber(name);
    return value == null ? fallback : value;
  }

  /** A number that must be greater than zero, or the fallback when absent. */
  double positiveNumber(String name, double fallback) throws FrameDecodeException {
    double value = number(name, fallback);
    if (!(value > 0)) {
      throw fail(at(name) + " must be greater than zero");
    }
    return value;
  }

  /** A number that must not be negative, or the fallback when absent. */
  double nonNegativeNumber(String name, double fallback) throws FrameDecodeException {
    double value = number(name, fallback);
    if (value < 0) {
      throw fail(at(name) + " must not be negative");
    }
    return value;
  }

  private double asDouble(String name, JsonNode value) throws FrameDecodeException {
    if (!value.isNumber()) {
      throw fail(at(name) + " must be a number, got " + kindOf(value));
    }
    // Floats are read as BigDecimal (so that JSON values pass through exactly); the conversion
    // gives an infinity for a value beyond the double range, such as 1e400.
    double result = value.numberValue().doubleValue();
    if (!Double.isFinite(result)) {
      throw fail(at(name) + " is out of range");
    }
    return result;
  }

  int integer(String name, int fallback) throws FrameDecodeException {
    Integer value = optInteger(name);
    return value == null ? fallback : value;
  }

  int integer(String name) throws FrameDecodeException {
    return asInt(name, required(name));
  }

  @Nullable Integer optInteger(String name) throws FrameDecodeException {
    JsonNode value = present(name);
    return value == null ? null : asInt(name, value);
  }

  /** An integer that must be greater than zero, or the fallback when absent. */
  int positiveInteger(String name, int fallback) throws FrameDecodeException {
    int value = integer(name, fallback);
    if (value <= 0) {
      throw fail(at(name) + " must be greater than zero");
    }
    return value;
  }

  /** An optional integer that must be greater than zero when present. */
  @Nullable Integer optPositiveInteger(String name) throws FrameDecodeException {
    Integer value = optInteger(name);
    if (value != null && value <= 0) {
      throw fail(at(name) + " must be greater than zero");
    }
    return value;
  }

  private int asInt(String name, JsonNode value) throws FrameDecodeException {
    if (!value.isIntegralNumber()) {
      throw fail(at(name) + " must be an integer, got " + kindOf(value));
    }
    if (!value.canConvertToInt()) {
      throw fail(at(name) + " is out of range");
    }
    return value.intValue();
  }

  @Nullable Long optLong(String name) throws FrameDecodeException {
    JsonNode value = present(name);
    if (value == null) {
      return null;
    }
    if (!value.isIntegralNumber()) {
      throw fail(at(name) + " must be an integer, got " + kindOf(value));
    }
    if (!value.canConvertToLong()) {
      throw fail(at(name) + " is out of range");
    }
    return value.longValue();
  }

  /** An optional integer that must not be negative when present. */
  @Nullable Long optNonNegativeLong(String name) throws FrameDecodeException {
    Long value = optLong(name);
    if (value != null && value < 0) {
      throw fail(at(name) + " must not be negative");
    }
    return value;
  }

  Fields object(String name) throws FrameDecodeException {
    return new Fields(frameType, at(name), required(name));
  }

  @Nullable Fields optObject(String name) throws FrameDecodeException {
    JsonNode value = present(name);
    return value == null ? null : new Fields(frameType, at(name), value);
  }

  List<Fields> objects(String name) throws FrameDecodeException {
    JsonNode value = required(name);
    if (!value.isArray()) {
      throw fail(at(name) + " must be an array, got " + kindOf(value));
    }
    List<Fields> result = new ArrayList<>(value.size());
    for (int i = 0; i < value.size(); i++) {
      result.add(new Fields(frameType, at(name) + "[" + i + "]", value.get(i)));
    }
    return result;
  }

  /** A required array of strings. */
  List<String> texts(String name) throws FrameDecodeException {
    return asTexts(name, required(name));
  }

  /**
   * An optional list of strings; a single string is read as a list of one, as OpenAI-style {@code
   * stop} parameters allow.
   */
  @Nullable List<String> optTextOrTexts(String name) throws FrameDecodeException {
    JsonNode value = present(name);
    if (value == null) {
      return null;
    }
    if (value.isString()) {
      return List.of(value.stringValue());
    }
    return asTexts(name, value);
  }

  private List<String> asTexts(String name, JsonNode value) throws FrameDecodeException {
    if (!value.isArray()) {
      throw fail(at(name) + " must be an array of strings, got " + kindOf(value));
    }
    List<String> result = new ArrayList<>(value.size());
    for (int i = 0; i < value.size(); i++) {
      JsonNode item = value.get(i);
      if (!item.isString()) {
        throw fail(at(name) + "[" + i + "] must be a string, got " + kindOf(item));
      }
      result.add(item.stringValue());
    }
    return result;
  }

  /** Any JSON value, kept as text. */
  @Nullable JsonText optJson(String name) {
    JsonNode value = present(name);
    return value == null ? null : new JsonText(value.toString());
  }

  JsonText json(String name) throws FrameDecodeException {
    JsonNode value = node.get(name);
    if (value == null || value.isMissingNode()) {
      throw fail("missing required field " + at(name));
    }
    return new JsonText(value.toString());
  }

  JsonNode raw() {
    return node;
  }

  String pathOf(String name) {
    return at(name);
  }
}
