package org.studioworker.spi.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/** Independent decoders for what the encoders write: the JDK's for PNG, TwelveMonkeys' for WebP. */
final class Decoders {
  private Decoders() {}

  /** Decodes a still image with whichever ImageIO reader claims the format. */
  static BufferedImage image(byte[] file, String format) {
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(file))) {
      ImageReader reader = reader(format);
      try {
        reader.setInput(in);
        return reader.read(0);
      } finally {
        reader.dispose();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The ImageIO reader of a format; fails the test when none is installed. */
  static ImageReader reader(String format) {
    Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format);
    assertThat(readers.hasNext()).as("an ImageIO reader for %s is installed", format).isTrue();
    return readers.next();
  }

  /** The pixels of a decoded image as {@code 0xAARRGGBB}, row by row. */
  static int[] argb(BufferedImage image) {
    return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
  }
}
