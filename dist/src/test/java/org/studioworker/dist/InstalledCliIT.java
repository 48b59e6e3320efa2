package org.studioworker.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.toml.TomlMapper;

/**
 * The command line as an operator meets it: {@code bin/studio-worker} of an installed archive, and
 * the repository's {@code ./studio-worker}, each a real process with the production logging. Exact
 * stdout, stderr and exit code; no JDK debug line, ever.
 */
final class InstalledCliIT {
  /** A start of the bundled runtime takes well under a second; this is for a loaded machine. */
  private static final Duration WAIT = Duration.ofSeconds(60);

  private static final String TOKEN = "tok-0123456789abcdef0123456789abcdef";

  @TempDir static Path shared;

  private static Path installed;
  private static String version;

  @TempDir Path dir;

  private record Answer(int code, String out, String err) {}

  @BeforeAll
  static void install() throws Exception {
    Path archive = PackagedInstall.archive();
    version = PackagedInstall.version(archive);
    Path root = shared.resolve("root");
    PackagedInstall.install(archive, shared.resolve("unpacked"), root);
    installed = root.resolve("current/bin/studio-worker");
  }

  private Answer run(Path launcher, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(launcher.toString()));
    command.addAll(List.of(args));
    Path out = dir.resolve("stdout");
    Path err = dir.resolve("stderr");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    Map<String, String> env = builder.environment();
    for (String name :
        List.of(
            "XDG_CONFIG_HOME",
            "STUDIO_WORKER_LOG",
            "STUDIO_WORKER_HOME",
            "STUDIO_WORKER_JAVA_OPTS",
            "JOURNAL_STREAM",
            "SENTRY_DSN")) {
      env.remove(name);
    }
    env.put("HOME", dir.toString());
    Process process = builder.start();
    boolean exited = process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS);
    if (!exited) {
      process.destroyForcibly();
    }
    Answer answer =
        new Answer(exited ? process.exitValue() : -1, Files.readString(out), Files.readString(err));
    assertThat(exited).as("exited in time: %s", answer).isTrue();
    assertThat(answer.out() + answer.err())
        .as("no debug line of the JDK or of Logback's default")
        .doesNotContain("DEBUG")
        .doesNotContain("Runtime.exit")
        .doesNotContain(TOKEN);
    return answer;
  }

  private Path config() {
    return dir.resolve("config.toml");
  }

  @Test
  void versionIsOneLineAndHelpIsOnStdout() throws Exception {
    assertThat(run(installed, "--version"))
        .isEqualTo(new Answer(0, "studio-worker " + version + " (development build)\n", ""));
    Answer help = run(installed, "--help");
    assertThat(help.code()).isZero();
    assertThat(help.err()).isEmpty();
    assertThat(help.out()).startsWith("Usage: studio-worker [-hV] [--config=PATH] [COMMAND]\n");
  }

  @Test
  void configOutputIsTomlThatParses() throws Exception {
    Files.writeString(
        config(), "worker_id = \"w-7\"\nauth_token = \"" + TOKEN + "\"\n", StandardCharsets.UTF_8);

    Answer answer = run(installed, "--config", config().toString(), "config");

    assertThat(answer.code()).isZero();
    assertThat(answer.err()).isEmpty();
    assertThat(answer.out()).startsWith("# " + config() + "\n");
    JsonNode toml = new TomlMapper().readTree(answer.out());
    assertThat(toml.get("worker_id").asString()).isEqualTo("w-7");
    assertThat(toml.get("auth_token").asString()).isEqualTo("<redacted>");
  }

  @Test
  void usageErrorsExitTwoWithNothingOnStdout() throws Exception {
    Answer verb = run(installed, "--config", config().toString(), "no-such-verb");
    assertThat(verb.code()).as("%s", verb).isEqualTo(2);
    assertThat(verb.out()).isEmpty();
    assertThat(verb.err())
        .startsWith("error: unknown command 'no-such-verb'\n")
        .contains("\nUsage: studio-worker ");

    assertThat(run(installed, "--config", config().toString(), "set-threshold", "abc"))
        .isEqualTo(new Answer(2, "", "error: the threshold must be a number of GB, like 10.5\n"));
  }

  @Test
  void brokenConfigExitsThreeWithFileAndLineAlsoThroughTheRunLoop() throws Exception {
    Files.writeString(config(), "auth_token = \"" + TOKEN + "\" junk\n", StandardCharsets.UTF_8);

    for (String verb : List.of("config", "run")) {
      Answer answer = run(installed, "--config", config().toString(), verb);

      assertThat(answer.code()).as("%s: %s", verb, answer).isEqualTo(3);
      assertThat(answer.out()).as(verb).isEmpty();
      assertThat(answer.err()).as(verb).contains(config().toString()).contains("line 1");
    }
  }

  @Test
  void statusOfTheInstalledWorker() throws Exception {
    Answer answer = run(installed, "--config", config().toString(), "status");

    assertThat(answer.code()).as("%s", answer).isZero();
    assertThat(answer.err()).isEmpty();
    assertThat(answer.out())
        .startsWith("studio-worker " + version + " (development build)\n")
        .contains("\nauto-update:     on, but no feed configured\n")
        .contains("\n  synthetic ");
  }

  @Test
  void theInstalledDaemonServesItsLocalApiToTheInstalledCommands() throws Exception {
    try (org.studioworker.devstudio.DevStudio studio =
        org.studioworker.devstudio.DevStudio.start()) {
      var worker = studio.createWorker();
      Files.writeString(
          config(),
          "api_base_url = \""
              + studio.baseUrl()
              + "\"\nworker_id = \""
              + worker.workerId()
              + "\"\nauth_token = \""
              + worker.authToken()
              + "\"\nlocal_api_port = 0\n",
          StandardCharsets.UTF_8);
      ProcessBuilder builder =
          new ProcessBuilder(installed.toString(), "--config", config().toString(), "run")
              .directory(dir.toFile())
              .redirectOutput(dir.resolve("daemon.out").toFile())
              .redirectError(dir.resolve("daemon.err").toFile());
      builder.environment().put("HOME", dir.toString());
      builder.environment().remove("XDG_CONFIG_HOME");
      builder.environment().remove("NOTIFY_SOCKET");
      Process daemon = builder.start();
      try {
        studio.awaitConnected(worker.workerId(), WAIT);
        Path discovery = dir.resolve("local-api.json");
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> Files.exists(discovery));

        Answer status = run(installed, "--config", config().toString(), "status");
        assertThat(status.code()).as("%s", status).isZero();
        assertThat(status.out())
            .contains("\ndaemon:          running (pid ")
            .contains("\n  session:       connected — ready for jobs\n");

        Answer paused = run(installed, "--config", config().toString(), "pause");
        assertThat(paused.code()).as("%s", paused).isZero();
        assertThat(paused.err()).isEmpty();
        studio.awaitFrame(
            worker.workerId(),
            f -> f.type().equals("heartbeat") && f.text().contains("\"autoEnabled\":false"),
            WAIT);

        String url =
            new tools.jackson.databind.json.JsonMapper()
                .readTree(Files.readString(discovery))
                .get("url")
                .asString();
        var health =
            java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1)
                .build()
                .send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(url + "/healthz"))
                        .build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).startsWith("{\"ok\":true,\"version\":\"" + version + "\"");
      } finally {
        daemon.destroy(); // SIGTERM to the launcher, which passes it on
      }
      assertThat(daemon.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(daemon.exitValue()).isZero();
      assertThat(dir.resolve("local-api.json")).doesNotExist();
      assertThat(Files.readString(dir.resolve("daemon.err")))
          .doesNotContain(worker.authToken())
          .doesNotContain("WARNING");
    }
  }

  /**
   * The repository's {@code ./studio-worker}, byte for byte, in a folder that holds this build's
   * {@code dist/target} and a fresh build stamp: it runs what {@code package} just made instead of
   * building again from inside the build.
   */
  @Test
  void repositoryScriptRunsTheBuiltLauncher() throws Exception {
    Path repository = Path.of("..").toAbsolutePath().normalize();
    Path target = Path.of("target").toAbsolutePath();
    Path checkout = dir.resolve("checkout");
    Files.createDirectories(checkout.resolve("scripts"));
    Files.createDirectories(checkout.resolve("dist/target"));
    Path script = checkout.resolve("studio-worker");
    Files.copy(repository.resolve("studio-worker"), script, StandardCopyOption.COPY_ATTRIBUTES);
    Files.copy(repository.resolve("scripts/jdk25.sh"), checkout.resolve("scripts/jdk25.sh"));
    link(checkout.resolve("dist/target/lib"), target.resolve("lib"));
    link(
        checkout.resolve("dist/target/studio-worker-dist.jar"),
        target.resolve("studio-worker-dist.jar"));
    Files.writeString(checkout.resolve("dist/target/.built"), "");

    assertThat(run(script, "--version"))
        .isEqualTo(new Answer(0, "studio-worker " + version + " (development build)\n", ""));
    Answer verb = run(script, "no-such-verb");
    assertThat(verb.code()).as("%s", verb).isEqualTo(2);
    assertThat(verb.out()).isEmpty();
    assertThat(verb.err()).startsWith("error: unknown command 'no-such-verb'\n");
  }

  private static void link(Path link, Path target) throws IOException {
    assertThat(target).as("built by package").exists();
    Files.createSymbolicLink(link, target);
  }
}
