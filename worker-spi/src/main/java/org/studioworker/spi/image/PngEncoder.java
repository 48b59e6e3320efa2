package org.studioworker.spi.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * Encodes ARGB pixels as a PNG: 8-bit truecolour, with an alpha channel only when a pixel needs
 * one.
 *
 * <p>Our own twenty lines rather than {@code javax.imageio}: ImageIO lives in {@code java.desktop}
 * (AWT, Swing, sound), which the plugin API and every engine would otherwise have to require and
 * every runtime image carrying it to ship, for a format that {@link Deflater} and {@link CRC32}
 * make easy. The pixels are exact; the compressed bytes depend on the JDK's zlib, so they are
 * stable for one runtime. Stateless and thread-safe.
 */
public final class PngEncoder {
  private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  /** IHDR colour types. */
  private static final int TRUECOLOUR = 2;

  private static final int TRUECOLOUR_ALPHA = 6;

  /** Row filter 1 (Sub): each byte minus the same channel of the pixel to its left. */
  private static final int FILTER_SUB = 1;

  private PngEncoder() {}

  /**
   * A complete PNG file.
   *
   * @param width the width in pixels, at least 1
   * @param height the height in pixels, at least 1
   * @param argb {@code width * height} pixels, row by row, as {@code 0xAARRGGBB}
   * @return the bytes of the file
   * @throws IllegalArgumentException when a side is below 1 or the pixel count does not match
   */
  public static byte[] encode(int width, int height, int[] argb) {
    if (width < 1 || height < 1 || argb.length != width * height) {
      throw new IllegalArgumentException("expected " + width + "x" + height + " pixels");
    }
    boolean alpha = false;
    for (int pixel : argb) {
      if (pixel >>> 24 != 0xff) {
        alpha = true;
        break;
      }
    }
    int channels = alpha ? 4 : 3;

    ByteArrayOutputStream file = new ByteArrayOutputStream();
    file.writeBytes(SIGNATURE);
    // IHDR, 13 bytes: width, height (32-bit big-endian), bit depth 8, colour type, compression 0
    // (deflate), filter method 0, interlace 0 (none).
    ByteArrayOutputStream header = new ByteArrayOutputStream(13);
    writeInt32(header, width);
    writeInt32(header, height);
    header.write(8);
    header.write(alpha ? TRUECOLOUR_ALPHA : TRUECOLOUR);
    header.write(0);
    header.write(0);
    header.write(0);
    writeChunk(file, "IHDR", header.toByteArray());
    writeChunk(file, "IDAT", compressedRows(width, height, argb, channels));
    writeChunk(file, "IEND", new byte[0]);
    return file.toByteArray();
  }

  /** The zlib stream of all rows, each a filter-type byte followed by the filtered samples. */
  private static byte[] compressedRows(int width, int height, int[] argb, int channels) {
    Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION);
    ByteArrayOutputStream compressed = new ByteArrayOutputStream();
    try (DeflaterOutputStream zlib = new DeflaterOutputStream(compressed, deflater, 1 << 16)) {
      byte[] raw = new byte[width * channels];
      byte[] row = new byte[1 + raw.length];
      row[0] = FILTER_SUB;
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          int pixel = argb[y * width + x];
          int at = x * channels;
          raw[at] = (byte) (pixel >>> 16);
          raw[at + 1] = (byte) (pixel >>> 8);
          raw[at + 2] = (byte) pixel;
          if (channels == 4) {
            raw[at + 3] = (byte) (pixel >>> 24);
          }
        }
        for (int i = 0; i < raw.length; i++) {
          int left = i >= channels ? raw[i - channels] : 0;
          row[1 + i] = (byte) (raw[i] - left);
        }
        zlib.write(row);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot happen: writing to memory", e);
    } finally {
      deflater.end();
    }
    return compressed.toByteArray();
  }

  /** Length, type, data, and the CRC-32 of type and data. */
  private static void writeChunk(ByteArrayOutputStream out, String type, byte[] data) {
    byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
    writeInt32(out, data.length);
    out.writeBytes(typeBytes);
    out.writeBytes(data);
    CRC32 crc = new CRC32();
    crc.update(typeBytes);
    crc.update(data);
    writeInt32(out, (int) crc.getValue());
  }

  private static void writeInt32(ByteArrayOutputStream out, int value) {
    out.write(value >>> 24);
    out.write(value >>> 16);
    out.write(value >>> 8);
    out.write(value);
  }
}
