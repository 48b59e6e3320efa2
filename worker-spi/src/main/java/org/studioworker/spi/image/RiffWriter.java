package org.studioworker.spi.image;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Builds a RIFF container ({@code RIFF <size> <form type> <chunks>}), as WebP and WAV use it.
 *
 * <p>Each chunk is a four-character id, a 32-bit little-endian payload size and the payload, padded
 * with one zero byte when its size is odd; the padding is not counted in the chunk's size. Not
 * thread-safe.
 */
public final class RiffWriter {
  /** The RIFF size field is 32 bits; we keep to the signed range, 2 GiB - 1. */
  private static final long MAX_SIZE = Integer.MAX_VALUE;

  private final ByteArrayOutputStream body = new ByteArrayOutputStream();

  /**
   * A container of the given form type.
   *
   * @param formType four ASCII characters, {@code WEBP} or {@code WAVE}
   * @throws IllegalArgumentException when it is not four ASCII characters
   */
  public RiffWriter(String formType) {
    body.writeBytes(fourCc(formType));
  }

  /**
   * Appends one chunk (and its pad byte).
   *
   * @param id the chunk id, four ASCII characters
   * @param payload the chunk's data
   * @return this writer
   * @throws IllegalArgumentException when the id is not four characters or the file would pass 2
   *     GiB
   */
  public RiffWriter chunk(String id, byte[] payload) {
    if (body.size() + 8L + payload.length + 1 > MAX_SIZE) {
      throw new IllegalArgumentException("RIFF file would exceed " + MAX_SIZE + " bytes");
    }
    body.writeBytes(chunkBytes(id, payload));
    return this;
  }

  /**
   * Appends chunks already framed by {@link #chunkBytes}.
   *
   * @param chunks one or more whole chunks, pad bytes included
   * @return this writer
   * @throws IllegalArgumentException when the file would pass 2 GiB
   */
  public RiffWriter raw(byte[] chunks) {
    if (body.size() + (long) chunks.length > MAX_SIZE) {
      throw new IllegalArgumentException("RIFF file would exceed " + MAX_SIZE + " bytes");
    }
    body.writeBytes(chunks);
    return this;
  }

  /**
   * The whole file.
   *
   * @return {@code RIFF}, the size, the form type and the chunks appended so far
   */
  public byte[] toByteArray() {
    ByteArrayOutputStream file = new ByteArrayOutputStream(body.size() + 8);
    file.writeBytes(fourCc("RIFF"));
    writeInt32(file, body.size());
    file.writeBytes(body.toByteArray());
    return file.toByteArray();
  }

  /**
   * One chunk on its own: header, payload and pad byte; also the frame data of an ANMF chunk.
   *
   * @param id the chunk id, four ASCII characters
   * @param payload the chunk's data
   * @return the framed chunk
   * @throws IllegalArgumentException when the id is not four characters
   */
  public static byte[] chunkBytes(String id, byte[] payload) {
    ByteArrayOutputStream chunk = new ByteArrayOutputStream(payload.length + 9);
    chunk.writeBytes(fourCc(id));
    writeInt32(chunk, payload.length);
    chunk.writeBytes(payload);
    if ((payload.length & 1) == 1) {
      chunk.write(0);
    }
    return chunk.toByteArray();
  }

  /**
   * Writes a 32-bit little-endian integer.
   *
   * @param out where to write
   * @param value the value; all 32 bits are written
   */
  public static void writeInt32(ByteArrayOutputStream out, int value) {
    out.write(value);
    out.write(value >>> 8);
    out.write(value >>> 16);
    out.write(value >>> 24);
  }

  /**
   * Writes a 24-bit little-endian integer, as VP8X and ANMF fields are.
   *
   * @param out where to write
   * @param value the value, 0..2^24-1
   * @throws IllegalArgumentException when the value does not fit 24 bits
   */
  public static void writeInt24(ByteArrayOutputStream out, int value) {
    if (value < 0 || value >= 1 << 24) {
      throw new IllegalArgumentException("value does not fit 24 bits: " + value);
    }
    out.write(value);
    out.write(value >>> 8);
    out.write(value >>> 16);
  }

  /**
   * Writes a 16-bit little-endian integer.
   *
   * @param out where to write
   * @param value the value; its low 16 bits are written
   */
  public static void writeInt16(ByteArrayOutputStream out, int value) {
    out.write(value);
    out.write(value >>> 8);
  }

  private static byte[] fourCc(String id) {
    byte[] bytes = id.getBytes(StandardCharsets.US_ASCII);
    if (bytes.length != 4) {
      throw new IllegalArgumentException("a chunk id has four characters: " + id);
    }
    return bytes;
  }
}
