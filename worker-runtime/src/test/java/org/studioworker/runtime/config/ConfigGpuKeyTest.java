package org.studioworker.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class ConfigGpuKeyTest {
  @TempDir Path dir;

  private WorkerConfig read(String toml) throws Exception {
    Path file = Files.writeString(dir.resolve("config.toml"), toml);
    return new ConfigStore(file).load();
  }

  @Test
  void anIndexMayBeANumberOrAStringAndAUuidAString() throws Exception {
    assertThat(read("gpu = 1\n").gpu()).isEqualTo("1");
    assertThat(read("gpu = \"2\"\n").gpu()).isEqualTo("2");
    assertThat(read("gpu = \"GPU-abc\"\n").gpu()).isEqualTo("GPU-abc");
    assertThat(read("vram_threshold_gb = 8.0\n").gpu()).isNull();
  }

  @Test
  void thePinSurvivesASaveAsTheOperatorWroteIt() throws Exception {
    ConfigStore store = new ConfigStore(dir.resolve("config.toml"));
    store.save(new WorkerConfig.Builder(WorkerConfig.defaults()).gpu("3").build());
    assertThat(Files.readString(store.path())).contains("\ngpu = 3\n");
    assertThat(store.load().gpu()).isEqualTo("3");

    store.save(new WorkerConfig.Builder(WorkerConfig.defaults()).gpu("GPU-abc").build());
    assertThat(Files.readString(store.path())).contains("\ngpu = \"GPU-abc\"\n");
  }

  @Test
  void aValueThatIsNotAGpuNamesTheKey() {
    assertThatThrownBy(() -> read("gpu = \"all\"\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("key gpu must be a GPU index");
    assertThatThrownBy(() -> read("gpu = -1\n")).isInstanceOf(ConfigException.class);
  }
}
