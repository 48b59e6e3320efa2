package org.studioworker.executors.synthetic;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A strict reader of RIFF containers for the tests: checks sizes and padding while it parses. */
final class RiffChunks {
  /** One chunk: its id and payload (without the pad byte). */
  record Chunk(String id, byte[] payload) {
    ByteBuffer littleEndian() {
      return ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
    }
  }

  private RiffChunks() {}

  /** The chunks of a RIFF file of the given form type; fails the test on any framing error. */
  static List<Chunk> parseFile(byte[] file, String formType) {
    assertThat(new String(file, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("RIFF");
    int size = ByteBuffer.wrap(file, 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    assertThat(size).as("RIFF size").isEqualTo(file.length - 8);
    assertThat(new String(file, 8, 4, StandardCharsets.US_ASCII)).isEqualTo(formType);
    return parseChunks(Arrays.copyOfRange(file, 12, file.length));
  }

  /** A sequence of chunks that fills {@code bytes} exactly, pad bytes included. */
  static List<Chunk> parseChunks(byte[] bytes) {
    List<Chunk> chunks = new ArrayList<>();
    int at = 0;
    while (at < bytes.length) {
      assertThat(bytes.length - at).as("room for a chunk header").isGreaterThanOrEqualTo(8);
      String id = new String(bytes, at, 4, StandardCharsets.US_ASCII);
      int size = ByteBuffer.wrap(bytes, at + 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
      int padded = size + (size & 1);
      assertThat(at + 8 + padded).as("chunk %s fits", id).isLessThanOrEqualTo(bytes.length);
      if ((size & 1) == 1) {
        assertThat(bytes[at + 8 + size]).as("pad byte of %s", id).isZero();
      }
      chunks.add(new Chunk(id, Arrays.copyOfRange(bytes, at + 8, at + 8 + size)));
      at += 8 + padded;
    }
    return chunks;
  }

  /** A 24-bit little-endian integer at {@code at}. */
  static int int24(byte[] bytes, int at) {
    return (bytes[at] & 0xff) | (bytes[at + 1] & 0xff) << 8 | (bytes[at + 2] & 0xff) << 16;
  }
}
