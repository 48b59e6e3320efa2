package org.studioworker.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;

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
            .onlyWhenIdle(true)
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
  void onlyWhenIdleIsReadWithoutWarningAndWrittenBack() throws Exception {
    Path file = dir.resolve("config.toml");
    Files.writeString(
        file,
        """
        api_base_url = "http://127.0.0.1:1/"
        only_when_idle = true
        vram_threshold_gb = 8
        """);
    ConfigStore store = new ConfigStore(file);

    ConfigStore.Loaded loaded = store.read();
    store.save(loaded.config().withVramThresholdGb(9));

    assertThat(loaded.config().onlyWhenIdle()).isTrue();
    assertThat(loaded.warnings()).isEmpty();
    assertThat(Files.readString(file)).contains("only_when_idle = true\n");
    assertThat(store.load().onlyWhenIdle()).isTrue();
  }

  @Test
  void onlyWhenIdleIsOffByDefaultAndWrittenAsFalse() throws Exception {
    ConfigStore store = new ConfigStore(dir.resolve("config.toml"));
    store.save(WorkerConfig.defaults());

    assertThat(WorkerConfig.defaults().onlyWhenIdle()).isFalse();
    assertThat(Files.readString(dir.resolve("config.toml"))).contains("only_when_idle = false\n");
  }

  @Test
  void onlyWhenIdleOfTheWrongTypeIsRefusedByName() throws Exception {
    Path file = dir.resolve("config.toml");
    Files.writeString(file, "only_when_idle = \"yes\"\n");

    assertThatThrownBy(() -> new ConfigStore(file).load())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("only_when_idle")
        .hasMessageContaining("must be true or false");
  }

  @Test
  void misspelledKeyIsWarnedOfOnceWithItsLineButNotItsValue() throws Exception {
    Path file = dir.resolve("config.toml");
    Files.writeString(
        file,
        """
        api_base_url = "http://127.0.0.1:1/"
        auth_tokn = "%s"
        # vram_treshold_gb below is a typo
        vram_treshold_gb = 8.0
        only_when_idle = false
        [extra]
        worker_id = "inside a table"
        """
            .formatted(TOKEN));
    ConfigStore store = new ConfigStore(file);
    ListAppender<ILoggingEvent> logged = recordConfigLogger();
    List<String> warnings;
    try {
      warnings = store.read().warnings();
      store.load();
      store.loadOrCreate(null);
    } finally {
      stopRecording(logged);
    }

    assertThat(warnings)
        .containsExactly(
            "config file "
                + file
                + ", line 2: unknown key auth_tokn is ignored, and the next"
                + " save drops it",
            "config file "
                + file
                + ", line 4: unknown key vram_treshold_gb is ignored, and the"
                + " next save drops it",
            "config file "
                + file
                + ", line 6: unknown key extra is ignored, and the next save"
                + " drops it");
    assertThat(logged.list)
        .extracting(ILoggingEvent::getFormattedMessage)
        .containsExactlyElementsOf(warnings);
    assertThat(logged.list)
        .allSatisfy(e -> assertThat(e.getLevel()).isEqualTo(Level.WARN))
        .allSatisfy(e -> assertThat(e.getLoggerName()).isEqualTo("config"));
    assertThat(String.join("\n", warnings)).doesNotContain(TOKEN).doesNotContain("8.0");
  }

  @Test
  void unknownKeyWithAQuotedNameIsPlacedButNotEchoed() throws Exception {
    Path file = dir.resolve("config.toml");
    Files.writeString(file, "\"" + TOKEN + " pasted\" = 1\n");

    List<String> warnings = new ConfigStore(file).read().warnings();

    assertThat(warnings)
        .singleElement()
        .asString()
        .contains("line 1")
        .contains("(a quoted name)")
        .doesNotContain(TOKEN);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "vram_threshold_gb = 1e400 | vram_threshold_gb must be a number of at least 0 | 1e400",
        "vram_threshold_gb = -1.5 | vram_threshold_gb must be a number of at least 0 | 1.5",
        "vram_threshold_gb = inf | vram_threshold_gb must be a number of at least 0 | inf",
        "vram_threshold_gb = nan | vram_threshold_gb must be a number of at least 0 | nan",
        "vram_threshold_gb = 'twelve' | vram_threshold_gb must be a number | twelve",
        "vram_margin_gb = 1e999 | vram_margin_gb must be a number of at least 0 | 1e999",
        "ws_reconnect_attempts = 123456789012345678901234567890 | ws_reconnect_attempts must be a"
            + " whole number of at least 0 | 1234567890",
        "ws_reconnect_attempts = -3 | ws_reconnect_attempts must be a whole number | -3",
        "ws_reconnect_attempts = 2.5 | ws_reconnect_attempts must be a whole number | 2.5",
        "local_api_port = 123456789012345678901234567890 | local_api_port must be a whole number"
            + " from 0 to 65535 | 1234567890",
        "local_api_port = 65536 | local_api_port must be a whole number from 0 to 65535 | 65536",
        "local_api_port = 'eighty' | local_api_port must be a whole number | eighty",
        "auto_update_interval_secs = 0 | auto_update_interval_secs must be a whole number of at"
            + " least 1 | = 0",
        "auto_update_interval_secs = 99999999999999999999 | auto_update_interval_secs must be a"
            + " whole number | 99999999999",
        "drain_timeout_secs = -1 | drain_timeout_secs must be a whole number of at least 0 | -1",
        "auto_start = 'yes' | auto_start must be true or false | yes",
        "models_root = 42 | models_root must be a string | 42",
      })
  void valueTheFileCannotHoldNamesFileLineAndKeyButNotTheValue(
      String line, String expected, String value) throws Exception {
    Path file = dir.resolve("config.toml");
    Files.writeString(file, "api_base_url = \"http://127.0.0.1:1/\"\n\n" + line + "\n");

    assertThatThrownBy(() -> new ConfigStore(file).load())
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("config file " + file + ", line 3: ")
        .hasMessageContaining(expected)
        // The folder's random name could hold the digits; the rest of the message must not.
        .satisfies(
            e -> assertThat(stackText(e).replace(file.toString(), "")).doesNotContain(value));
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

  private static ListAppender<ILoggingEvent> recordConfigLogger() {
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    ((Logger) LoggerFactory.getLogger("config")).addAppender(appender);
    return appender;
  }

  private static void stopRecording(ListAppender<ILoggingEvent> appender) {
    ((Logger) LoggerFactory.getLogger("config")).detachAppender(appender);
    appender.stop();
  }

  private static String stackText(Throwable e) {
    StringBuilder out = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      out.append(t).append('\n');
    }
    return out.toString();
  }
}
