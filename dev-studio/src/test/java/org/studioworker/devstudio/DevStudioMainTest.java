package org.studioworker.devstudio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

final class DevStudioMainTest {
  @Test
  void defaultsBindLoopbackOnThePortOfTheDemo() {
    DevStudio.Options options = DevStudioMain.parse(new String[0]);
    assertThat(options).isNotNull();
    assertThat(options.host()).isEqualTo("127.0.0.1");
    assertThat(options.port()).isEqualTo(DevStudioMain.DEFAULT_PORT);
    assertThat(options.autoApprove()).isFalse();
  }

  @Test
  void argumentsSetHostPortAndAutoApproval() {
    DevStudio.Options options =
        DevStudioMain.parse(new String[] {"--port", "0", "--host", "::1", "--auto-approve"});
    assertThat(options).isNotNull();
    assertThat(options.port()).isZero();
    assertThat(options.host()).isEqualTo("::1");
    assertThat(options.autoApprove()).isTrue();
  }

  @Test
  void badArgumentsAreRefusedWithTheirName() {
    assertThatThrownBy(() -> DevStudioMain.parse(new String[] {"--port", "many"}))
        .hasMessageContaining("--port");
    assertThatThrownBy(() -> DevStudioMain.parse(new String[] {"--port"}))
        .hasMessageContaining("--port");
    assertThatThrownBy(() -> DevStudioMain.parse(new String[] {"--verbose"}))
        .hasMessageContaining("--verbose");
    assertThatThrownBy(() -> DevStudioMain.parse(new String[] {"--port", "70000"}))
        .hasMessageContaining("port");
  }

  @Test
  void helpAsksForUsage() {
    assertThat(DevStudioMain.parse(new String[] {"--help"})).isNull();
  }
}
