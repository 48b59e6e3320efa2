package org.studioworker.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

final class GpuSnapshotJsonTest {
  private static final Instant READ_AT = Instant.parse("2025-01-01T12:00:00Z");

  @Test
  void writesEveryKeyWithNullForUnknownValues() {
    GpuSnapshot snapshot =
        new GpuSnapshot(
            "nvml",
            List.of(
                new GpuDevice(
                    0,
                    "NVIDIA H100 80GB HBM3",
                    "GPU-1",
                    85520809984L,
                    84630831104L,
                    313196544L,
                    0,
                    31),
                new GpuDevice(1, "Other", null, 1024, null, null, null, null)),
            "550.54.15",
            null,
            READ_AT);

    assertThat(snapshot.toJson())
        .isEqualTo(
            "{\"source\":\"nvml\",\"driver\":\"550.54.15\",\"note\":null,"
                + "\"readAt\":\"2025-01-01T12:00:00Z\",\"gpus\":["
                + "{\"index\":0,\"name\":\"NVIDIA H100 80GB HBM3\",\"uuid\":\"GPU-1\","
                + "\"totalBytes\":85520809984,\"freeBytes\":84630831104,\"usedBytes\":313196544,"
                + "\"utilisationPercent\":0,\"temperatureCelsius\":31},"
                + "{\"index\":1,\"name\":\"Other\",\"uuid\":null,\"totalBytes\":1024,"
                + "\"freeBytes\":null,\"usedBytes\":null,\"utilisationPercent\":null,"
                + "\"temperatureCelsius\":null}]}");
  }

  @Test
  void noGpuSnapshotCarriesItsNote() {
    GpuSnapshot none = new NoGpuInventory("no NVML: libnvidia-ml.so.1 not found").snapshot();

    JsonNode json = JsonMapper.builder().build().readTree(none.toJson());

    assertThat(json.get("source").asString()).isEqualTo("none");
    assertThat(json.get("note").asString()).isEqualTo("no NVML: libnvidia-ml.so.1 not found");
    assertThat(json.get("driver").isNull()).isTrue();
    assertThat(json.get("gpus").isEmpty()).isTrue();
  }

  @Test
  void escapesQuotesBackslashesControlCharactersAndLoneSurrogates() {
    String name = "Fake \"Quoted\" GPU \\ tab\t nl\n bell\u0007 é 😀 \u2028 lone\uD800 end";
    GpuSnapshot snapshot =
        new GpuSnapshot(
            "nvml",
            List.of(new GpuDevice(0, name, "GPU-\u0000", 1, 1L, 0L, 1, 1)),
            null,
            "a\rb",
            READ_AT);

    String text = snapshot.toJson();
    JsonNode json = JsonMapper.builder().build().readTree(text);

    assertThat(text).contains("\\\"Quoted\\\"", "\\\\", "\\t", "\\n", "\\u0007", "\\u2028");
    assertThat(text).contains("\\ud800").contains("é 😀").doesNotContain("\u0007");
    JsonNode gpu = json.get("gpus").get(0);
    assertThat(gpu.get("name").asString()).isEqualTo(name);
    assertThat(gpu.get("uuid").asString()).isEqualTo("GPU-\u0000");
    assertThat(json.get("note").asString()).isEqualTo("a\rb");
  }
}
