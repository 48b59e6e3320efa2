package org.studioworker.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.devstudio.DevStudio;
import org.studioworker.devstudio.PendingRequest;
import org.studioworker.runtime.Version;
import org.studioworker.runtime.daemon.ChildWorker;
import org.studioworker.runtime.daemon.ExitCodes;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.toml.TomlMapper;

/**
 * Each verb of the README as a real process on the module path, as the launchers run it, with the
 * production logging (this module has no logback-test.xml): the exact stdout, stderr and exit code.
 * stdout carries the answer alone; no JDK debug line ever appears.
 */
final class CliProcessTest {
  /** A JVM start plus at most two reconnect backoffs of the standard schedule (1 s, 2 s). */
  private static final Duration WAIT = Duration.ofSeconds(60);

  private static final String TOKEN = "tok-0123456789abcdef0123456789abcdef";

  @TempDir Path dir;

  private record Answer(int code, String out, String err) {}

  private Path config() {
    return dir.resolve("config.toml");
  }

  private ProcessBuilder worker(String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(
        List.of(
            "-XX:+UseSerialGC",
            "-Xshare:auto",
            "--enable-native-access=org.studioworker.gpu,org.studioworker.runtime",
            "--module-path",
            String.join(
                File.pathSeparator,
                ChildWorker.runtimeModulePath().stream().map(Path::toString).toList()),
            "-m",
            "org.studioworker.runtime/org.studioworker.runtime.Main"));
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectOutput(dir.resolve("stdout").toFile())
            .redirectError(dir.resolve("stderr").toFile());
    Map<String, String> environment = builder.environment();
    for (String name :
        List.of(
            "XDG_CONFIG_HOME",
            "STUDIO_WORKER_LOG",
            "STUDIO_WORKER_HOME",
            "JOURNAL_STREAM",
            "SENTRY_DSN")) {
      environment.remove(name);
    }
    environment.put("HOME", dir.toString());
    return builder;
  }

