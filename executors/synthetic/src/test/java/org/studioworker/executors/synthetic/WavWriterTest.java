package org.studioworker.executors.synthetic;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.Test;

final class WavWriterTest {

  @Test
  void samplesRoundTripThroughTheJdkAudioReader() throws Exception {
    short[] samples = {0, 1, -1, Short.MAX_VALUE, Short.MIN_VALUE, 12345, -12345};

    byte[] wav = WavWriter.mono16(samples, 22_050);

    try (AudioInputStream in = AudioSystem.getAudioInputStream(new ByteArrayInputStream(wav))) {
      AudioFormat format = in.getFormat();
      assertThat(format.getEncoding()).isEqualTo(AudioFormat.Encoding.PCM_SIGNED);
      assertThat(format.getSampleRate()).isEqualTo(22_050f);
      assertThat(format.getSampleSizeInBits()).isEqualTo(16);
      assertThat(format.getChannels()).isEqualTo(1);
      assertThat(format.isBigEndian()).isFalse();
      assertThat(in.getFrameLength()).isEqualTo(samples.length);
      byte[] data = in.readAllBytes();
      short[] decoded = new short[data.length / 2];
      for (int i = 0; i < decoded.length; i++) {
        decoded[i] = (short) ((data[2 * i] & 0xff) | data[2 * i + 1] << 8);
      }
      assertThat(decoded).containsExactly(samples);
    }
  }

  @Test
  void oddSizedDataChunkIsPaddedAndCountedInTheRiffSize() {
    // 16-bit samples are never odd, so check the framing of the container itself instead.
    byte[] wav = WavWriter.mono16(new short[3], 8_000);

    var chunks = RiffChunks.parseFile(wav, "WAVE");

    assertThat(chunks).extracting(RiffChunks.Chunk::id).containsExactly("fmt ", "data");
    assertThat(chunks.get(1).payload()).hasSize(6);
    assertThat(wav).hasSize(12 + 8 + 16 + 8 + 6);
  }
}
