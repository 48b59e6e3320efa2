package org.studioworker.spi.image;

import java.util.PriorityQueue;

/**
 * A canonical prefix (Huffman) code over a small alphabet, built from a histogram and limited to a
 * maximum code length.
 *
 * <p>Codes are assigned the canonical way that VP8L (like DEFLATE) expects: shorter codes first,
 * equal lengths in symbol order. A code in which every length is zero is the one-symbol code: its
 * symbol costs no bits at all. Immutable.
 */
final class PrefixCode {
  /** Code length per symbol; 0 = the symbol never occurs. */
  private final int[] lengths;

  /** Code per symbol, bit-reversed so that it can be written least-significant bit first. */
  private final int[] reversedCodes;

  private PrefixCode(int[] lengths) {
    this.lengths = lengths;
    this.reversedCodes = canonicalReversedCodes(lengths);
  }

  /** The one-symbol code: the one symbol that occurs (the caller knows which) costs no bits. */
  static PrefixCode singleSymbol(int alphabetSize) {
    return new PrefixCode(new int[alphabetSize]);
  }

  /** A code with exactly these lengths, which must form a complete code. */
  static PrefixCode fromLengths(int[] lengths) {
    return new PrefixCode(lengths.clone());
  }

  /**
   * An optimal code for these symbol counts whose lengths do not exceed {@code maxLength}.
   *
   * <p>The code is always complete and has at least two symbols (an unused one is given a code when
   * only one occurs), so that every decoder builds the same table from its lengths.
   */
  static PrefixCode fromHistogram(int[] counts, int maxLength) {
    long[] weights = new long[counts.length];
    int used = 0;
    for (int i = 0; i < counts.length; i++) {
      weights[i] = counts[i];
      if (counts[i] > 0) {
        used++;
      }
    }
    // Why two: a one-leaf tree has no code at all; the decoder side of a normal code expects a
    // complete tree, so a second symbol is given a code it will never be asked to write.
    for (int i = 0; used < 2 && i < weights.length; i++) {
      if (weights[i] == 0) {
        weights[i] = 1;
        used++;
      }
    }
    while (true) {
      int[] lengths = huffmanLengths(weights);
      int longest = 0;
      for (int length : lengths) {
        longest = Math.max(longest, length);
      }
      if (longest <= maxLength) {
        return new PrefixCode(lengths);
      }
      // Flatten the histogram and try again: halving every count (keeping used symbols at 1 or
      // more) moves the tree towards balanced, whose depth ceil(log2 n) is within any limit we use.
      for (int i = 0; i < weights.length; i++) {
        if (weights[i] > 0) {
          weights[i] = (weights[i] >> 1) | 1;
        }
      }
    }
  }

  /** The alphabet size. */
  int alphabetSize() {
    return lengths.length;
  }

  /** The code length of a symbol, 0 when it has no code (or the code is the one-symbol code). */
  int length(int symbol) {
    return lengths[symbol];
  }

  /** Writes the code of one symbol. */
  void write(BitWriter out, int symbol) {
    out.write(reversedCodes[symbol], lengths[symbol]);
  }

  private static int[] huffmanLengths(long[] weights) {
    int n = weights.length;
    // Nodes 0..n-1 are the leaves; internal nodes follow. Ties are broken by node index so that the
    // same histogram always gives the same code.
    long[] weight = new long[2 * n];
    int[] parent = new int[2 * n];
    PriorityQueue<Integer> queue =
        new PriorityQueue<>(
            (a, b) -> weight[a] != weight[b] ? Long.compare(weight[a], weight[b]) : a - b);
    for (int i = 0; i < n; i++) {
      weight[i] = weights[i];
      if (weights[i] > 0) {
        queue.add(i);
      }
    }
    int next = n;
    while (queue.size() > 1) {
      int a = queue.remove();
      int b = queue.remove();
      weight[next] = weight[a] + weight[b];
      parent[a] = next;
      parent[b] = next;
      queue.add(next);
      next++;
    }
    int root = next - 1;
    int[] lengths = new int[n];
    for (int i = 0; i < n; i++) {
      if (weights[i] > 0) {
        int depth = 0;
        for (int node = i; node != root; node = parent[node]) {
          depth++;
        }
        lengths[i] = depth;
      }
    }
    return lengths;
  }

  private static int[] canonicalReversedCodes(int[] lengths) {
    int maxLength = 0;
    for (int length : lengths) {
      maxLength = Math.max(maxLength, length);
    }
    int[] countPerLength = new int[maxLength + 1];
    for (int length : lengths) {
      if (length > 0) {
        countPerLength[length]++;
      }
    }
    int[] nextCode = new int[maxLength + 2];
    int code = 0;
    for (int length = 1; length <= maxLength; length++) {
      code = (code + countPerLength[length - 1]) << 1;
      nextCode[length] = code;
    }
    int[] codes = new int[lengths.length];
    for (int symbol = 0; symbol < lengths.length; symbol++) {
      int length = lengths[symbol];
      if (length > 0) {
        codes[symbol] = Integer.reverse(nextCode[length]++) >>> (32 - length);
      }
    }
    return codes;
  }
}
