package org.studioworker.executors.synthetic;

import java.io.ByteArrayOutputStream;
import org.studioworker.spi.image.RiffWriter;

/**
 * Writes 16-bit mono PCM samples as a WAV file ({@code RIFF WAVE} with {@code fmt } and {@code
 * data}). Stateless and thread-safe.
 */
final class WavWriter {
  /** WAVE_FORMAT_PCM. */
  private static final int FORMAT_PCM = 1;

  private static final int CHANNELS = 1;
  private static final int BITS_PER_SAMPLE = 16;

  /** Why 2: one channel of 16 bits is two bytes a frame. */
  private static final int BLOCK_ALIGN = CHANNELS * BITS_PER_SAMPLE / 8;

  private WavWriter() {}

  /** A complete WAV file of these samples at {@code sampleRate} Hz. */
  static byte[] mono16(short[] samples, int sampleRate) {
    if (sampleRate < 1) {
      throw new IllegalArgumentException("sample rate must be positive, got " + sampleRate);
    }
    // fmt payload, 16 bytes: format tag, channels (16 bits each), sample rate, byte rate (32 bits
    // each), block align, bits per sample (16 bits each); all little-endian.
    ByteArrayOutputStream format = new ByteArrayOutputStream(16);
    RiffWriter.writeInt16(format, FORMAT_PCM);
    RiffWriter.writeInt16(format, CHANNELS);
    RiffWriter.writeInt32(format, sampleRate);
    RiffWriter.writeInt32(format, sampleRate * BLOCK_ALIGN);
    RiffWriter.writeInt16(format, BLOCK_ALIGN);
    RiffWriter.writeInt16(format, BITS_PER_SAMPLE);

    byte[] data = new byte[samples.length * BLOCK_ALIGN];
    for (int i = 0; i < samples.length; i++) {
      data[2 * i] = (byte) samples[i];
      data[2 * i + 1] = (byte) (samples[i] >> 8);
    }
    return new RiffWriter("WAVE")
        .chunk("fmt ", format.toByteArray())
        .chunk("data", data)
        .toByteArray();
  }
}
