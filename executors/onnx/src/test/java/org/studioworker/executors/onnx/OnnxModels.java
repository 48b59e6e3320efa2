package org.studioworker.executors.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes small ONNX models by hand (protobuf: varints and length-delimited fields), so that tests
 * run the real ONNX Runtime without a real model.
 *
 * <p>{@link #fakeLama} has LaMa's tensor names and a symbolic height and width: {@code output =
 * image·a + mask·b}, with {@code mask} broadcast over the three channels.
 */
final class OnnxModels {
  private OnnxModels() {}

  /** A fake LaMa: {@code output = image·a + mask·b}. */
  static byte[] fakeLama(float a, float b) {
    Proto graph =
        new Proto()
            .bytes(1, node("Mul", "image", "a", "scaled"))
            .bytes(1, node("Mul", "mask", "b", "marked"))
            .bytes(1, node("Add", "scaled", "marked", "output"))
            .text(2, "fake-lama")
            .bytes(5, scalar("a", a))
            .bytes(5, scalar("b", b))
            .bytes(11, value("image", 3))
            .bytes(11, value("mask", 1))
            .bytes(12, value("output", 3));
    return new Proto()
        .varint(1, 7) // ir_version
        .bytes(7, graph.done())
        .bytes(8, new Proto().text(1, "").varint(2, 13).done()) // opset_import: ai.onnx 13
        .done();
  }

  private static byte[] node(String op, String left, String right, String out) {
    return new Proto().text(1, left).text(1, right).text(2, out).text(4, op).done();
  }

  /** A float scalar initializer. */
  private static byte[] scalar(String name, float value) {
    Proto floats = new Proto();
    floats.fixed32(Float.floatToIntBits(value));
    return new Proto().varint(2, 1).bytes(4, floats.done()).text(8, name).done();
  }

  /** A float tensor [1, channels, H, W] with H and W symbolic. */
  private static byte[] value(String name, int channels) {
    Proto shape =
        new Proto()
            .bytes(1, new Proto().varint(1, 1).done())
            .bytes(1, new Proto().varint(1, channels).done())
            .bytes(1, new Proto().text(2, "H").done())
            .bytes(1, new Proto().text(2, "W").done());
    Proto tensor = new Proto().varint(1, 1).bytes(2, shape.done());
    return new Proto().text(1, name).bytes(2, new Proto().bytes(1, tensor.done()).done()).done();
  }

  /** A protobuf message being written. */
  private static final class Proto {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Proto varint(int field, long value) {
      raw((field << 3) | 0);
      raw(value);
      return this;
    }

    Proto bytes(int field, byte[] value) {
      raw((field << 3) | 2);
      raw(value.length);
      out.writeBytes(value);
      return this;
    }

    Proto text(int field, String value) {
      return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    /** A bare little-endian 32-bit value (inside a packed field). */
    void fixed32(int value) {
      for (int i = 0; i < 4; i++) {
        out.write((value >>> (8 * i)) & 0xFF);
      }
    }

    private void raw(long value) {
      while ((value & ~0x7FL) != 0) {
        out.write((int) ((value & 0x7F) | 0x80));
        value >>>= 7;
      }
      out.write((int) value);
    }

    byte[] done() {
      return out.toByteArray();
    }
  }
}
