package org.studioworker.executors.sdcpp;

import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.studioworker.spi.UnsupportedJobException;

/**
 * An image format sd-cli writes, picked by the extension of its {@code -o} path, and recognised by
 * its first bytes.
 *
 * <p>A pure value; no I/O.
 */
enum OutputFormat {
  PNG("png"),
  WEBP("webp"),
  JPEG("jpg");

  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

  /** The extension reported for this format when the task asked for another one. */
  private final String ext;

  OutputFormat(String ext) {
    this.ext = ext;
  }

  String ext() {
    return ext;
  }

  /**
   * The format for a task's {@code ext}, in any case: {@code png}, {@code webp}, {@code jpg} or
   * {@code jpeg}.
   *
   * @throws UnsupportedJobException for any other extension: sd-cli cannot write it, on this worker
   *     or any other
   */
  static OutputFormat forExt(String ext) throws UnsupportedJobException {
    return switch (ext.toLowerCase(Locale.ROOT)) {
      case "png" -> PNG;
      case "webp" -> WEBP;
      case "jpg", "jpeg" -> JPEG;
      default ->
          throw new UnsupportedJobException(
              "sd-cli writes png, webp or jpg images; this job asks for ext \""
                  + (ext.length() <= 16 ? ext : ext.substring(0, 16) + "…")
                  + "\"");
    };
  }

  /**
   * The format the bytes are in, by their magic: the PNG signature, {@code RIFF....WEBP}, or the
   * JPEG start of image {@code FF D8 FF}; null when none of them.
   */
  static @Nullable OutputFormat of(byte[] data) {
    if (startsWith(data, PNG_SIGNATURE)) {
      return PNG;
    }
    if (data.length >= 12
        && startsWith(data, new byte[] {'R', 'I', 'F', 'F'})
        && data[8] == 'W'
        && data[9] == 'E'
        && data[10] == 'B'
        && data[11] == 'P') {
      return WEBP;
    }
    if (startsWith(data, new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF})) {
      return JPEG;
    }
    return null;
  }

  private static boolean startsWith(byte[] data, byte[] prefix) {
    return data.length >= prefix.length
        && java.util.Arrays.equals(data, 0, prefix.length, prefix, 0, prefix.length);
  }
}