  private Answer answerOf(Process process) throws Exception {
    boolean exited = process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS);
    if (!exited) {
      process.destroyForcibly();
    }
    Answer answer =
        new Answer(
            exited ? process.exitValue() : -1,
            Files.readString(dir.resolve("stdout")),
            Files.readString(dir.resolve("stderr")));
    assertThat(exited).as("exited in time: %s", answer).isTrue();
    assertThat(answer.out() + answer.err())
        .as("no debug line of the JDK or of Logback's default")
        .doesNotContain("DEBUG")
        .doesNotContain("Runtime.exit")
        .doesNotContain("jdk.event.security")
        .doesNotContain(TOKEN);
    return answer;
  }

  private Answer run(String... args) throws Exception {
    return answerOf(worker(args).start());
  }

  private void writeConfig(String toml) throws IOException {
    Files.writeString(config(), toml, StandardCharsets.UTF_8);
  }

  @Test
  void versionPrintsExactlyOneLine() throws Exception {
    assertThat(run("--version"))
        .isEqualTo(new Answer(0, "studio-worker " + Version.describe() + "\n", ""));
  }

  @Test
  void helpAndTheHelpVerbPrintTheSameUsageOnStdout() throws Exception {
    Answer help = run("--help");

    assertThat(help.code()).isZero();
    assertThat(help.err()).isEmpty();
    assertThat(help.out())
        .startsWith("Usage: studio-worker [-hV] [--config=PATH] [COMMAND]\n")
        .contains("  run ", "  register ", "  status ", "  config ", "  gpu ", "  set-threshold ")
        .contains("  check-update ", "  pause ", "  resume ", "  logs ", "  ui ", "  demo ")
        .contains("  dev-studio ");
    assertThat(run("help")).isEqualTo(help);
  }

  @Test
  void uiWithoutTheDesktopModuleSaysSoInOneLine() throws Exception {
    // This JVM's module path has the runtime but not the ui module (an installation without it).
    assertThat(run("--config", config().toString(), "ui"))
        .isEqualTo(
            new Answer(
                ExitCodes.FAILURE,
                "",
                "error: the desktop UI is not part of this installation (no module provides it)\n"));
  }

  @Test
  void configPrintsItsPathAndTomlThatParsesWithSecretsRedacted() throws Exception {
    writeConfig("worker_id = \"w-7\"\nauth_token = \"" + TOKEN + "\"\nvram_threshold_gb = 8.0\n");

    Answer answer = run("--config", config().toString(), "config");

    assertThat(answer.code()).isZero();
    assertThat(answer.err()).isEmpty();
    assertThat(answer.out()).startsWith("# " + config() + "\n");
    JsonNode toml = new TomlMapper().readTree(answer.out());
    assertThat(toml.get("worker_id").asString()).isEqualTo("w-7");
    assertThat(toml.get("auth_token").asString()).isEqualTo("<redacted>");
    assertThat(toml.get("vram_threshold_gb").asDouble()).isEqualTo(8.0);
  }

  @Test
  void usageErrorsExitTwoWithTheMessageAndSynopsisOnStderrOnly() throws Exception {
    String cfg = config().toString();
    Map<List<String>, String> cases =
        Map.of(
            List.of("--config", cfg, "no-such-verb"),
            "error: unknown command 'no-such-verb'\n",
            List.of("--frobnicate"),
            "error: unknown option: '--frobnicate'\n",
            List.of("--config", cfg, "set-threshold"),
            "error: missing required parameter: 'GB'\n",
            List.of("--config", cfg, "set-threshold", "abc"),
            "error: the threshold must be a number of GB, like 10.5\n");
    for (Map.Entry<List<String>, String> usage : cases.entrySet()) {
      Answer answer = run(usage.getKey().toArray(String[]::new));

      assertThat(answer.code()).as("%s: %s", usage.getKey(), answer).isEqualTo(ExitCodes.USAGE);
      assertThat(answer.out()).as("%s", usage.getKey()).isEmpty();
      assertThat(answer.err()).as("%s", usage.getKey()).startsWith(usage.getValue());
    }
    assertThat(config()).as("no usage error writes the config").doesNotExist();
    Answer unknown = run("no-such-verb");
    assertThat(unknown.err())
        .contains("\nUsage: studio-worker [-hV] [--config=PATH] [COMMAND]\n")
        .endsWith("Run `studio-worker --help` for the commands and options.\n");
  }

  @Test
  void setThresholdAndRegisterAnswerOnStdoutAndSave() throws Exception {
    String cfg = config().toString();

    assertThat(run("--config", cfg, "set-threshold", "10.5"))
        .isEqualTo(new Answer(0, "vram_threshold_gb = 10.5 (was 12.0)\n", ""));
    assertThat(run("--config", cfg, "register", "--api-base-url", "http://127.0.0.1:8787/"))
        .isEqualTo(
            new Answer(
                0,
                "config: "
                    + cfg
                    + "\nstudio: http://127.0.0.1:8787/graphics/api\n"
                    + "not registered yet: `studio-worker run` asks the studio to join; an"
                    + " operator then approves the request.\n",
                ""));
  }

  @Test
  void brokenConfigExitsThreeNamingFileAndLineButNotTheValue() throws Exception {
    writeConfig("auth_token = \"" + TOKEN + "\" junk\n");
    String cfg = config().toString();

    for (List<String> verb :
        List.of(
            List.of("config"), List.of("status"), List.of("set-threshold", "1"), List.of("run"))) {
      List<String> args = new ArrayList<>(List.of("--config", cfg));
      args.addAll(verb);
      Answer answer = run(args.toArray(String[]::new));

      assertThat(answer.code()).as("%s: %s", verb, answer).isEqualTo(ExitCodes.CONFIG);
      assertThat(answer.out()).as("%s", verb).isEmpty();
      assertThat(answer.err()).as("%s", verb).contains(cfg).contains("line 1");
    }
    assertThat(Files.readString(config())).as("left as it was").contains(TOKEN);
  }

  @Test
  void statusSaysAutoUpdateIsOnOnlyWithAFeed() throws Exception {
    Answer answer = run("--config", config().toString(), "status");

    assertThat(answer.code()).isZero();
    assertThat(answer.err()).as("engine warnings repeat what status prints").isEmpty();
    assertThat(answer.out())
        .startsWith("studio-worker " + Version.describe() + "\n")
        .contains("\ndaemon:          not running (config-only view below)\n")
        .contains("\nauto-update:     on, but no feed configured\n")
        .contains("\nengines:\n")
        .contains("\ngpus:            ");
  }

  @Test
  void daemonCommandsWithoutADaemonExitOneWithOneLineOnStderr() throws Exception {
    String line =
        "error: no daemon is running for this config (no " + dir.resolve("local-api.json") + ")\n";
    for (String verb : List.of("pause", "resume", "logs")) {
      assertThat(run("--config", config().toString(), verb))
          .as(verb)
          .isEqualTo(new Answer(ExitCodes.FAILURE, "", line));
    }
  }

  @Test
  void logsFollowEndsWithExitZeroOnSigtermAndSigint() throws Exception {
    String token = "0123456789abcdef".repeat(4);
    try (LocalApiStandIn daemon = LocalApiStandIn.start(token, 4242)) {
      daemon.writeDiscovery(config(), token);
      daemon.log("10:00:00.000", "info", "session", "connected");
      for (String signal : List.of("TERM", "INT")) {
        Process following = worker("--config", config().toString(), "logs", "-f").start();
        try {
          await()
              .atMost(WAIT)
              .until(() -> Files.readString(dir.resolve("stdout")).contains("connected"));
        } finally {
          new ProcessBuilder("kill", "-" + signal, String.valueOf(following.pid()))
              .start()
              .waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(answerOf(following))
            .as("SIG%s", signal)
            .isEqualTo(new Answer(0, "2026-12-01T10:00:00.000Z INFO  session: connected\n", ""));
      }
    }
  }

  @Test
  void statusPauseResumeAndLogsTalkToTheRunningDaemon() throws Exception {
    try (DevStudio studio = DevStudio.start()) {
      var known = studio.createWorker();
      writeConfig(
          "api_base_url = \""
              + studio.baseUrl()
              + "\"\nworker_id = \""
              + known.workerId()
              + "\"\nauth_token = \""
              + known.authToken()
              + "\"\n");
      Process daemon =
          worker("--config", config().toString(), "run")
              .redirectOutput(dir.resolve("daemon.out").toFile())
              .redirectError(dir.resolve("daemon.err").toFile())
              .start();
      try {
        studio.awaitConnected(known.workerId(), WAIT);
        await().atMost(WAIT).until(() -> Files.exists(dir.resolve("local-api.json")));

        Answer status = run("--config", config().toString(), "status");
        assertThat(status.code()).as("%s", status).isZero();
        assertThat(status.out())
            .containsPattern(
                "daemon: +running \\(pid " + daemon.pid() + ", .*local API http://127\\.0\\.0\\.1:")
            .contains("session:       connected — ready for jobs")
            .doesNotContain(known.authToken());

        Answer paused = run("--config", config().toString(), "pause");
        assertThat(paused.code()).as("%s", paused).isZero();
        assertThat(paused.out()).startsWith("paused: ");
        studio.awaitFrame(
            known.workerId(),
            f -> f.type().equals("heartbeat") && f.text().contains("\"autoEnabled\":false"),
            WAIT);

        Answer logs = run("--config", config().toString(), "logs");
        assertThat(logs.code()).as("%s", logs).isZero();
        assertThat(logs.out())
            .contains("paused through the local API: no new jobs until resumed")
            .doesNotContain(known.authToken());

        Answer resumed = run("--config", config().toString(), "resume");
        assertThat(resumed.out()).startsWith("resumed: ");
        studio.awaitFrame(
            known.workerId(),
            f -> f.type().equals("heartbeat") && f.text().contains("\"autoEnabled\":true"),
            WAIT);
      } finally {
        daemon.destroy(); // SIGTERM
      }
      assertThat(daemon.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(daemon.exitValue()).isZero();
      assertThat(dir.resolve("local-api.json")).doesNotExist();
      assertThat(Files.readString(dir.resolve("daemon.err")))
          .doesNotContain(known.authToken())
          .doesNotContain("Exception");
    }
  }

  @Test
  void gpuJsonIsOneLineOfJson() throws Exception {
    Answer answer = run("gpu", "--json");

    assertThat(answer.code()).isZero();
    assertThat(answer.err()).isEmpty();
    assertThat(answer.out().lines().toList()).singleElement().asString().startsWith("{\"");
  }

  @Test
  void checkUpdateAsksTheFeedAndPrintsOneLine() throws Exception {
    HttpServer feed =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    feed.createContext(
        "/feed.json",
        exchange -> {
          byte[] body = "[]".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          try (exchange) {
            exchange.getResponseBody().write(body);
          }
        });
    feed.start();
    try {
      writeConfig(
          "auto_update_feed = \"http://127.0.0.1:"
              + feed.getAddress().getPort()
              + "/feed.json\"\n");

      Answer answer = run("--config", config().toString(), "check-update");

      assertThat(answer)
          .isEqualTo(
              new Answer(0, "up to date: " + Version.current() + " (no newer release)\n", ""));
    } finally {
      feed.stop(0);
    }
    Files.delete(config());
    assertThat(run("--config", config().toString(), "check-update"))
        .isEqualTo(new Answer(ExitCodes.FAILURE, "", "error: no auto_update_feed is configured\n"));
  }

  @Test
  void runExitsZeroWhenStoppedWhileWaitingAndFiveOnceRejected() throws Exception {
    try (DevStudio studio = DevStudio.start()) {
      writeConfig("api_base_url = \"" + studio.baseUrl() + "\"\n");
      Process waiting = worker("--config", config().toString(), "run").start();
      PendingRequest request;
      try {
        request = studio.awaitPendingRequest(WAIT);
        // Stopped once it waits, not in the middle of asking.
        await()
            .atMost(WAIT)
            .until(
                () ->
                    Files.readString(dir.resolve("stderr"))
                        .contains("waiting for operator approval"));
      } finally {
        waiting.destroy(); // SIGTERM
      }
      Answer stopped = answerOf(waiting);
      assertThat(stopped.code()).as("%s", stopped).isEqualTo(ExitCodes.OK);
      assertThat(stopped.out()).isEmpty();

      studio.reject(request.requestId(), "not this one");
      // A rejected registration keeps the daemon up for a reset through the local API; stopped
      // while it waits, it exits with the rejection's code.
      Process refused = worker("--config", config().toString(), "run").start();
      try {
        await()
            .atMost(WAIT)
            .until(
                () ->
                    Files.readString(dir.resolve("stderr"))
                        .contains("waiting for a reset of the registration"));
      } finally {
        refused.destroy(); // SIGTERM
      }
      Answer rejected = answerOf(refused);

      assertThat(rejected.code()).as("%s", rejected).isEqualTo(ExitCodes.REJECTED);
      assertThat(rejected.out()).isEmpty();
      assertThat(rejected.err()).contains("not this one");
      assertThat(dir.resolve("local-api.json")).doesNotExist();
    }
  }

  @Test
  void runExitsFourWhenTheStudioRefusesTheToken() throws Exception {
    try (DevStudio studio = DevStudio.start()) {
      writeConfig(
          "api_base_url = \""
              + studio.baseUrl()
              + "\"\nworker_id = \"w-unknown\"\nauth_token = \""
              + TOKEN
              + "\"\n");

      Answer answer = answerOf(worker("--config", config().toString(), "run").start());

      assertThat(answer.code()).as("%s", answer).isEqualTo(ExitCodes.AUTH_FAILED);
      assertThat(answer.out()).isEmpty();
      assertThat(answer.err()).contains("register --reset");
    }
  }

  @Test
  void runExitsSixWhenTheReconnectAttemptsRunOut() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    writeConfig(
        "api_base_url = \"http://127.0.0.1:"
            + closedPort
            + "/\"\nworker_id = \"w-7\"\nauth_token = \""
            + TOKEN
            + "\"\nws_reconnect_attempts = 1\n");

    Answer answer = answerOf(worker("--config", config().toString(), "run").start());

    assertThat(answer.code()).as("%s", answer).isEqualTo(ExitCodes.GAVE_UP);
    assertThat(answer.out()).isEmpty();
  }
}
