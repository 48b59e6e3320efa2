package org.studioworker.runtime.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

final class DigestPipeTest {
  @Test
  @Timeout(30)
  void theDigestIsThatOfTheBytesInTheOrderHandedOverAndContinuesTheGivenState() throws Exception {
    byte[] data = new byte[200_003];
    new SplittableRandom(7).nextBytes(data);
    MessageDigest expected = MessageDigest.getInstance("SHA-256");
    expected.update(data);

    MessageDigest started = MessageDigest.getInstance("SHA-256");
    started.update(data, 0, 1000);
    byte[] got;
    try (DigestPipe pipe = new DigestPipe(started, 4096)) {
      // More buffers than the pipe has, so that they go round; a short last one.
      for (int from = 1000; from < data.length; from += 4096) {
        byte[] buffer = pipe.take();
        int n = Math.min(buffer.length, data.length - from);
        System.arraycopy(data, from, buffer, 0, n);
        pipe.hash(buffer, n);
      }
      got = pipe.digest();
    }

    assertThat(got).isEqualTo(expected.digest());
  }

  @Test
  @Timeout(30)
  void closeStopsAHasherThatWasNeverFinished() throws Exception {
    DigestPipe pipe = new DigestPipe(MessageDigest.getInstance("SHA-256"), 16);
    byte[] buffer = pipe.take();
    Arrays.fill(buffer, (byte) 1);
    pipe.hash(buffer, buffer.length);

    pipe.close();
    pipe.close();

    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(t -> t.getName().equals("model-sha256") && t.isAlive());
  }
}
