package org.studioworker.executors.sdcpp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.studioworker.spi.UnsupportedJobException;

final class OutputFormatTest {
  @Test
  void theTasksExtNamesTheFormatInAnyCase() throws Exception {
    assertThat(OutputFormat.forExt("png")).isEqualTo(OutputFormat.PNG);
    assertThat(OutputFormat.forExt("WebP")).isEqualTo(OutputFormat.WEBP);
    assertThat(OutputFormat.forExt("jpg")).isEqualTo(OutputFormat.JPEG);
    assertThat(OutputFormat.forExt("jpeg")).isEqualTo(OutputFormat.JPEG);
    assertThatThrownBy(() -> OutputFormat.forExt("mp4"))
        .isInstanceOf(UnsupportedJobException.class)
        .hasMessageContaining("\"mp4\"");
  }

  @Test
  void recognisesEachFormatByItsMagicOnly() {
    assertThat(OutputFormat.of(StandInSdCli.PNG)).isEqualTo(OutputFormat.PNG);
    assertThat(OutputFormat.of(StandInSdCli.WEBP)).isEqualTo(OutputFormat.WEBP);
    assertThat(OutputFormat.of(StandInSdCli.JPEG)).isEqualTo(OutputFormat.JPEG);
    assertThat(OutputFormat.of(StandInSdCli.NOT_AN_IMAGE)).as("RIFF but WAVE").isNull();
    assertThat(OutputFormat.of(new byte[] {(byte) 0x89, 'P', 'N', 'G'})).as("cut short").isNull();
    assertThat(OutputFormat.of(new byte[] {'R', 'I', 'F', 'F'})).isNull();
    assertThat(OutputFormat.of(new byte[0])).isNull();
  }
}
