package org.studioworker.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class ConfigStoreTest {
  private static final String TOKEN = "tok-5f2a9c1e7b3d4a6f8e0c2b4d6f8a0c2e";

  @TempDir Path dir;

  @Test
  void missingFileIsCreatedWithDefaultsAndMode0600() throws Exception {
    ConfigStore store = new ConfigStore(dir.resolve("sub/config.toml"));

    ConfigStore.Loaded loaded = store.loadOrCreate(null);

    assertThat(loaded.created()).isTrue();
    assertThat(loaded.config()).isEqualTo(WorkerConfig.defaults());
    assertThat(Files.getPosixFilePermissions(store.path()))
        .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
    assertThat(store.loadOrCreate(null).created()).isFalse();
  }

  @Test
  void createdFileClampsThresholdToDetectedVram() throws Exception {
    ConfigStore store = new ConfigStore(dir.resolve("config.toml"));

    assertThat(store.loadOrCreate(8.0).config().vramThresholdGb()).isEqualTo(8.0);
  }

  @Test
  void everyKeySurvivesSaveAndLoad() throws Exception {
    ConfigStore store = new ConfigStore(dir.resolve("config.toml"));
    WorkerConfig config =
        new WorkerConfig.Builder(WorkerConfig.defaults())
            .apiBaseUrl("http://127.0.0.1:9/studio")
            .workerId("w-1")
            .authToken(TOKEN)
            .vramThresholdGb(10.5)
            .autoStart(false)
            .startMinimised(false)
            .autoUpdateEnabled(false)
            .autoUpdateIntervalSecs(60)
            .autoUpdateFeed("https://example.invalid/feed.json")
            .autoUpdatePrerelease(true)
            .modelsRoot("/srv/models \"quoted\"\\")
            .wsReconnectAttempts(3)
            .localApiPort(8123)
            .localApiToken("local-token-value")
            .installId("8a2e4c6f-0000-4000-8000-000000000001")
            .registrationRequestId("rr-1")
            .registrationSecret("ab".repeat(32))
            .drainTimeoutSecs(30)
            .build();

    store.save(config);

    assertThat(store.load()).isEqualTo(config);
  }

  @Test
  void absentOptionalKeysAreNotWritten() throws Exception {
    ConfigStore store = new ConfigStore(dir.resolve("config.toml"));
    store.save(WorkerConfig.defaults());

    String text = Files.readString(store.path());

    assertThat(text)
        .contains("api_base_url = \"https://studio.minis.gg/\"")
        .contains("vram_threshold_gb = 12.0")
        .doesNotContain("worker_id")
        .doesNotContain("auth_token")
        .doesNotContain("registration_secret")
        .doesNotContain("drain_timeout_secs");
  }

  @Test
  void legacyKeysAreAcceptedAndDroppedOnNextSave() throws Exception {
    Path file = dir.resolve("config.toml");
    Files.writeString(
        file,
        """
        api_base_url = "http://127.0.0.1:1/"
        legacy_gpu_name = "RTX"
        vram_threshold_gb = 8
        """);
    ConfigStore store = new ConfigStore(file);

    WorkerConfig config = store.load();
    store.save(config);

    assertThat(config.vramThresholdGb()).isEqualTo(8.0);
    assertThat(Files.readString(file)).doesNotContain("legacy_gpu_name");
  }

  @Test
  void brokenFileNamesFileAndLineButNeverEchoesTheToken() throws Exception {
    Path file = dir.resolve("config.toml");
    Files.writeString(
        file,
        "api_base_url = \"http://127.0.0.1:1/\"\nauth_token = \"" + TOKEN + "\" trailing junk\n");
    ConfigStore store = new ConfigStore(file);

    assertThatThrownBy(store::load)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("line 2")
        .satisfies(e -> assertThat(stackText(e)).doesNotContain(TOKEN));
  }

  @Test
  void wrongTypeNamesTheKeyButNotTheValue() throws Exception {
    Path file = dir.resolve("config.toml");
    Files.writeString(file, "auth_token = 12345678901\n");
    ConfigStore store = new ConfigStore(file);

    assertThatThrownBy(store::load)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("auth_token must be a string")
        .satisfies(e -> assertThat(stackText(e)).doesNotContain("12345678901"));
  }

  @Test
  void negativeThresholdIsRejectedWithTheKeyName() throws Exception {
    Path file = dir.resolve("config.toml");
    Files.writeString(file, "vram_threshold_gb = -1.0\n");

    assertThatThrownBy(() -> new ConfigStore(file).load())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("vram_threshold_gb");
  }

  @Test
  void unwritableFolderGivesAClearError() throws Exception {
    Path blocker = dir.resolve("blocked");
    Files.writeString(blocker, "a file where the folder should be");
    ConfigStore store = new ConfigStore(blocker.resolve("config.toml"));

    assertThatThrownBy(() -> store.save(WorkerConfig.defaults()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("cannot be written");
  }

  @Test
  void redactedTextHidesEverySecret() throws Exception {
    ConfigStore store = new ConfigStore(dir.resolve("config.toml"));
    WorkerConfig config =
        new WorkerConfig.Builder(WorkerConfig.defaults())
            .workerId("w-1")
            .authToken(TOKEN)
            .registrationSecret("cd".repeat(32))
            .localApiToken("local-api-token-1")
            .build();

    String text = store.redactedText(config);

    assertThat(text)
        .contains("worker_id = \"w-1\"")
        .contains("auth_token = \"<redacted>\"")
        .doesNotContain(TOKEN)
        .doesNotContain("cd".repeat(32))
        .doesNotContain("local-api-token-1");
    assertThat(config.toString()).doesNotContain(TOKEN);
  }

  private static String stackText(Throwable e) {
    StringBuilder out = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      out.append(t).append('\n');
    }
    return out.toString();
  }
}
