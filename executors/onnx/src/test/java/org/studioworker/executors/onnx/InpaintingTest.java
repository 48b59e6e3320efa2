package org.studioworker.executors.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.nio.FloatBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The steps around the model pass, without the model: crop, tensors, scale, feather, blend. */
final class InpaintingTest {
  private static Raster maskWith(int w, int h, int x0, int y0, int x1, int y1) {
    Raster mask = Raster.blank(w, h);
    for (int y = y0; y <= y1; y++) {
      for (int x = x0; x <= x1; x++) {
        mask.pixels()[y * w + x] = 255;
      }
    }
    return mask;
  }

  @Test
  void aSmallObjectGetsTheSmallestSquareCentredOnIt() {
    // A 20×10 box: margin round(5) + 32 = 37, 20 + 74 = 94 → clamped up to 256.
    Inpainting.Box box = Inpainting.cropBox(maskWith(1024, 768, 500, 300, 519, 309));
    assertThat(box).isEqualTo(new Inpainting.Box(510 - 128, 305 - 128, 256));
  }

  @Test
  void aLargerObjectGetsItsMarginsAndTheSquareIsShiftedInsideTheImage() {
    // 200×100 at the right edge: margin 50 + 32 = 82, side 200 + 164 = 364.
    Inpainting.Box box = Inpainting.cropBox(maskWith(1024, 768, 824, 10, 1023, 109));
    assertThat(box).isEqualTo(new Inpainting.Box(1024 - 364, 0, 364));
  }

  @Test
  void theSquareNeverExceedsTheShorterSide() {
    Inpainting.Box box = Inpainting.cropBox(maskWith(1024, 512, 100, 100, 700, 400));
    assertThat(box).isNotNull();
    assertThat(box.side()).isEqualTo(512);
    assertThat(box.y()).isZero();
  }

  @Test
  void noCropForAnEmptyMaskAWholeSquareOrAnImageUnder256() {
    assertThat(Inpainting.cropBox(Raster.blank(512, 512))).isNull();
    assertThat(Inpainting.cropBox(maskWith(512, 512, 10, 10, 400, 400))).isNull();
    // The original fails below 256 px; the whole image runs instead.
    assertThat(Inpainting.cropBox(maskWith(200, 300, 10, 10, 20, 20))).isNull();
  }

  @Test
  void onlyMaskPixelsAbove128Count() {
    Raster mask = Raster.blank(600, 600);
    mask.pixels()[100 * 600 + 100] = 128; // not counted
    assertThat(Inpainting.cropBox(mask)).isNull();
    mask.pixels()[100 * 600 + 100] = 129;
    assertThat(Inpainting.cropBox(mask)).isEqualTo(new Inpainting.Box(0, 0, 256));
  }

  @Test
  void theImageTensorIsPlanarRgbOver255AndTheMaskIsBinarised() {
    Raster rgb = new Raster(2, 1, new int[] {0xFF8000, 0x0000FF});
    FloatBuffer image = Inpainting.imageTensor(rgb);
    assertThat(floats(image)).containsExactly(1f, 0f, 128 / 255f, 0f, 0f, 1f);
    FloatBuffer mask = Inpainting.maskTensor(new Raster(3, 1, new int[] {128, 129, 255}));
    assertThat(floats(mask)).containsExactly(0f, 1f, 1f);
  }

  @Test
  void anOutputUpTo2IsReadAsZeroToOneAndAboveAsZeroTo255() {
    Raster unit = Inpainting.fromOutput(FloatBuffer.wrap(new float[] {1f, 0.5f, 2f}), 1, 1);
    // 2 × 255 clamps to 255; 0.5 × 255 = 127.5 truncates to 127.
    assertThat(unit.pixels()[0]).isEqualTo(0xFF7FFF);
    Raster bytes = Inpainting.fromOutput(FloatBuffer.wrap(new float[] {2.5f, 300f, -4f}), 1, 1);
    assertThat(bytes.pixels()[0]).isEqualTo(0x02FF00);
    assertThatThrownBy(() -> Inpainting.fromOutput(FloatBuffer.wrap(new float[2]), 1, 1))
        .hasMessageContaining("2 values");
  }

