package org.studioworker.spi.image;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Encodes ARGB pixels as a lossless WebP (VP8L) bitstream, following RFC 9649.
 *
 * <p>A simple valid shape: no transforms, no colour cache, one group of five prefix codes built
 * from the image's own histograms. Pixels are literals, or backward references of the two cheapest
 * kinds, "repeat the pixel to the left" and "copy from the row above", chosen greedily: our flat
 * bands compress to a few bits a run instead of ~15 bits a pixel. A decoder reads it like any other
 * VP8L stream. Stateless and thread-safe.
 */
public final class WebpLosslessEncoder {
  /** VP8L stores width-1 and height-1 in 14 bits each. */
  static final int MAX_SIDE = 1 << 14;

  private static final int SIGNATURE = 0x2f;

  /**
   * The shortest bitstream we hand out, padded with zero bytes (which no decoder reads).
   *
   * <p>Why 16: a tiny image (one colour, one-symbol codes) needs only about 12 bytes, but some
   * decoders fetch 64 bits at a time after the 5-byte header and fail with end-of-file below 5 + 8
   * = 13 bytes (TwelveMonkeys 3.15 does); 16 leaves a margin and costs nothing on real images.
   */
  static final int MIN_STREAM_BYTES = 16;

  /** 256 green literals + 24 length prefixes + 0 colour cache entries. */
  private static final int GREEN_ALPHABET = 256 + 24;

  private static final int LITERAL_ALPHABET = 256;
  private static final int DISTANCE_ALPHABET = 40;

  /** Distance codes 1 and 2 of the distance map: (0,1) is the pixel above, (1,0) the one left. */
  private static final int DISTANCE_ABOVE = 1;

  private static final int DISTANCE_LEFT = 2;

  /** A copy of 2 pixels already beats two ~15-bit literals. */
  private static final int MIN_COPY = 2;

  /** The 24 length prefixes reach 4096: prefix 23 is 2^11 + 2^10 plus 10 extra bits, plus 1. */
  private static final int MAX_COPY = 4096;

  /** The main codes may be up to 15 bits long, the code-length code up to 7. */
  private static final int MAX_CODE_LENGTH = 15;

  private static final int MAX_CODE_LENGTH_CODE_LENGTH = 7;

  /** The order in which the 19 code-length code lengths are stored (RFC 9649, 3.7.2.1.2). */
  private static final int[] CODE_LENGTH_CODE_ORDER = {
    17, 18, 0, 1, 2, 3, 4, 5, 16, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
  };

  private WebpLosslessEncoder() {}

  /**
   * A complete {@code .webp} file holding one lossless image: {@code RIFF WEBP} with one {@code
   * VP8L} chunk.
   *
   * @param width the width in pixels, 1..16384
   * @param height the height in pixels, 1..16384
   * @param argb {@code width * height} pixels, row by row, as {@code 0xAARRGGBB}
   * @return the bytes of the file
   * @throws IllegalArgumentException when a side is out of range or the pixel count does not match
   */
  public static byte[] encodeFile(int width, int height, int[] argb) {
    return new RiffWriter("WEBP").chunk("VP8L", encode(width, height, argb)).toByteArray();
  }

