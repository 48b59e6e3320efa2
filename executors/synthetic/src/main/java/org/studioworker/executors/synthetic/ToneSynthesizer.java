package org.studioworker.executors.synthetic;

/**
 * Synthesises a sine tone as 16-bit samples, with short fades so that it starts and stops without a
 * click.
 *
 * <p>Uses {@link StrictMath#sin}, whose results the JDK fixes bit for bit, so the samples are the
 * same on every JVM. Stateless and thread-safe.
 */
final class ToneSynthesizer {
  /** Half of full scale: clearly audible, far from clipping. */
  private static final double AMPLITUDE = 0.5 * Short.MAX_VALUE;

  /** Why 100: a 10 ms fade in and out at any rate (rate / 100 samples). */
  private static final int FADES_PER_SECOND = 100;

  /** Samples between two cancellation checks; 2 048 is about 0.1 s at 22 050 Hz. */
  private static final int CHECK_EVERY = 2048;

  private ToneSynthesizer() {}

  /**
   * {@code count} samples of a sine at {@code hertz}.
   *
   * @throws InterruptedException when the job is cancelled between two blocks of samples
   */
  static short[] sine(double hertz, int sampleRate, int count, Checkpoint checkpoint)
      throws InterruptedException {
    short[] samples = new short[count];
    int fade = Math.max(1, Math.min(sampleRate / FADES_PER_SECOND, count / 2));
    for (int i = 0; i < count; i++) {
      if (i % CHECK_EVERY == 0) {
        checkpoint.check();
      }
      double envelope = Math.min(1.0, Math.min(i, count - 1 - i) / (double) fade);
      double value = StrictMath.sin(2 * Math.PI * hertz * i / sampleRate);
      samples[i] = (short) Math.round(AMPLITUDE * envelope * value);
    }
    return samples;
  }
}
