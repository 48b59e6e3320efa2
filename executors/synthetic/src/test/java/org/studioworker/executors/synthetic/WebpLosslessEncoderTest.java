package org.studioworker.executors.synthetic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.awt.image.BufferedImage;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

final class WebpLosslessEncoderTest {

  @Test
  void smallImageRoundTripsExactlyThroughAnIndependentDecoder() {
    int[] pixels = {
      0xFF000000, 0xFFFFFFFF, 0xFFFF0000, 0xFF00FF00, 0xFF0000FF, 0xFF123456,
      0xFF808080, 0xFF7F7F7F, 0xFFABCDEF, 0xFF010203, 0xFFFEFDFC, 0xFF00FFFF
    };

    BufferedImage decoded = Decoders.image(WebpLosslessEncoder.encodeFile(4, 3, pixels), "webp");

    assertThat(decoded.getWidth()).isEqualTo(4);
    assertThat(decoded.getHeight()).isEqualTo(3);
    assertThat(Decoders.argb(decoded)).containsExactly(pixels);
  }

  @Test
  void translucentPixelsKeepTheirAlpha() {
    int[] pixels = {0x00000000, 0x80FF0000, 0x40123456, 0xFFFFFFFF, 0x01020304, 0xC0C0C0C0};

    BufferedImage decoded = Decoders.image(WebpLosslessEncoder.encodeFile(3, 2, pixels), "webp");

    assertThat(decoded.getColorModel().hasAlpha()).isTrue();
    assertThat(Decoders.argb(decoded)).containsExactly(pixels);
  }

  @Test
  void singleColourImageCostsOnlyItsHeaderAndCodes() {
    int[] pixels = new int[64 * 64];
    java.util.Arrays.fill(pixels, 0xFF336699);

    byte[] file = WebpLosslessEncoder.encodeFile(64, 64, pixels);

    // Why 36: RIFF header (12) + chunk header (8) + the shortest stream we write (16); the 5-byte
    // image header and five one-symbol codes fit in it and every pixel costs 0 bits.
    assertThat(file.length).isEqualTo(36);
    assertThat(Decoders.argb(Decoders.image(file, "webp"))).containsExactly(pixels);
  }

  @Test
  void headerCarriesSignatureAndSizesLeastSignificantBitFirst() {
    byte[] stream = WebpLosslessEncoder.encode(300, 2, new int[600]);

    assertThat(stream[0]).isEqualTo((byte) 0x2f);
    long bits =
        (stream[1] & 0xffL)
            | (stream[2] & 0xffL) << 8
            | (stream[3] & 0xffL) << 16
            | (stream[4] & 0xffL) << 24;
    assertThat(bits & 0x3fff).as("width - 1").isEqualTo(299);
    assertThat((bits >>> 14) & 0x3fff).as("height - 1").isEqualTo(1);
    assertThat((bits >>> 28) & 1).as("alpha hint: transparent black is used").isEqualTo(1);
    assertThat((bits >>> 29) & 7).as("version").isZero();
  }

  @Test
  void rejectsSidesBeyondWhatVp8lCanStore() {
    assertThatThrownBy(() -> WebpLosslessEncoder.encode(16385, 1, new int[16385]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1..16384");
  }

  @Test
  void randomImagesOfEverySizeUpTo64RoundTripExactly() {
    qt().withExamples(300)
        .forAll(
            integers().between(1, 64),
            integers().between(1, 64),
            integers().between(1, 400),
            longs().all())
        .checkAssert(
            (width, height, colours, seed) -> {
              int[] pixels = randomPixels(width * height, colours, seed);
              BufferedImage decoded =
                  Decoders.image(WebpLosslessEncoder.encodeFile(width, height, pixels), "webp");
              assertThat(decoded.getWidth()).isEqualTo(width);
              assertThat(decoded.getHeight()).isEqualTo(height);
              assertThat(Decoders.argb(decoded)).containsExactly(pixels);
            });
  }

  /**
   * Pixels drawn from a palette of {@code colours} random colours, so that small palettes give the
   * one- and two-symbol codes and large ones long, run-length coded code lengths; half of the
   * palettes are opaque.
   */
  private static int[] randomPixels(int count, int colours, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    boolean opaque = random.nextBoolean();
    int[] palette = new int[colours];
    for (int i = 0; i < colours; i++) {
      palette[i] = opaque ? random.nextInt() | 0xFF000000 : random.nextInt();
    }
    int[] pixels = new int[count];
    for (int i = 0; i < count; i++) {
      pixels[i] = palette[random.nextInt(colours)];
    }
    return pixels;
  }
}