  /**
   * The VP8L bitstream of one image: the payload of a {@code VP8L} chunk, for a caller that frames
   * it itself (an {@code ANMF} frame of an animated WebP).
   *
   * @param width the width in pixels, 1..16384
   * @param height the height in pixels, 1..16384
   * @param argb {@code width * height} pixels, row by row, as {@code 0xAARRGGBB}
   * @return the bitstream, padded with zero bytes to at least 16 bytes
   * @throws IllegalArgumentException when a side is out of range or the pixel count does not match
   */
  public static byte[] encode(int width, int height, int[] argb) {
    if (width < 1 || height < 1 || width > MAX_SIDE || height > MAX_SIDE) {
      throw new IllegalArgumentException(
          "VP8L sides must be 1.." + MAX_SIDE + ", got " + width + "x" + height);
    }
    if (argb.length != width * height) {
      throw new IllegalArgumentException(
          "expected " + width * height + " pixels, got " + argb.length);
    }
    int[] green = new int[GREEN_ALPHABET];
    int[] red = new int[LITERAL_ALPHABET];
    int[] blue = new int[LITERAL_ALPHABET];
    int[] alpha = new int[LITERAL_ALPHABET];
    int[] distance = new int[DISTANCE_ALPHABET];
    parse(
        argb,
        width,
        new Tokens() {
          @Override
          public void literal(int pixel) {
            alpha[pixel >>> 24]++;
            red[(pixel >>> 16) & 0xff]++;
            green[(pixel >>> 8) & 0xff]++;
            blue[pixel & 0xff]++;
          }

          @Override
          public void copy(int length, int distanceCode) {
            green[LITERAL_ALPHABET + prefixSymbol(length)]++;
            distance[prefixSymbol(distanceCode)]++;
          }
        });
    boolean alphaUsed = false;
    for (int pixel : argb) {
      if (pixel >>> 24 != 0xff) {
        alphaUsed = true;
        break;
      }
    }

    // Why / 4: our pictures cost a few bits a pixel; start there and let the buffer grow.
    BitWriter out = new BitWriter(argb.length / 4 + 64);
    // Header: 8-bit signature, 14-bit width-1, 14-bit height-1, 1-bit alpha hint, 3-bit version 0.
    out.write(SIGNATURE, 8);
    out.write(width - 1, 14);
    out.write(height - 1, 14);
    out.write(alphaUsed ? 1 : 0, 1);
    out.write(0, 3);
    out.write(0, 1); // no transform
    out.write(0, 1); // no colour cache
    out.write(0, 1); // no meta prefix codes: one prefix code group for the whole image

    PrefixCode greenCode = writePrefixCode(out, green);
    PrefixCode redCode = writePrefixCode(out, red);
    PrefixCode blueCode = writePrefixCode(out, blue);
    PrefixCode alphaCode = writePrefixCode(out, alpha);
    PrefixCode distanceCode = writePrefixCode(out, distance);

    parse(
        argb,
        width,
        new Tokens() {
          // A literal is green, red, blue, alpha, in that order.
          @Override
          public void literal(int pixel) {
            greenCode.write(out, (pixel >>> 8) & 0xff);
            redCode.write(out, (pixel >>> 16) & 0xff);
            blueCode.write(out, pixel & 0xff);
            alphaCode.write(out, pixel >>> 24);
          }

          // A copy is a length prefix in the green alphabet, its extra bits, then the distance.
          @Override
          public void copy(int length, int code) {
            greenCode.write(out, LITERAL_ALPHABET + prefixSymbol(length));
            out.write(extraBits(length), extraBitCount(length));
            distanceCode.write(out, prefixSymbol(code));
            out.write(extraBits(code), extraBitCount(code));
          }
        });
    byte[] stream = out.toByteArray();
    return stream.length >= MIN_STREAM_BYTES ? stream : Arrays.copyOf(stream, MIN_STREAM_BYTES);
  }

  /** What {@link #parse} finds, in pixel order. */
  private interface Tokens {
    void literal(int pixel);

    void copy(int length, int distanceCode);
  }

  /**
   * Splits the pixels into literals and copies, the same way every time (the histograms and the
   * writing each take one pass): at each pixel, the longer run of "same as the pixel above" or
   * "same as the pixel to the left", when it is at least {@link #MIN_COPY} long, else a literal.
   * Runs may cross row ends: distances count in scan order.
   */
  private static void parse(int[] argb, int width, Tokens tokens) {
    int at = 0;
    while (at < argb.length) {
      int above = at >= width ? run(argb, at, width) : 0;
      int left = at >= 1 ? run(argb, at, 1) : 0;
      if (Math.max(above, left) < MIN_COPY) {
        tokens.literal(argb[at]);
        at++;
      } else if (above >= left) {
        tokens.copy(above, DISTANCE_ABOVE);
        at += above;
      } else {
        tokens.copy(left, DISTANCE_LEFT);
        at += left;
      }
    }
  }

  /** How many pixels from {@code at} on equal the pixel {@code distance} before each. */
  private static int run(int[] argb, int at, int distance) {
    int limit = Math.min(argb.length, at + MAX_COPY);
    int end = at;
    while (end < limit && argb[end] == argb[end - distance]) {
      end++;
    }
    return end - at;
  }

  /**
   * The prefix symbol of a length or distance code {@code value >= 1} (RFC 9649, 5.2.2): values
   * 1..4 are symbols 0..3; above that, with {@code d = value - 1} whose highest set bit is {@code
   * h}, the symbol is {@code 2h} plus the bit below {@code h}, and the {@code h - 1} lower bits
   * follow as extra bits.
   */
  static int prefixSymbol(int value) {
    int d = value - 1;
    if (d < 4) {
      return d;
    }
    int highest = 31 - Integer.numberOfLeadingZeros(d);
    return 2 * highest + ((d >>> (highest - 1)) & 1);
  }

  static int extraBitCount(int value) {
    int d = value - 1;
    return d < 4 ? 0 : 30 - Integer.numberOfLeadingZeros(d);
  }

  static int extraBits(int value) {
    return (value - 1) & ((1 << extraBitCount(value)) - 1);
  }

