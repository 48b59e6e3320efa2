package org.studioworker.spi.image;

import java.util.Arrays;

/**
 * A growable sink of bits, packed least-significant bit first, as the VP8L bitstream wants them.
 *
 * <p>Not thread-safe.
 */
final class BitWriter {
  private byte[] buffer;

  /** Complete bytes in {@link #buffer}. */
  private int size;

  /**
   * Bits not yet written to {@link #buffer}, the oldest in bit 0; always fewer than 8 between
   * calls.
   */
  private long pending;

  /** How many bits {@link #pending} holds, 0..7 between calls. */
  private int pendingCount;

  BitWriter(int expectedBytes) {
    buffer = new byte[Math.max(16, expectedBytes)];
  }

  /**
   * Appends the low {@code count} bits of {@code value}, lowest first.
   *
   * @param count 0..32
   */
  void write(int value, int count) {
    if (count < 0 || count > 32) {
      throw new IllegalArgumentException("bit count must be 0..32, got " + count);
    }
    // Why a long: up to 7 pending bits plus 32 new ones is 39 bits, more than an int holds.
    long bits = (value & 0xFFFF_FFFFL) & ((1L << count) - 1);
    pending |= bits << pendingCount;
    pendingCount += count;
    while (pendingCount >= 8) {
      append((byte) pending);
      pending >>>= 8;
      pendingCount -= 8;
    }
  }

  /** The bits written so far; the last byte is padded with zero bits. */
  byte[] toByteArray() {
    byte[] bytes = Arrays.copyOf(buffer, size + (pendingCount > 0 ? 1 : 0));
    if (pendingCount > 0) {
      bytes[size] = (byte) pending;
    }
    return bytes;
  }

  private void append(byte b) {
    if (size == buffer.length) {
      buffer = Arrays.copyOf(buffer, Math.addExact(buffer.length, buffer.length >> 1));
    }
    buffer[size++] = b;
  }
}
