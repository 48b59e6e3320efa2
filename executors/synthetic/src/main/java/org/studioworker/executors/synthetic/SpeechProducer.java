package org.studioworker.executors.synthetic;

import org.studioworker.spi.JobResult;

/**
 * Produces an {@code audio_tts} job's speech: one second of a sine tone as a 16-bit mono WAV at 22
 * 050 Hz, whatever extension the task asked for (the result says {@code wav}).
 */
final class SpeechProducer {
  static final int SAMPLE_RATE = 22_050;

  /** One second. */
  static final int SAMPLES = SAMPLE_RATE;

  /** The tone is a whole number of hertz from 220 (A3) to 880 (A5): whole cycles in one second. */
  static final int LOWEST_HERTZ = 220;

  static final int HIGHEST_HERTZ = 880;

  private SpeechProducer() {}

  static JobResult produce(InputHash hash, Checkpoint checkpoint) throws InterruptedException {
    short[] samples = ToneSynthesizer.sine(hertz(hash), SAMPLE_RATE, SAMPLES, checkpoint);
    checkpoint.check();
    return new JobResult.Binary(WavWriter.mono16(samples, SAMPLE_RATE), "wav");
  }

  /** The tone's frequency for an input. */
  static int hertz(InputHash hash) {
    return LOWEST_HERTZ + hash.pick(0, HIGHEST_HERTZ - LOWEST_HERTZ + 1);
  }
}
