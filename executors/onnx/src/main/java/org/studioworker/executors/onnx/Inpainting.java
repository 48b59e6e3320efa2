package org.studioworker.executors.onnx;

import java.nio.FloatBuffer;
import org.jspecify.annotations.Nullable;

/**
 * The steps of LaMa object removal around the model pass, as pure functions (ENGINES.md, "onnx"):
 * the crop box, the model's input tensors, the output's scale, and the feathered composite that
 * leaves every pixel outside the mask's feather byte-identical.
 */
final class Inpainting {
  /** The model's fixed input side. */
  static final int MODEL_SIDE = 512;

  /** The smallest crop side: a small object still gets context around it. */
  static final int MIN_CROP = 256;

  /** A mask pixel counts when its grey level is above this, strictly. */
  static final int MASK_THRESHOLD = 128;

  /** The feather of the composite. */
  static final double FEATHER_SIGMA = 4.0;

  private Inpainting() {}

  /** One pass of the model on a square of {@link #MODEL_SIDE}: the two inputs, the output. */
  @FunctionalInterface
  interface Model {
    /**
     * Runs the model.
     *
     * @param image the {@code image} tensor, {@code [1,3,512,512]}
     * @param mask the {@code mask} tensor, {@code [1,1,512,512]}
     * @return the {@code output} tensor, {@code [1,3,512,512]}
     */
    FloatBuffer run(FloatBuffer image, FloatBuffer mask) throws Exception;
  }

  /**
   * Removes what {@code mask} covers from {@code image} (both already at the task's size): the crop
   * box's square at 512 through the model, pasted back, and blended over the image with the
   * feathered grey mask.
   */
  static Raster removeObject(Raster image, Raster mask, Model model) throws Exception {
    Box box = cropBox(mask);
    int x = box == null ? 0 : box.x();
    int y = box == null ? 0 : box.y();
    int w = box == null ? image.width() : box.side();
    int h = box == null ? image.height() : box.side();
    Raster cropImage = box == null ? image : image.crop(x, y, w, h);
    Raster cropMask = box == null ? mask : mask.crop(x, y, w, h);
    FloatBuffer output =
        model.run(
            imageTensor(cropImage.resized(MODEL_SIDE, MODEL_SIDE, 3)),
            maskTensor(cropMask.resized(MODEL_SIDE, MODEL_SIDE, 1)));
    Raster filled = fromOutput(output, MODEL_SIDE, MODEL_SIDE).resized(w, h, 3);
    Raster fill = box == null ? filled : image.paste(filled, x, y);
    return composite(image, fill, gaussianBlur(mask, FEATHER_SIGMA));
  }

  /** A square of the image: its left, top and side. */
  record Box(int x, int y, int side) {}

