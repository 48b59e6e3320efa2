package org.studioworker.spi.image;

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
  void singleColourImageCostsAFewBytes() {
    int[] pixels = new int[64 * 64];
    java.util.Arrays.fill(pixels, 0xFF336699);

    byte[] file = WebpLosslessEncoder.encodeFile(64, 64, pixels);

    // One literal, then copies of 4096 at most: header, codes and two copies fit in 64 bytes.
    assertThat(file.length).isLessThanOrEqualTo(64);
    assertThat(Decoders.argb(Decoders.image(file, "webp"))).containsExactly(pixels);
  }

  @Test
  void tinyStreamIsPaddedForDecodersThatReadAheadAndStillDecodes() {
    int[] pixel = {0xFF336699};

    byte[] stream = WebpLosslessEncoder.encode(1, 1, pixel);

    assertThat(stream).hasSize(WebpLosslessEncoder.MIN_STREAM_BYTES);
    byte[] file = new RiffWriter("WEBP").chunk("VP8L", stream).toByteArray();
    assertThat(Decoders.argb(Decoders.image(file, "webp"))).containsExactly(pixel);
  }

  @Test
  void runsLongerThanOneCopyAndAcrossRowEndsRoundTrip() {
    int width = 300;
    int height = 40;
    int[] pixels = new int[width * height];
    for (int i = 0; i < pixels.length; i++) {
      // Runs of 5000 (more than the longest copy, 4096), plus rows that repeat the row above.
      int y = i / width;
      pixels[i] =
          i < 10_000
              ? 0xFF000000 | (i / 5000) * 0x404040
              : 0xFF00FF00 | (y % 3 == 0 ? i % width : 7);
    }

    byte[] file = WebpLosslessEncoder.encodeFile(width, height, pixels);

    assertThat(Decoders.argb(Decoders.image(file, "webp"))).containsExactly(pixels);
  }

  @Test
  void prefixCodingOfLengthsMatchesTheDecodersFormula() {
    for (int value = 1; value <= 4096; value++) {
      int symbol = WebpLosslessEncoder.prefixSymbol(value);
      int extraBits = WebpLosslessEncoder.extraBitCount(value);
      assertThat(symbol).isBetween(0, 23);
      // RFC 9649, 5.2.2: what a decoder computes from the symbol and the extra bits.
      int decoded;
      if (symbol < 4) {
        assertThat(extraBits).isZero();
        decoded = symbol + 1;
      } else {
        assertThat(extraBits).isEqualTo((symbol - 2) >> 1);
        int offset = (2 + (symbol & 1)) << extraBits;
        decoded = offset + WebpLosslessEncoder.extraBits(value) + 1;
      }
      assertThat(decoded).as("value %d", value).isEqualTo(value);
    }
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
