package org.studioworker.executors.onnx;

/**
 * An 8-bit image held in memory: RGB packed as {@code 0xRRGGBB}, or one grey channel in the low
 * byte. Pixels are row-major. The array is shared, not copied: a raster is owned by one job.
 *
 * @param width the width in pixels, at least 1
 * @param height the height in pixels, at least 1
 * @param pixels {@code width × height} values
 */
record Raster(int width, int height, int[] pixels) {
  /** Checks the size. */
  Raster {
    if (width < 1 || height < 1 || pixels.length != width * height) {
      throw new IllegalArgumentException(
          "a raster of " + width + "x" + height + " needs " + width * height + " pixels");
    }
  }

  /** A black raster. */
  static Raster blank(int width, int height) {
    return new Raster(width, height, new int[width * height]);
  }

  int at(int x, int y) {
    return pixels[y * width + x];
  }

  /** The grey level of each pixel (ITU-R BT.709 weights, as the original's luma conversion). */
  Raster luma() {
    int[] grey = new int[pixels.length];
    for (int i = 0; i < pixels.length; i++) {
      int p = pixels[i];
      int r = (p >> 16) & 0xFF;
      int g = (p >> 8) & 0xFF;
      int b = p & 0xFF;
      grey[i] = (2126 * r + 7152 * g + 722 * b + 5000) / 10000;
    }
    return new Raster(width, height, grey);
  }

  /** The square or rectangle at ({@code x}, {@code y}), copied. */
  Raster crop(int x, int y, int w, int h) {
    int[] out = new int[w * h];
    for (int row = 0; row < h; row++) {
      System.arraycopy(pixels, (y + row) * width + x, out, row * w, w);
    }
    return new Raster(w, h, out);
  }

  /** A copy with {@code patch} written over it at ({@code x}, {@code y}). */
  Raster paste(Raster patch, int x, int y) {
    int[] out = pixels.clone();
    for (int row = 0; row < patch.height; row++) {
      System.arraycopy(patch.pixels, row * patch.width, out, (y + row) * width + x, patch.width);
    }
    return new Raster(width, height, out);
  }

  /**
   * This raster resized with a triangle (bilinear) filter, each channel on its own; the aspect
   * ratio is not kept. When shrinking, the filter widens with the scale so that every source pixel
   * counts (as the original's resize does), instead of sampling four pixels and skipping the rest.
   *
   * @param channels 3 for RGB, 1 for grey
   */
  Raster resized(int toWidth, int toHeight, int channels) {
    if (toWidth == width && toHeight == height) {
      return new Raster(width, height, pixels.clone());
    }
    // Horizontal pass into floats, then vertical pass into bytes.
    float[] wide = new float[toWidth * height * channels];
    Filter across = Filter.of(width, toWidth);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < toWidth; x++) {
        int first = across.first[x];
        float[] weights = across.weights[x];
        for (int c = 0; c < channels; c++) {
          int shift = 8 * (channels - 1 - c);
          float sum = 0;
          for (int k = 0; k < weights.length; k++) {
            sum += weights[k] * ((pixels[y * width + first + k] >> shift) & 0xFF);
          }
          wide[(y * toWidth + x) * channels + c] = sum;
        }
      }
    }
    int[] out = new int[toWidth * toHeight];
    Filter down = Filter.of(height, toHeight);
    for (int y = 0; y < toHeight; y++) {
      int first = down.first[y];
      float[] weights = down.weights[y];
      for (int x = 0; x < toWidth; x++) {
        int value = 0;
        for (int c = 0; c < channels; c++) {
          float sum = 0;
          for (int k = 0; k < weights.length; k++) {
            sum += weights[k] * wide[((first + k) * toWidth + x) * channels + c];
          }
          value = (value << 8) | clampByte(Math.round(sum));
        }
        out[y * toWidth + x] = value;
      }
    }
    return new Raster(toWidth, toHeight, out);
  }

  static int clampByte(long value) {
    return (int) Math.max(0, Math.min(255, value));
  }

  /** The source pixels and weights of each output pixel along one axis. */
  private record Filter(int[] first, float[][] weights) {
    static Filter of(int from, int to) {
      double scale = (double) from / to;
      double support = Math.max(1.0, scale);
      int[] first = new int[to];
      float[][] weights = new float[to][];
      for (int i = 0; i < to; i++) {
        double centre = (i + 0.5) * scale;
        int left = (int) Math.max(0, Math.floor(centre - support));
        int right = (int) Math.min(from, Math.ceil(centre + support));
        double[] raw = new double[Math.max(1, right - left)];
        double total = 0;
        for (int s = left; s < left + raw.length; s++) {
          double distance = Math.abs((s + 0.5 - centre) / support);
          double weight = Math.max(0, 1 - distance);
          raw[s - left] = weight;
          total += weight;
        }
        float[] normal = new float[raw.length];
        for (int k = 0; k < raw.length; k++) {
          normal[k] = total > 0 ? (float) (raw[k] / total) : (k == 0 ? 1f : 0f);
        }
        first[i] = left;
        weights[i] = normal;
      }
      return new Filter(first, weights);
    }
  }
}
