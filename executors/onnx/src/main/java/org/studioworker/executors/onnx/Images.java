package org.studioworker.executors.onnx;

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
import org.studioworker.spi.JobResult;
import org.studioworker.spi.image.PngEncoder;
import org.studioworker.spi.image.WebpLosslessEncoder;

/**
 * Decodes the job's input images by their content (PNG, JPEG baseline or progressive, WebP lossy or
 * lossless; the studio serves JPEG originals under {@code .webp} URLs) and encodes the result.
 *
 * <p>PNG and JPEG go through the JDK's ImageIO readers, WebP through the TwelveMonkeys reader,
 * created directly: this plugin's layer is not on ImageIO's registry. Images over {@link
 * #MAX_PIXELS} are refused from their header, before any pixel is decoded. Thread-safe.
 */
final class Images {
  /** Why 64 megapixels? 8192×8192; a game's assets are far smaller, a decompression bomb is not. */
  static final long MAX_PIXELS = 64L << 20;

  private Images() {}

  /** The format of an encoded image, by its first bytes. */
  enum Format {
    PNG,
    JPEG,
    WEBP,
    UNKNOWN;

    static Format sniff(byte[] data) {
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
   * Decodes {@code data} into an RGB raster (alpha dropped).
   *
   * @param what the input's name for messages ({@code initImageUrl})
   * @throws ExecutorException naming the input when it is not a PNG, JPEG or WebP, is too large or
   *     does not decode
   */
  static Raster decode(String what, byte[] data) throws ExecutorException {
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
      if (pixels > MAX_PIXELS) {
        throw new ExecutorException(
            what
                + " is "
                + reader.getWidth(0)
                + "x"
                + reader.getHeight(0)
                + ", more than the limit of "
                + (MAX_PIXELS >> 20)
                + " megapixels");
      }
      BufferedImage image = reader.read(0);
      int w = image.getWidth();
      int h = image.getHeight();
      int[] rgb = image.getRGB(0, 0, w, h, null, 0, w);
      for (int i = 0; i < rgb.length; i++) {
        rgb[i] &= 0xFFFFFF;
      }
      return new Raster(w, h, rgb);
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

  /** The result: PNG when the task asks for png, else lossless WebP; the ext says which. */
  static JobResult.Binary encode(Raster rgb, String askedExt) {
    int[] argb = new int[rgb.pixels().length];
    for (int i = 0; i < argb.length; i++) {
      argb[i] = 0xFF000000 | rgb.pixels()[i];
    }
    if (askedExt.equalsIgnoreCase("png")) {
      return new JobResult.Binary(PngEncoder.encode(rgb.width(), rgb.height(), argb), "png");
    }
    return new JobResult.Binary(
        WebpLosslessEncoder.encodeFile(rgb.width(), rgb.height(), argb), "webp");
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
