package org.studioworker.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

final class GpuSelectorTest {
  private static GpuDevice gpu(int index, String uuid) {
    return new GpuDevice(index, "Fake", uuid, 1L << 30, null, null, null, null);
  }

  @Test
  void anIndexReadsAsAnIndex() {
    assertThat(GpuSelector.parse("0")).isEqualTo(new GpuSelector.Index(0));
    assertThat(GpuSelector.parse(" 12 ")).isEqualTo(new GpuSelector.Index(12));
    assertThat(GpuSelector.parse("3").text()).isEqualTo("3");
  }

  @Test
  void aUuidReadsAsAUuidAndMatchesWithoutRegardToCase() {
    GpuSelector selector = GpuSelector.parse("gpu-55555555-6666");

    assertThat(selector).isEqualTo(new GpuSelector.Uuid("gpu-55555555-6666"));
    assertThat(selector.matches(gpu(1, "GPU-55555555-6666"))).isTrue();
    assertThat(selector.matches(gpu(1, "GPU-00000000-1111"))).isFalse();
    assertThat(selector.matches(new GpuDevice(1, "no uuid", null, 1, null, null, null, null)))
        .isFalse();
  }

  @Test
  void anIndexMatchesByIndexOnly() {
    assertThat(GpuSelector.parse("1").matches(gpu(1, "GPU-a"))).isTrue();
    assertThat(GpuSelector.parse("1").matches(gpu(0, "GPU-a"))).isFalse();
  }

  @Test
  void anythingElseIsRefusedWithWhatIsExpected() {
    for (String bad : new String[] {"", " ", "-1", "one", "GPU-", "1.5", "99999999999", "0x1"}) {
      assertThatThrownBy(() -> GpuSelector.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("expected an index such as 0 or a UUID such as GPU-");
    }
  }
}
