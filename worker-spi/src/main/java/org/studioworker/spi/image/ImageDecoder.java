package org.studioworker.spi.image;

import com.twelvemonkeys.imageio.plugins.webp.WebPImageReaderSpi;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.studioworker.spi.ExecutorException;

/**
 * Decodes PNG, JPEG (baseline and progressive) and WebP (lossy and lossless) by their content,
 * whatever a URL or a file name says: the studio serves JPEG originals under {@code .webp} URLs.
 *
 * <p>PNG and JPEG go through the JDK's ImageIO readers, WebP through the TwelveMonkeys reader,
 * created directly (an engine's plugin layer is not on ImageIO's registry). An image over {@link
 * #MAX_PIXELS} is refused from its header, before any pixel is decoded. Thread-safe.
 */
public final class ImageDecoder {
  /** Why 64 megapixels? 8192×8192; a game's assets are far smaller, a decompression bomb is not. */
  public static final long MAX_PIXELS = 64L << 20;

  private ImageDecoder() {}

  /** The format of an encoded image, by its first bytes. */
  public enum Format {
    /** {@code \x89PNG}. */
    PNG,
    /** {@code FF D8 FF}. */
    JPEG,
    /** {@code RIFF....WEBP}. */
    WEBP,
    /** Anything else. */
    UNKNOWN;

    /** The format {@code data} starts with. */
    public static Format sniff(byte[] data) {
      if (data.length >= 8 && (data[0] & 0xFF) == 0x89 && data[1] == 'P' && data[2] == 'N') {
        return PNG;
      }
      if (data.length >= 3
          && (data[0] & 0xFF) == 0xFF
          && (data[1] & 0xFF) == 0xD8
          && (data[2] & 0xFF) == 0xFF) {
        return JPEG;
      }
      if (data.length >= 12
          && data[0] == 'R'
          && data[1] == 'I'
          && data[2] == 'F'
          && data[3] == 'F'
          && data[8] == 'W'
          && data[9] == 'E'
          && data[10] == 'B'
          && data[11] == 'P') {
        return WEBP;
      }
      return UNKNOWN;
    }
  }

  /**
   * A decoded image.
   *
   * @param width the width in pixels
   * @param height the height in pixels
   * @param argb the pixels, row-major, {@code 0xAARRGGBB}
   */
  public record Decoded(int width, int height, int[] argb) {}

  /**
   * Decodes {@code data}.
   *
   * @param what the input's name for messages ({@code initImageUrl})
   * @throws ExecutorException naming the input when it is not a PNG, JPEG or WebP, is larger than
   *     {@link #MAX_PIXELS}, or does not decode
   */
  public static Decoded decode(String what, byte[] data) throws ExecutorException {
    return decode(what, data, MAX_PIXELS);
  }

  /**
   * Decodes {@code data}, refusing from its header an image of more than {@code maxPixels} (at most
   * {@link #MAX_PIXELS}): a caller that needs only a small picture bounds what it decodes.
   *
   * @throws ExecutorException as {@link #decode(String, byte[])}
   */
  public static Decoded decode(String what, byte[] data, long maxPixels) throws ExecutorException {
    long limit = Math.min(maxPixels, MAX_PIXELS);
    Format format = Format.sniff(data);
    if (format == Format.UNKNOWN) {
      throw new ExecutorException(
          what + " is not a PNG, JPEG or WebP image (its first bytes are " + head(data) + ")");
    }
    String name = format.name().toLowerCase(Locale.ROOT);
    ImageReader reader = reader(format);
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(data))) {
      reader.setInput(in, true, true);
      long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
      if (pixels > limit) {
        throw new ExecutorException(
            what
                + " is "
                + reader.getWidth(0)
                + "x"
                + reader.getHeight(0)
                + ", more than the limit of "
                + (limit >> 20)
                + " megapixels");
      }
      BufferedImage image = reader.read(0);
      int w = image.getWidth();
      int h = image.getHeight();
      return new Decoded(w, h, image.getRGB(0, 0, w, h, null, 0, w));
    } catch (IOException | RuntimeException e) {
      // ImageIO reports broken data as IIOException, and some codecs as runtime exceptions.
      throw new ExecutorException(what + " could not be decoded as " + name + ": " + message(e), e);
    } finally {
      reader.dispose();
    }
  }

  private static ImageReader reader(Format format) throws ExecutorException {
    if (format == Format.WEBP) {
      return new WebPImageReaderSpi().createReaderInstance(null);
    }
    Iterator<ImageReader> readers =
        ImageIO.getImageReadersByFormatName(format == Format.PNG ? "png" : "jpeg");
    if (!readers.hasNext()) {
      throw new ExecutorException("this Java runtime has no " + format + " reader (java.desktop)");
    }
    return readers.next();
  }

  private static String head(byte[] data) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < Math.min(8, data.length); i++) {
      out.append(String.format(Locale.ROOT, "%02x", data[i] & 0xFF));
    }
    return out.length() == 0 ? "none" : out.toString();
  }

  private static String message(Throwable e) {
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }
}
