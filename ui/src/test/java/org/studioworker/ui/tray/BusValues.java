package org.studioworker.ui.tray;

import java.awt.Color;
import java.util.List;
import java.util.Map;
import org.freedesktop.dbus.types.Variant;

/** Reads the shapes dbus-java gives a client for our structs: Object[] fields, lists of Byte. */
final class BusValues {
  private BusValues() {}

  /** One pixmap as read back: its size and the ARGB of its centre pixel. */
  record Read(int width, int height, int centreArgb) {
    Color centre() {
      return new Color(centreArgb, true);
    }
  }

  /** The pixmaps of an {@code a(iiay)} value. */
  static List<Read> pixmaps(Object value) {
    return ((List<?>) value).stream().map(BusValues::pixmap).toList();
  }

  private static Read pixmap(Object struct) {
    Object[] fields = (Object[]) struct;
    int width = (Integer) fields[0];
    int height = (Integer) fields[1];
    List<?> bytes = (List<?>) fields[2];
    if (bytes.size() != width * height * 4) {
      throw new AssertionError(width + "x" + height + " pixmap with " + bytes.size() + " bytes");
    }
    int at = ((height / 2) * width + width / 2) * 4;
    int argb = 0;
    for (int i = 0; i < 4; i++) {
      argb = (argb << 8) | (((Byte) bytes.get(at + i)) & 0xFF);
    }
    return new Read(width, height, argb);
  }

  /**
   * One menu node of a {@code (ia{sv}av)} value read back: id, labels of the properties, children.
   */
  record Node(int id, Map<String, Object> properties, List<Node> children) {}

  static Node node(int id, Map<String, Variant<?>> properties, List<Variant<?>> children) {
    return new Node(
        id,
        unwrap(properties),
        children.stream().map(child -> node((Object[]) child.getValue())).toList());
  }

  @SuppressWarnings("unchecked")
  private static Node node(Object[] fields) {
    return node(
        (Integer) fields[0], (Map<String, Variant<?>>) fields[1], (List<Variant<?>>) fields[2]);
  }

  private static Map<String, Object> unwrap(Map<String, Variant<?>> properties) {
    return properties.entrySet().stream()
        .collect(
            java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue().getValue()));
  }
}