  /** Chooses the simple or the normal form for a code, writes it and returns it. */
  private static PrefixCode writePrefixCode(BitWriter out, int[] histogram) {
    int first = -1;
    int second = -1;
    int used = 0;
    for (int symbol = 0; symbol < histogram.length; symbol++) {
      if (histogram[symbol] > 0) {
        if (used == 0) {
          first = symbol;
        } else if (used == 1) {
          second = symbol;
        }
        used++;
      }
    }
    if (used <= 2 && first < LITERAL_ALPHABET && second < LITERAL_ALPHABET) {
      return writeSimpleCode(out, histogram.length, Math.max(first, 0), second);
    }
    return writeNormalCode(out, histogram);
  }

  /**
   * The simple form: one or two symbols below 256, each given inline.
   *
   * <p>Layout: 1 (simple), 1 bit symbol count - 1, 1 bit "first symbol needs 8 bits", the first
   * symbol in 1 or 8 bits, then the second symbol (if any) in 8 bits. One symbol is a zero-length
   * code; two symbols get one bit each, the smaller symbol being 0.
   */
  private static PrefixCode writeSimpleCode(
      BitWriter out, int alphabetSize, int first, int second) {
    out.write(1, 1);
    out.write(second < 0 ? 0 : 1, 1);
    if (first <= 1) {
      out.write(0, 1);
      out.write(first, 1);
    } else {
      out.write(1, 1);
      out.write(first, 8);
    }
    if (second < 0) {
      return PrefixCode.singleSymbol(alphabetSize);
    }
    out.write(second, 8);
    int[] lengths = new int[alphabetSize];
    lengths[first] = 1;
    lengths[second] = 1;
    return PrefixCode.fromLengths(lengths);
  }

  /**
   * The normal form: the code lengths of the whole alphabet, themselves prefix-coded.
   *
   * <p>Layout: 0 (normal), 4 bits count-4 of code-length code lengths, that many 3-bit lengths in
   * {@link #CODE_LENGTH_CODE_ORDER}, 1 bit 0 ("lengths for the whole alphabet follow"), then the
   * run-length coded lengths.
   */
  private static PrefixCode writeNormalCode(BitWriter out, int[] histogram) {
    PrefixCode code = PrefixCode.fromHistogram(histogram, MAX_CODE_LENGTH);
    List<int[]> tokens = runLengthTokens(code);
    int[] tokenHistogram = new int[CODE_LENGTH_CODE_ORDER.length];
    for (int[] token : tokens) {
      tokenHistogram[token[0]]++;
    }
    PrefixCode lengthCode = PrefixCode.fromHistogram(tokenHistogram, MAX_CODE_LENGTH_CODE_LENGTH);
    int stored = CODE_LENGTH_CODE_ORDER.length;
    while (stored > 4 && lengthCode.length(CODE_LENGTH_CODE_ORDER[stored - 1]) == 0) {
      stored--;
    }
    out.write(0, 1);
    out.write(stored - 4, 4);
    for (int i = 0; i < stored; i++) {
      out.write(lengthCode.length(CODE_LENGTH_CODE_ORDER[i]), 3);
    }
    out.write(0, 1);
    for (int[] token : tokens) {
      lengthCode.write(out, token[0]);
      out.write(token[1], token[2]);
    }
    return code;
  }

  /**
   * The code lengths of {@code code} as code-length symbols: {@code {symbol, extra, extraBits}}.
   *
   * <p>0..15 is a literal length; 16 repeats the previous non-zero length 3..6 times (2 extra
   * bits); 17 writes 3..10 zeros (3 extra bits); 18 writes 11..138 zeros (7 extra bits).
   */
  private static List<int[]> runLengthTokens(PrefixCode code) {
    List<int[]> tokens = new ArrayList<>();
    int n = code.alphabetSize();
    int i = 0;
    while (i < n) {
      int value = code.length(i);
      int run = 1;
      while (i + run < n && code.length(i + run) == value) {
        run++;
      }
      i += run;
      if (value == 0) {
        while (run >= 11) {
          int chunk = Math.min(run, 138);
          tokens.add(new int[] {18, chunk - 11, 7});
          run -= chunk;
        }
        if (run >= 3) {
          tokens.add(new int[] {17, run - 3, 3});
          run = 0;
        }
      } else {
        // 16 repeats the last non-zero literal, so the value itself goes first.
        tokens.add(new int[] {value, 0, 0});
        run--;
        while (run >= 3) {
          int chunk = Math.min(run, 6);
          tokens.add(new int[] {16, chunk - 3, 2});
          run -= chunk;
        }
      }
      for (; run > 0; run--) {
        tokens.add(new int[] {value, 0, 0});
      }
    }
    return tokens;
  }
}
