package org.studioworker.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.studioworker.runtime.config.ConfigStore;
import org.studioworker.runtime.config.WorkerConfig;
import org.studioworker.runtime.daemon.ExitCodes;
import picocli.CommandLine;

/** {@code register --api-base-url}: credentials never travel to another host. */
final class RegisterCommandTest {
  private static final String TOKEN = "tok-0123456789abcdef0123456789abcdef";
  private static final String SECRET = "ab".repeat(32);
  private static final String INSTALL_ID = "8a2e4c6f-0000-4000-8000-000000000001";

  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine line = StudioWorkerCommand.commandLine(Map.of("HOME", dir.toString()));
    line.setOut(new PrintWriter(out, true));
    line.setErr(new PrintWriter(err, true));
    line.getCommandSpec().exitCodeOnInvalidInput(ExitCodes.USAGE);
    return line.execute(args);
  }

  private Path config() {
    return dir.resolve("config.toml");
  }

  private void saveRegisteredAt(String apiBaseUrl) throws Exception {
    new ConfigStore(config())
        .save(
            new WorkerConfig.Builder(WorkerConfig.defaults())
                .apiBaseUrl(apiBaseUrl)
                .workerId("w-7")
                .authToken(TOKEN)
                .installId(INSTALL_ID)
                .registrationRequestId("rr-1")
                .registrationSecret(SECRET)
                .build());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://other.example/", // another host
        "http://studio.example/", // another scheme
        "https://studio.example:8443/", // another port
      })
  void anotherOriginClearsTheRegistrationButKeepsTheInstallId(String url) throws Exception {
    saveRegisteredAt("https://studio.example/");

    assertThat(run("--config", config().toString(), "register", "--api-base-url", url)).isZero();

    WorkerConfig saved = new ConfigStore(config()).load();
    assertThat(saved.apiBaseUrl()).isEqualTo(url);
    assertThat(saved.workerId()).isNull();
    assertThat(saved.authToken()).isNull();
    assertThat(saved.registrationRequestId()).isNull();
    assertThat(saved.registrationSecret()).isNull();
    assertThat(saved.installId()).isEqualTo(INSTALL_ID);
    assertThat(Files.readString(config())).doesNotContain(TOKEN).doesNotContain(SECRET);
    String origin = url.substring(0, url.length() - 1);
    assertThat(out.toString())
        .contains(
            "the studio changed from https://studio.example to "
                + origin
                + ": the old registration was cleared; the worker will ask to join again.")
        .doesNotContain("registered as");
    assertThat(out.toString() + err).doesNotContain(TOKEN).doesNotContain(SECRET);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://studio.example",
        "https://studio.example/graphics/api/",
        "https://STUDIO.example:443/",
        "wss://studio.example/",
        "https://studio.example/studio/",
      })
  void theSameOriginKeepsTheRegistration(String url) throws Exception {
    saveRegisteredAt("https://studio.example/");

    assertThat(run("--config", config().toString(), "register", "--api-base-url", url)).isZero();

    WorkerConfig saved = new ConfigStore(config()).load();
    assertThat(saved.apiBaseUrl()).isEqualTo(url);
    assertThat(saved.workerId()).isEqualTo("w-7");
    assertThat(saved.authToken()).isEqualTo(TOKEN);
    assertThat(saved.registrationRequestId()).isEqualTo("rr-1");
    assertThat(saved.registrationSecret()).isEqualTo(SECRET);
    assertThat(saved.installId()).isEqualTo(INSTALL_ID);
    assertThat(out.toString()).doesNotContain("studio changed").contains("registered as w-7.");
  }

  @Test
  void anotherOriginWithNothingToClearSaysNothingAboutIt() throws Exception {
    new ConfigStore(config()).save(WorkerConfig.defaults());

    assertThat(
            run(
                "--config",
                config().toString(),
                "register",
                "--api-base-url",
                "http://127.0.0.1:8787/"))
        .isZero();

    assertThat(new ConfigStore(config()).load().apiBaseUrl()).isEqualTo("http://127.0.0.1:8787/");
    assertThat(out.toString()).doesNotContain("studio changed").contains("not registered yet");
  }

  @Test
  void anUnreadableSavedUrlCountsAsAnotherOrigin() throws Exception {
    saveRegisteredAt("not a url");

    assertThat(
            run(
                "--config",
                config().toString(),
                "register",
                "--api-base-url",
                "https://studio.example/"))
        .isZero();

    assertThat(new ConfigStore(config()).load().authToken()).isNull();
    assertThat(out.toString())
        .contains("the studio changed from an unreadable api_base_url to https://studio.example:");
  }

  @Test
  void aValueTheFileCannotHoldIsExitCodeThreeWithTheLine() throws Exception {
    Files.writeString(
        config(),
        "auth_token = \"" + TOKEN + "\"\nvram_threshold_gb = 1e400\nlocal_api_port = 7\n");

    assertThat(run("--config", config().toString(), "register")).isEqualTo(ExitCodes.CONFIG);

    assertThat(err.toString())
        .contains("config file " + config() + ", line 2: key vram_threshold_gb must be a number");
    assertThat(err.toString().replace(config().toString(), "") + out)
        .doesNotContain(TOKEN)
        .doesNotContain("1e400")
        .doesNotContain("400");
  }
}
