package org.studioworker.runtime.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.studioworker.gpu.GpuDevice;
import org.studioworker.gpu.GpuSelector;
import org.studioworker.runtime.config.WorkerConfig;

final class GpuPinsTest {
  private static final GpuDevice GPU_1 =
      new GpuDevice(1, "Small", "GPU-bbb", 8L << 30, null, null, null, null);

  @Test
  void theOptionWinsOverTheEnvironmentWhichWinsOverTheConfig() {
    WorkerConfig config = new WorkerConfig.Builder(WorkerConfig.defaults()).gpu("GPU-ccc").build();

    assertThat(GpuPins.fromOptionOrEnv("1", Map.of(GpuPins.ENV, "2")))
        .isEqualTo(new GpuPins.Request(new GpuSelector.Index(1), "--gpu 1"));
    assertThat(GpuPins.fromOptionOrEnv(null, Map.of(GpuPins.ENV, " 2 ")))
        .isEqualTo(new GpuPins.Request(new GpuSelector.Index(2), "STUDIO_WORKER_GPU=2"));
    assertThat(GpuPins.fromOptionOrEnv(null, Map.of(GpuPins.ENV, ""))).isNull();
    assertThat(GpuPins.configured(Map.of(), config))
        .isEqualTo(
            new GpuPins.Request(new GpuSelector.Uuid("GPU-ccc"), "config key gpu = GPU-ccc"));
    assertThat(GpuPins.configured(Map.of(), WorkerConfig.defaults())).isNull();
  }

  @Test
  void aSelectorThatIsNotAGpuIsNamedWithItsSource() {
    assertThatThrownBy(() -> GpuPins.fromOptionOrEnv(null, Map.of(GpuPins.ENV, "all")))
        .hasMessageStartingWith("STUDIO_WORKER_GPU=all: not a GPU");
  }

  @Test
  void eachPinnedWorkerHasItsOwnConfigFolder() {
    Map<String, String> env = Map.of("XDG_CONFIG_HOME", "/x", "HOME", "/h");

    assertThat(GpuPins.configPath(new GpuSelector.Index(3), env))
        .isEqualTo(Path.of("/x/minis-studio-worker/gpu-3/config.toml"));
    assertThat(GpuPins.configPath(new GpuSelector.Uuid("GPU-abc"), env))
        .isEqualTo(Path.of("/x/minis-studio-worker/gpu-GPU-abc/config.toml"));
  }

  @Test
  void aPinnedWorkerListensOn4787PlusItsIndexUnlessAPortIsSet() {
    WorkerConfig defaults = WorkerConfig.defaults();
    WorkerConfig withPort = new WorkerConfig.Builder(defaults).localApiPort(5000).build();

    assertThat(GpuPins.localApiPort(defaults, Map.of(), GPU_1)).isEqualTo(4788);
    assertThat(GpuPins.localApiPort(defaults, Map.of(), null)).isEqualTo(4787);
    assertThat(GpuPins.localApiPort(withPort, Map.of(), GPU_1)).isEqualTo(5000);
    assertThat(GpuPins.localApiPort(defaults, Map.of("STUDIO_WORKER_LOCAL_API_PORT", "0"), GPU_1))
        .isZero();
  }

  @Test
  void enginesSeeThePinnedGpuByUuidAndItsVulkanDeviceWhenKnown() {
    assertThat(GpuPins.processEnv(GPU_1, OptionalInt.empty()))
        .containsExactly(Map.entry("CUDA_VISIBLE_DEVICES", "GPU-bbb"));
    assertThat(GpuPins.processEnv(GPU_1, OptionalInt.of(0)))
        .containsOnly(
            Map.entry("CUDA_VISIBLE_DEVICES", "GPU-bbb"),
            Map.entry("GGML_VK_VISIBLE_DEVICES", "0"));
    assertThat(GpuPins.machineName("box", GPU_1)).isEqualTo("box GPU 1");
    assertThat(GpuPins.machineName("box", null)).isEqualTo("box");
  }
}
