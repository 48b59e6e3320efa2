package org.studioworker.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

final class EngineIdTest {
  @Test
  void constantsInitialiseWithTheirWireNames() {
    assertThat(EngineId.SYNTHETIC.name()).isEqualTo("synthetic");
    assertThat(EngineId.SD_CPP.name()).isEqualTo("sd-cpp");
    assertThat(EngineId.LLAMA_CPP.name()).isEqualTo("llama-cpp");
    assertThat(EngineId.ONNX.name()).isEqualTo("onnx");
    assertThat(EngineId.PARAKEET.name()).isEqualTo("parakeet");
  }

  @Test
  void unknownButWellFormedEnginesAreValues() {
    assertThat(new EngineId("comfy-ui")).isEqualTo(new EngineId("comfy-ui"));
  }

  @Test
  void malformedNamesAreRejected() {
    assertThatThrownBy(() -> new EngineId("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new EngineId("Sd Cpp")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new EngineId("x".repeat(65)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
