package org.studioworker.executors.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import org.junit.jupiter.api.Test;

/** The fake LaMa that the packaged product's test serves is the one this writer writes. */
final class OnnxModelsTest {
  @Test
  void theCommittedWhiteFakeIsWhatTheWriterWrites() throws Exception {
    try (InputStream in = OnnxModelsTest.class.getResourceAsStream("/fake-lama-white.onnx")) {
      assertThat(in.readAllBytes()).isEqualTo(OnnxModels.fakeLama(0f, 255f));
    }
  }
}
