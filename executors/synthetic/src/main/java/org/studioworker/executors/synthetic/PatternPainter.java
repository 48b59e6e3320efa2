package org.studioworker.executors.synthetic;

/**
 * Paints the synthetic picture: a banded diagonal gradient between two colours, crossed by rings in
 * a third, all chosen by the input hash; an animation phase moves the rings outwards.
 *
 * <p>Deterministic on every JVM: only {@code + - * /} and {@code sqrt} on doubles, which Java
 * defines exactly, and {@link StrictMath} for the one angle. Immutable; {@link #paint} allocates
 * the frame.
 */
final class PatternPainter {
  /** The gradient is cut into this many flat bands: it looks like a poster and compresses well. */
  private static final int BANDS = 24;

  private final int width;
  private final int height;
  private final int from;
  private final int to;
  private final int accent;

  /** Unit direction of the gradient. */
  private final double directionX;

  private final double directionY;

  /** The gradient's projection at the two extreme corners, to map it onto 0..1. */
  private final double low;

  private final double high;

  private final double centreX;
  private final double centreY;

  /** Distance between two ring edges, in pixels; at least 2. */
  private final double ringSpacing;

  PatternPainter(InputHash hash, int width, int height) {
    this.width = width;
    this.height = height;
    this.from = rgb(hash, 0);
    this.to = rgb(hash, 3);
    this.accent = rgb(hash, 6);
    double angle = hash.unsignedByte(9) * (2 * Math.PI / 256);
    this.directionX = StrictMath.cos(angle);
    this.directionY = StrictMath.sin(angle);
    double[] corners = {
      0, directionX * width, directionY * height, directionX * width + directionY * height
    };
    double min = corners[0];
    double max = corners[0];
    for (double corner : corners) {
      min = Math.min(min, corner);
      max = Math.max(max, corner);
    }
    this.low = min;
    this.high = max;
    this.centreX = width * (hash.unsignedByte(10) / 255.0);
    this.centreY = height * (hash.unsignedByte(11) / 255.0);
    // Why 6..13 rings across the shorter side: enough to read as a pattern, few enough to be bold.
    this.ringSpacing = Math.max(2.0, Math.min(width, height) / (6.0 + hash.unsignedByte(12) % 8));
  }

  /**
   * One frame, row by row, as opaque {@code 0xFFRRGGBB} pixels.
   *
   * @param phase 0 (inclusive) to 1 (exclusive): how far the rings have moved; frames at 0 and 1
   *     are the same, so an animation over 0..1 loops without a jump
   * @throws InterruptedException when the job is cancelled between two rows
   */
  int[] paint(double phase, Checkpoint checkpoint) throws InterruptedException {
    int[] pixels = new int[width * height];
    double span = high > low ? high - low : 1;
    for (int y = 0; y < height; y++) {
      checkpoint.check();
      for (int x = 0; x < width; x++) {
        double t = (directionX * (x + 0.5) + directionY * (y + 0.5) - low) / span;
        int band = Math.clamp((long) (t * BANDS), 0, BANDS - 1);
        int colour = mix(from, to, band, BANDS - 1);
        double dx = x + 0.5 - centreX;
        double dy = y + 0.5 - centreY;
        // Two ring widths a cycle, so the parity pattern at phase 1 equals the one at phase 0.
        long ring = (long) Math.floor(Math.sqrt(dx * dx + dy * dy) / ringSpacing - 2 * phase);
        if ((ring & 1) == 1) {
          colour = mix(colour, accent, 1, 2);
        }
        pixels[y * width + x] = 0xFF00_0000 | colour;
      }
    }
    return pixels;
  }

  /** {@code a + (b - a) * num / den} per channel, rounded. */
  private static int mix(int a, int b, int num, int den) {
    int result = 0;
    for (int shift = 0; shift <= 16; shift += 8) {
      int ca = (a >>> shift) & 0xff;
      int cb = (b >>> shift) & 0xff;
      int c = ca + Math.round((float) ((cb - ca) * num) / den);
      result |= c << shift;
    }
    return result;
  }

  private static int rgb(InputHash hash, int index) {
    return hash.unsignedByte(index) << 16
        | hash.unsignedByte(index + 1) << 8
        | hash.unsignedByte(index + 2);
  }
}
