package org.studioworker.spi.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

final class PngEncoderTest {

  @Test
  void opaqueImageRoundTripsExactlyThroughTheJdkDecoder() {
    int width = 37;
    int height = 11;
    int[] pixels = randomPixels(width * height, 1L, true);

    BufferedImage decoded = Decoders.image(PngEncoder.encode(width, height, pixels), "png");

    assertThat(decoded.getWidth()).isEqualTo(width);
    assertThat(decoded.getHeight()).isEqualTo(height);
    assertThat(decoded.getColorModel().hasAlpha()).as("opaque pixels need no alpha").isFalse();
    assertThat(Decoders.argb(decoded)).containsExactly(pixels);
  }

  @Test
  void translucentImageKeepsItsAlpha() {
    int[] pixels = randomPixels(5 * 7, 2L, false);

    BufferedImage decoded = Decoders.image(PngEncoder.encode(5, 7, pixels), "png");

    assertThat(decoded.getColorModel().hasAlpha()).isTrue();
    assertThat(Decoders.argb(decoded)).containsExactly(pixels);
  }

  @Test
  void onePixelImageDecodes() {
    int[] pixel = {0xFF102030};

    assertThat(Decoders.argb(Decoders.image(PngEncoder.encode(1, 1, pixel), "png")))
        .containsExactly(pixel);
  }

  private static int[] randomPixels(int count, long seed, boolean opaque) {
    SplittableRandom random = new SplittableRandom(seed);
    int[] pixels = new int[count];
    for (int i = 0; i < count; i++) {
      pixels[i] = opaque ? random.nextInt() | 0xFF000000 : random.nextInt();
    }
    return pixels;
  }
}