  /**
   * The square the model sees, or null for the whole image: the bounding box of the mask pixels
   * above the threshold, widened by a margin of a quarter of its larger side plus 32 pixels, at
   * least 256 and at most the image's shorter side, centred on the box and shifted inside the
   * image. Null when the mask is empty, when the square would cover the whole image, or when the
   * image is shorter than 256 pixels (the original fails there; we run the whole image).
   */
  static @Nullable Box cropBox(Raster mask) {
    int w = mask.width();
    int h = mask.height();
    if (Math.min(w, h) < MIN_CROP) {
      return null;
    }
    int minX = Integer.MAX_VALUE;
    int minY = Integer.MAX_VALUE;
    int maxX = -1;
    int maxY = -1;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        if (mask.at(x, y) > MASK_THRESHOLD) {
          minX = Math.min(minX, x);
          maxX = Math.max(maxX, x);
          minY = Math.min(minY, y);
          maxY = Math.max(maxY, y);
        }
      }
    }
    if (maxX < 0) {
      return null;
    }
    int bw = maxX - minX + 1;
    int bh = maxY - minY + 1;
    int maxDim = Math.max(bw, bh);
    int margin = (int) Math.round(0.25 * maxDim) + 32;
    int side = Math.clamp(maxDim + 2L * margin, MIN_CROP, Math.min(w, h));
    if (side >= w && side >= h) {
      return null;
    }
    int centreX = minX + bw / 2;
    int centreY = minY + bh / 2;
    int x = Math.clamp(centreX - side / 2, 0, w - side);
    int y = Math.clamp(centreY - side / 2, 0, h - side);
    return new Box(x, y, side);
  }

  /** The {@code image} input: RGB / 255, planar (NCHW, {@code [1,3,s,s]}). */
  static FloatBuffer imageTensor(Raster rgb) {
    int n = rgb.width() * rgb.height();
    FloatBuffer out = FloatBuffer.allocate(3 * n);
    int[] p = rgb.pixels();
    for (int c = 0; c < 3; c++) {
      int shift = 16 - 8 * c;
      for (int i = 0; i < n; i++) {
        out.put(((p[i] >> shift) & 0xFF) / 255f);
      }
    }
    return out.flip();
  }

  /** The {@code mask} input ({@code [1,1,s,s]}): 1 where the grey level is above 128, else 0. */
  static FloatBuffer maskTensor(Raster grey) {
    int[] p = grey.pixels();
    FloatBuffer out = FloatBuffer.allocate(p.length);
    for (int value : p) {
      out.put(value > MASK_THRESHOLD ? 1f : 0f);
    }
    return out.flip();
  }

  /**
   * The model's {@code output} ({@code [1,3,s,s]}) as an RGB raster: LaMa exports differ in their
   * scale, so an output whose largest value is above 2 is read as 0..255 and any other as 0..1;
   * values are clamped and truncated to bytes.
   */
  static Raster fromOutput(FloatBuffer output, int width, int height) {
    int n = width * height;
    if (output.remaining() != 3 * n) {
      throw new IllegalArgumentException(
          "the model's output holds "
              + output.remaining()
              + " values, not 3x"
              + width
              + "x"
              + height);
    }
    float max = Float.NEGATIVE_INFINITY;
    for (int i = output.position(); i < output.limit(); i++) {
      max = Math.max(max, output.get(i));
    }
    float scale = max > 2f ? 1f : 255f;
    int[] rgb = new int[n];
    int base = output.position();
    for (int c = 0; c < 3; c++) {
      for (int i = 0; i < n; i++) {
        float v = output.get(base + c * n + i) * scale;
        int b = Float.isNaN(v) ? 0 : (int) Math.max(0f, Math.min(255f, v));
        rgb[i] |= b << (16 - 8 * c);
      }
    }
    return new Raster(width, height, rgb);
  }

  /** The grey raster blurred with a Gaussian of {@code sigma}, edges clamped, rounded to bytes. */
  static Raster gaussianBlur(Raster grey, double sigma) {
    int radius = (int) Math.ceil(3 * sigma);
    double[] kernel = new double[2 * radius + 1];
    double total = 0;
    for (int k = -radius; k <= radius; k++) {
      kernel[k + radius] = Math.exp(-(k * k) / (2 * sigma * sigma));
      total += kernel[k + radius];
    }
    for (int k = 0; k < kernel.length; k++) {
      kernel[k] /= total;
    }
    int w = grey.width();
    int h = grey.height();
    int[] p = grey.pixels();
    double[] across = new double[w * h];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double sum = 0;
        for (int k = -radius; k <= radius; k++) {
          sum += kernel[k + radius] * p[y * w + Math.clamp(x + k, 0, w - 1)];
        }
        across[y * w + x] = sum;
      }
    }
    int[] out = new int[w * h];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double sum = 0;
        for (int k = -radius; k <= radius; k++) {
          sum += kernel[k + radius] * across[Math.clamp(y + k, 0, h - 1) * w + x];
        }
        // A pixel whose whole neighbourhood is 0 sums to exactly 0: the feather never leaks.
        out[y * w + x] = Raster.clampByte(Math.round(sum));
      }
    }
    return new Raster(w, h, out);
  }

  /**
   * {@code base} with {@code fill} blended in where {@code alpha} (grey, 0..255) is above 0: {@code
   * round(base·(1−a) + fill·a)} per channel with {@code a = alpha/255}. Where alpha is 0 the pixel
   * is {@code base}'s, byte for byte.
   */
  static Raster composite(Raster base, Raster fill, Raster alpha) {
    int[] b = base.pixels();
    int[] f = fill.pixels();
    int[] a = alpha.pixels();
    int[] out = new int[b.length];
    for (int i = 0; i < b.length; i++) {
      if (a[i] == 0) {
        out[i] = b[i];
        continue;
      }
      double t = a[i] / 255.0;
      int value = 0;
      for (int shift = 16; shift >= 0; shift -= 8) {
        int from = (b[i] >> shift) & 0xFF;
        int to = (f[i] >> shift) & 0xFF;
        value |= Raster.clampByte(Math.round(from * (1 - t) + to * t)) << shift;
      }
      out[i] = value;
    }
    return new Raster(base.width(), base.height(), out);
  }
}
