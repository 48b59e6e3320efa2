package org.studioworker.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.runtime.config.ConfigStore;
import org.studioworker.runtime.config.WorkerConfig;
import org.studioworker.runtime.daemon.ExitCodes;
import picocli.CommandLine;

final class CliTest {
  private static final String TOKEN = "tok-0123456789abcdef0123456789abcdef";

  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine line = StudioWorkerCommand.commandLine(Map.of("HOME", dir.toString()));
    line.setOut(new PrintWriter(out, true));
    line.setErr(new PrintWriter(err, true));
    return line.execute(args);
  }

  private Path config() {
    return dir.resolve("config.toml");
  }

  @Test
  void versionPrintsTheVersion() {
    assertThat(run("--version")).isZero();
    assertThat(out.toString()).startsWith("studio-worker ");
  }

  @Test
  void configShowsPathThenTomlWithSecretsRedacted() throws Exception {
    new ConfigStore(config()).save(WorkerConfig.defaults().withCredentials("w-7", TOKEN));

    assertThat(run("--config", config().toString(), "config")).isZero();

    assertThat(out.toString())
        .startsWith("# " + config())
        .contains("worker_id = \"w-7\"")
        .contains("auth_token = \"<redacted>\"")
        .doesNotContain(TOKEN);
  }

  @Test
  void setThresholdSavesANumberAndRejectsNegativesAndWords() throws Exception {
    assertThat(run("--config", config().toString(), "set-threshold", "10.5")).isZero();
    assertThat(new ConfigStore(config()).load().vramThresholdGb()).isEqualTo(10.5);

    assertThat(run("--config", config().toString(), "set-threshold", "--", "-1"))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(run("--config", config().toString(), "set-threshold", "lots"))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("must be");
    assertThat(new ConfigStore(config()).load().vramThresholdGb()).isEqualTo(10.5);
  }

  @Test
  void registerSavesTheUrlAndResetForgetsTheIdentity() throws Exception {
    new ConfigStore(config())
        .save(
            WorkerConfig.defaults()
                .withCredentials("w-7", TOKEN)
                .withRegistration("8a2e4c6f-0000-4000-8000-000000000001", null, null));

    assertThat(
            run(
                "--config",
                config().toString(),
                "register",
                "--api-base-url",
                "http://127.0.0.1:8787/",
                "--reset"))
        .isZero();

    WorkerConfig saved = new ConfigStore(config()).load();
    assertThat(saved.apiBaseUrl()).isEqualTo("http://127.0.0.1:8787/");
    assertThat(saved.workerId()).isNull();
    assertThat(saved.authToken()).isNull();
    assertThat(saved.installId()).isNull();
    assertThat(saved.registrationRequestId()).isNull();
    assertThat(saved.registrationSecret()).isNull();
  }

  @Test
  void registerRefusesAUrlWithAnUnsupportedScheme() {
    assertThat(run("--config", config().toString(), "register", "--api-base-url", "ftp://x/"))
        .isEqualTo(ExitCodes.CONFIG);
    assertThat(err.toString()).contains("ftp");
  }

  @Test
  void statusListsSettingsWithoutSecrets() throws Exception {
    new ConfigStore(config()).save(WorkerConfig.defaults().withCredentials("w-7", TOKEN));

    assertThat(run("--config", config().toString(), "status")).isZero();

    assertThat(out.toString())
        .contains("config:          " + config())
        .contains("studio:          https://studio.minis.gg/graphics/api")
        .contains("registration:    approved as w-7")
        .contains("vram threshold:  12.0 GB")
        .contains("auto-update:     on, but no feed configured\n")
        .contains("engines:")
        .contains("gpus:")
        .doesNotContain(TOKEN);
  }

  @Test
  void statusSaysAutoUpdateIsOnOnlyWhenAFeedIsConfigured() throws Exception {
    Files.writeString(
        config(),
        "auto_update_feed = \"https://feed.example/releases.json\"\nauto_update_prerelease = true\n");
    assertThat(run("--config", config().toString(), "status")).isZero();
    assertThat(out.toString())
        .contains(
            "auto-update:     on, every 1800 s, feed https://feed.example/releases.json,"
                + " prereleases included\n");

    out.getBuffer().setLength(0);
    Files.writeString(config(), "auto_update_enabled = false\n");
    assertThat(run("--config", config().toString(), "status")).isZero();
    assertThat(out.toString()).contains("auto-update:     off\n");
  }

  @Test
  void brokenConfigIsExitCodeThreeAndNeverEchoesTheToken() throws Exception {
    Files.writeString(config(), "auth_token = \"" + TOKEN + "\" junk\n");

    assertThat(run("--config", config().toString(), "config")).isEqualTo(ExitCodes.CONFIG);

    assertThat(err.toString()).contains(config().toString()).contains("line 1");
    assertThat(err.toString() + out).doesNotContain(TOKEN);
  }

  @Test
  void gpuJsonPrintsTheInventoryEvenWithoutAGpu() {
    assertThat(run("gpu", "--json")).isZero();

    assertThat(out.toString().strip())
        .startsWith("{")
        .endsWith("}")
        .contains("\"source\":")
        .contains("\"gpus\":[");
  }

  @Test
  void unknownOptionIsAUsageError() {
    assertThat(run("--frobnicate")).isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void unknownVerbAndMissingArgumentAreUsageErrorsOnStderrOnly() {
    assertThat(run("--config", config().toString(), "no-such-verb")).isEqualTo(ExitCodes.USAGE);
    assertThat(run("--config", config().toString(), "set-threshold")).isEqualTo(ExitCodes.USAGE);

    assertThat(out.toString()).isEmpty();
    assertThat(err.toString())
        .startsWith("error: unknown command 'no-such-verb'\n")
        .contains("error: missing required parameter: 'GB'\n")
        .contains("Usage: studio-worker set-threshold [--config=PATH] GB\n")
        .contains("Run `studio-worker help set-threshold` for its options.\n");
  }
}