  @Test
  void theFeatherOfAnEmptyMaskIsEmptyAndOfOnePixelIsSymmetric() {
    assertThat(Inpainting.gaussianBlur(Raster.blank(40, 40), 4).pixels()).containsOnly(0);
    Raster dot = Raster.blank(41, 41);
    dot.pixels()[20 * 41 + 20] = 255;
    Raster blurred = Inpainting.gaussianBlur(dot, 4);
    assertThat(blurred.at(20, 20)).isPositive();
    assertThat(blurred.at(18, 20)).isEqualTo(blurred.at(22, 20)).isEqualTo(blurred.at(20, 18));
    assertThat(blurred.at(0, 0)).isZero();
  }

  @Test
  void everyPixelOutsideTheFeatheredMaskIsByteIdentical() {
    qt().withExamples(40)
        .forAll(integers().between(1, 300), integers().between(1, 300), longs().all())
        .checkAssert(
            (w, h, seed) -> {
              Random random = new Random(seed);
              Raster base = randomRgb(w, h, random);
              Raster fill = randomRgb(w, h, random);
              Raster mask = Raster.blank(w, h);
              int blobs = random.nextInt(4);
              for (int b = 0; b < blobs; b++) {
                int x = random.nextInt(w);
                int y = random.nextInt(h);
                int r = random.nextInt(12);
                for (int yy = Math.max(0, y - r); yy <= Math.min(h - 1, y + r); yy++) {
                  for (int xx = Math.max(0, x - r); xx <= Math.min(w - 1, x + r); xx++) {
                    mask.pixels()[yy * w + xx] = random.nextInt(256);
                  }
                }
              }
              Raster alpha = Inpainting.gaussianBlur(mask, Inpainting.FEATHER_SIGMA);
              Raster out = Inpainting.composite(base, fill, alpha);
              for (int i = 0; i < w * h; i++) {
                if (alpha.pixels()[i] == 0) {
                  assertThat(out.pixels()[i]).isEqualTo(base.pixels()[i]);
                }
                if (alpha.pixels()[i] == 255) {
                  assertThat(out.pixels()[i]).isEqualTo(fill.pixels()[i]);
                }
              }
              // Farther than the kernel's reach from every marked pixel: always untouched.
              for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                  if (farFromMask(mask, x, y, 13)) {
                    assertThat(alpha.at(x, y)).isZero();
                  }
                }
              }
            });
  }

  @Test
  void removeObjectRunsTheSquareAt512AndPastesItBack() throws Exception {
    Raster image = Raster.blank(800, 600);
    java.util.Arrays.fill(image.pixels(), 0x204060);
    Raster mask = maskWith(800, 600, 380, 280, 419, 319);
    int[] calls = new int[1];
    Raster out =
        Inpainting.removeObject(
            image,
            mask,
            (in, m) -> {
              calls[0]++;
              assertThat(in.remaining()).isEqualTo(3 * 512 * 512);
              assertThat(m.remaining()).isEqualTo(512 * 512);
              float[] white = new float[3 * 512 * 512];
              java.util.Arrays.fill(white, 1f);
              return FloatBuffer.wrap(white);
            });
    assertThat(calls[0]).isOne();
    assertThat(out.at(400, 300)).isEqualTo(0xFFFFFF);
    assertThat(out.at(0, 0)).isEqualTo(0x204060);
    // Inside the crop square but beyond the feather: the original, not the model's white.
    assertThat(out.at(300, 200)).isEqualTo(0x204060);
  }

  private static boolean farFromMask(Raster mask, int x, int y, int reach) {
    for (int yy = Math.max(0, y - reach); yy <= Math.min(mask.height() - 1, y + reach); yy++) {
      for (int xx = Math.max(0, x - reach); xx <= Math.min(mask.width() - 1, x + reach); xx++) {
        if (mask.at(xx, yy) != 0) {
          return false;
        }
      }
    }
    return true;
  }

  private static Raster randomRgb(int w, int h, Random random) {
    int[] p = new int[w * h];
    for (int i = 0; i < p.length; i++) {
      p[i] = random.nextInt(1 << 24);
    }
    return new Raster(w, h, p);
  }

  private static float[] floats(FloatBuffer buffer) {
    float[] out = new float[buffer.remaining()];
    buffer.get(out);
    return out;
  }
}
