package org.studioworker.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.runtime.Version;
import org.studioworker.runtime.daemon.ExitCodes;
import org.studioworker.runtime.lifecycle.StopSignal;
import org.studioworker.runtime.localapi.Discovery;
import picocli.CommandLine;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code pause}, {@code resume}, {@code logs} and the live part of {@code status}, through the
 * command line, against a stand-in of the daemon's local API over a real socket: the exact stdout,
 * stderr and exit code for a daemon that answers, none, a stale discovery file, a wrong token and
 * answers that are not the contract's.
 */
final class DaemonCommandsTest {
  private static final String TOKEN = "0123456789abcdef".repeat(4);
  private static final String OTHER_TOKEN = "fedcba9876543210".repeat(4);

  /** A few polls of {@code logs -f} (500 ms each) and a slow machine. */
  private static final Duration WAIT = Duration.ofSeconds(20);

  private static final String LINE_1 = "2026-12-01T10:00:00.000Z INFO  session: connected";
  private static final String LINE_2 =
      "2026-12-01T10:00:01.250Z WARN  models: the models root has 2.0 GB free";
  private static final String LINE_3 = "2026-12-01T10:00:02.000Z INFO  jobs: [job j-3] started";

  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private @Nullable LocalApiStandIn standIn;

  @AfterEach
  void stopTheStandIn() {
    if (standIn != null) {
      standIn.close();
    }
  }

  private Path config() {
    return dir.resolve("config.toml");
  }

  private Path discovery() {
    return Discovery.pathFor(config());
  }

  /** A stand-in daemon with pid {@code pid}, named by the discovery file beside the config. */
  private LocalApiStandIn daemon(long pid) throws Exception {
    LocalApiStandIn started = LocalApiStandIn.start(TOKEN, pid);
    started.writeDiscovery(config(), TOKEN);
    standIn = started;
    return started;
  }

  private int run(String... args) {
    return run(null, args);
  }

  private int run(@Nullable StopSignal stop, String... args) {
    CommandLine line = StudioWorkerCommand.commandLine(Map.of("HOME", dir.toString()), stop);
    line.setOut(new PrintWriter(out, true));
    line.setErr(new PrintWriter(err, true));
    String[] all = new String[args.length + 2];
    all[0] = "--config";
    all[1] = config().toString();
    System.arraycopy(args, 0, all, 2, args.length);
    return line.execute(all);
  }

  /** {@code logs -f} on a thread of its own, ended by {@link #stop}. */
  private final class Following {
    private final StopSignal stop = new StopSignal();
    private final AtomicInteger code = new AtomicInteger(-1);
    private final Thread thread;

    Following(String... args) {
      thread = Thread.ofVirtual().start(() -> code.set(run(stop, args)));
    }

    int stop() throws InterruptedException {
      stop.escalate("test");
      return awaitExit();
    }

    int awaitExit() throws InterruptedException {
      assertThat(thread.join(WAIT)).as("logs -f ended in time").isTrue();
      return code.get();
    }
  }

  private static String lines(String... lines) {
    return String.join("\n", lines) + "\n";
  }

  private void threeLines(LocalApiStandIn daemon) {
    daemon.log("10:00:00.000", "info", "session", "connected");
    daemon.log("10:00:01.250", "warn", "models", "the models root has 2.0 GB free");
    daemon.log("10:00:02.000", "info", "jobs", "started", "j-3");
  }

  @Test
  void pauseAndResumeAskTheDaemonWithItsTokenAndSayWhatChanged() throws Exception {
    LocalApiStandIn daemon = daemon(4242);

    assertThat(run("pause")).isEqualTo(ExitCodes.OK);
    assertThat(daemon.paused()).isTrue();
    assertThat(run("resume")).isEqualTo(ExitCodes.OK);
    assertThat(daemon.paused()).isFalse();

    assertThat(out.toString())
        .isEqualTo(
            lines(
                "paused: the worker finishes the job in flight, then takes no new jobs until"
                    + " `studio-worker resume`",
                "resumed: the worker takes jobs again"));
    assertThat(err.toString()).isEmpty();
    assertThat(daemon.requestsLeft()).containsExactly("POST /daemon/pause", "POST /daemon/resume");
  }

  @Test
  void withoutADiscoveryFileEachCommandSaysNoDaemonRunsInOneLineAndExitsOne() throws Exception {
    for (List<String> args : List.of(List.of("pause"), List.of("resume"), List.of("logs"))) {
      err.getBuffer().setLength(0);

      assertThat(run(args.toArray(String[]::new))).as("%s", args).isEqualTo(ExitCodes.FAILURE);

      assertThat(err.toString())
          .as("%s", args)
          .isEqualTo("error: no daemon is running for this config (no " + discovery() + ")\n");
    }
    err.getBuffer().setLength(0);
    // With no daemon at the start, -f does not wait for one.
    assertThat(new Following("logs", "-f").awaitExit()).isEqualTo(ExitCodes.FAILURE);
    assertThat(err.toString())
        .isEqualTo("error: no daemon is running for this config (no " + discovery() + ")\n");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void aStaleDiscoveryFileSaysNothingListensAtItsUrl() throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    URI url = URI.create("http://127.0.0.1:" + closed);
    new Discovery(url, TOKEN).write(discovery());

    assertThat(run("pause")).isEqualTo(ExitCodes.FAILURE);
    assertThat(run("logs", "-f")).isEqualTo(ExitCodes.FAILURE);

    String line =
        "error: the daemon is not running: nothing listens at "
            + url
            + " ("
            + discovery()
            + " is stale, left by a daemon that did not stop cleanly)\n";
    assertThat(err.toString()).isEqualTo(line + line);
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void aTokenTheDaemonRefusesIsNamedAsSuchAndNeverPrinted() throws Exception {
    LocalApiStandIn daemon = daemon(4242);
    daemon.writeDiscovery(config(), OTHER_TOKEN);

    assertThat(run("resume")).isEqualTo(ExitCodes.FAILURE);
    assertThat(run("status")).isEqualTo(ExitCodes.OK);

    String refused =
        "the daemon at "
            + daemon.url()
            + " refused the token in "
            + discovery()
            + ": it is not that daemon's token (is the file stale, and another daemon holds the"
            + " port?)";
    assertThat(err.toString()).isEqualTo("error: " + refused + "\n");
    assertThat(out.toString())
        .contains("\ndaemon:          no live view: " + refused + " (config-only view below)\n");
    assertThat(out.toString() + err).doesNotContain(TOKEN).doesNotContain(OTHER_TOKEN);
    assertThat(daemon.paused()).isFalse();
  }

  @Test
  void answersThatAreNotTheContractsAreErrorsNamingTheRoute() throws Exception {
    LocalApiStandIn daemon = daemon(4242);
    daemon.override("GET /daemon/logs", 200, "<html>a proxy's page</html>");
    daemon.override("POST /daemon/pause", 200, "{\"paused\":\"yes\"}");
    daemon.override(
        "POST /daemon/resume",
        503,
        "{\"error\":\"busy\",\"message\":\"worker is busy with another job (studio or local);"
            + " retry shortly\"}");
    daemon.override("GET /daemon/status", 200, "[1,2]");

    assertThat(run("logs")).isEqualTo(ExitCodes.FAILURE);
    assertThat(run("pause")).isEqualTo(ExitCodes.FAILURE);
    assertThat(run("resume")).isEqualTo(ExitCodes.FAILURE);
    assertThat(run("status")).isEqualTo(ExitCodes.OK);

    assertThat(err.toString())
        .isEqualTo(
            lines(
                "error: the daemon's answer to GET /daemon/logs is not the local API's: not JSON",
                "error: the daemon's answer to POST /daemon/pause is not the local API's: no"
                    + " boolean \"paused\"",
                "error: the daemon answered POST /daemon/resume with 503: worker is busy with"
                    + " another job (studio or local); retry shortly"));
    assertThat(out.toString())
        .contains(
            "\ndaemon:          no live view: the daemon's answer to GET /daemon/status is not the"
                + " local API's: not a JSON object (config-only view below)\nconfig:          ");
  }

  @Test
  void logsPrintsTheRingInTheConsoleLayoutAndDashNTheLastLines() throws Exception {
    LocalApiStandIn daemon = daemon(4242);
    threeLines(daemon);

    assertThat(run("logs")).isEqualTo(ExitCodes.OK);
    assertThat(out.toString()).isEqualTo(lines(LINE_1, LINE_2, LINE_3));

    out.getBuffer().setLength(0);
    assertThat(run("logs", "-n", "2")).isEqualTo(ExitCodes.OK);
    assertThat(out.toString()).isEqualTo(lines(LINE_2, LINE_3));

    assertThat(run("logs", "-n", "-1")).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).isEqualTo("error: -n takes a number of lines, 0 or more\n");
    assertThat(daemon.requestsLeft())
        .containsExactly("GET /daemon/logs?after=0", "GET /daemon/logs?after=0");
  }

  @Test
  void followAcrossASeqResetPrintsTheNewDaemonsLinesOnceAndAsksAfterItsSeq() throws Exception {
    LocalApiStandIn daemon = daemon(101);
    threeLines(daemon);

    Following following = new Following("logs", "-f", "-n", "1");
    await().atMost(WAIT).until(() -> out.toString().equals(lines(LINE_3)));
    daemon.log("10:00:03.000", "info", "jobs", "done", "j-3");
    await().atMost(WAIT).until(() -> out.toString().contains("done"));
    // The restarted daemon holds two lines, fewer than the four the client has seen.
    synchronized (daemon) {
      daemon.restart(202);
      daemon.log("10:01:00.000", "info", "daemon", "studio-worker 0.5.1 starting");
      daemon.log("10:01:00.500", "info", "session", "connected");
    }
    await().atMost(WAIT).until(() -> out.toString().contains("0.5.1 starting"));
    // Were it still asking after 4, every poll would bring the whole ring again.
    daemon.log("10:01:02.000", "info", "jobs", "idle");
    await().atMost(WAIT).until(() -> out.toString().contains("idle"));

    assertThat(following.stop()).isEqualTo(ExitCodes.OK);
    assertThat(out.toString())
        .isEqualTo(
            lines(
                LINE_3,
                "2026-12-01T10:00:03.000Z INFO  jobs: [job j-3] done",
                "2026-12-01T10:01:00.000Z INFO  daemon: studio-worker 0.5.1 starting",
                "2026-12-01T10:01:00.500Z INFO  session: connected",
                "2026-12-01T10:01:02.000Z INFO  jobs: idle"));
    assertThat(err.toString()).isEqualTo("the daemon restarted; its log follows\n");
    assertThat(daemon.nextRequest()).isEqualTo("GET /daemon/status");
    assertThat(daemon.nextRequest()).isEqualTo("GET /daemon/logs?after=0");
    assertThat(daemon.requestsLeft()).contains("GET /daemon/logs?after=2");
  }

  @Test
  void followWaitsForADaemonThatWentAwayAndTellsARestartByItsPid() throws Exception {
    LocalApiStandIn first = daemon(101);
    first.log("10:00:00.000", "info", "session", "connected");
    Following following = new Following("logs", "--follow");
    await().atMost(WAIT).until(() -> out.toString().equals(lines(LINE_1)));

    // A clean stop: the discovery file goes, then the port closes.
    Files.delete(discovery());
    await().atMost(WAIT).until(() -> err.toString().contains("went away"));
    first.close();
    // Its successor has logged more than the one line seen, so seq alone would hide two.
    LocalApiStandIn second = LocalApiStandIn.start(TOKEN, 202);
    standIn = second;
    threeLines(second);
    second.writeDiscovery(config(), TOKEN);
    await().atMost(WAIT).until(() -> out.toString().contains("[job j-3] started"));

    assertThat(following.stop()).isEqualTo(ExitCodes.OK);
    assertThat(out.toString()).isEqualTo(lines(LINE_1, LINE_1, LINE_2, LINE_3));
    assertThat(err.toString())
        .isEqualTo(
            lines(
                "the daemon went away: no daemon is running for this config (no "
                    + discovery()
                    + "); waiting for it to come back (Ctrl-C to stop)",
                "the daemon answers again at " + second.url(),
                "the daemon restarted (pid 202); its log follows"));
  }

  @Test
  void statusShowsTheLiveViewFirstThenTheConfigLines() throws Exception {
    LocalApiStandIn daemon = daemon(4242);
    daemon.statusBody(
        """
        {"version":"0.5.0","pid":4242,"configPath":"/etc/w/config.toml","paused":true,"busy":true,
         "registered":true,"workerId":"w-7","registration":{"state":"approved"},"config":{},
         "session":{"state":"reconnecting","attempt":3},
         "heartbeat":{"outcome":"err","reason":"connection refused to studio.example:443",
                      "lastAttemptAt":"2026-12-01T10:00:05Z"},
         "gpuRuntime":null,"vramTotalGb":8,"gpu":{"index":1,"uuid":"GPU-bbb","name":"Small"},
         "localApiUrl":"http://127.0.0.1:4788","currentJobId":"j-9",
         "activeJobs":[{"jobId":"j-9","kind":"image","model":"sd-xl","prompt":"a red fox",
                        "source":"studio","status":"running","startedAt":"2026-12-01T10:00:00Z",
                        "hasThumbnail":false}],
         "recentJobs":[
           %s,
           {"jobId":"l-4","kind":"llm","model":"qwen","prompt":"hi","source":"local",
            "status":"completed","startedAt":"2026-12-01T09:58:00Z",
            "finishedAt":"2026-12-01T09:58:02.5Z","hasThumbnail":false},
           {"jobId":"j-7","kind":"image","model":"sd-xl","prompt":"p","source":"studio",
            "status":"failed","reason":"out of GPU memory","startedAt":"2026-12-01T09:57:00Z",
            "finishedAt":"2026-12-01T09:57:30Z","hasThumbnail":false},
           %s, %s, %s],
         "localJobs":[],"logsSeq":12}
        """
            .formatted(
                done("j-8", "09:59:00"),
                done("j-6", "09:56:00"),
                done("j-5", "09:55:00"),
                done("j-4", "09:54:00")));

    assertThat(run("status")).isEqualTo(ExitCodes.OK);

    assertThat(out.toString())
        .startsWith(
            lines(
                "studio-worker " + Version.describe(),
                "build:           " + Version.buildNote(),
                "daemon:          running (pid 4242, version 0.5.0), local API " + daemon.url(),
                "  session:       reconnecting (attempt 3)…",
                "  paused:        yes: no new jobs until `studio-worker resume` (not saved)",
                "  registration:  approved as w-7",
                "  gpu pin:       GPU 1 Small (GPU-bbb)",
                "  current job:   j-9 image sd-xl, since 2026-12-01T10:00:00.000Z",
                "  heartbeat:     failed at 2026-12-01T10:00:05.000Z: connection refused to"
                    + " studio.example:443",
                "  recent jobs:   5 of 6, newest first",
                "    j-8 image sd-xl, completed at 2026-12-01T09:59:00.000Z",
                "    l-4 llm qwen, completed at 2026-12-01T09:58:02.500Z (local)",
                "    j-7 image sd-xl, failed at 2026-12-01T09:57:30.000Z: out of GPU memory",
                "    j-6 image sd-xl, completed at 2026-12-01T09:56:00.000Z",
                "    j-5 image sd-xl, completed at 2026-12-01T09:55:00.000Z",
                "config:          " + config() + " (not created yet)"))
        .contains("\nregistration:    unregistered: `studio-worker run` asks the studio to join\n")
        .contains("\ngpu pin:         none: every GPU (`run --gpu` pins one)\n")
        .doesNotContain("j-4")
        .doesNotContain("a red fox")
        .doesNotContain(TOKEN);
    assertThat(err.toString()).isEmpty();
  }

  private static String done(String jobId, String at) {
    return ("{\"jobId\":\"%s\",\"kind\":\"image\",\"model\":\"sd-xl\",\"prompt\":\"p\","
            + "\"source\":\"studio\",\"status\":\"completed\",\"startedAt\":\"2026-12-01T%sZ\","
            + "\"finishedAt\":\"2026-12-01T%sZ\",\"hasThumbnail\":false}")
        .formatted(jobId, at, at);
  }

  @Test
  void statusWithoutADaemonSaysSoInOneLineThenShowsTheConfig() throws Exception {
    assertThat(run("status")).isEqualTo(ExitCodes.OK);
    assertThat(out.toString())
        .contains(
            "\nbuild:           "
                + Version.buildNote()
                + "\ndaemon:          not running (config-only view below)\nconfig:          ");

    out.getBuffer().setLength(0);
    int closed;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    new Discovery(URI.create("http://127.0.0.1:" + closed), TOKEN).write(discovery());
    assertThat(run("status")).isEqualTo(ExitCodes.OK);
    assertThat(out.toString())
        .contains(
            "\ndaemon:          not running: nothing listens at http://127.0.0.1:"
                + closed
                + "; "
                + discovery()
                + " is stale (config-only view below)\n");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void sessionStatesReadAsTheOriginalsSummaries() {
    JsonMapper json = JsonMapper.builder().build();
    Map<String, String> cases =
        Map.of(
            "{\"state\":\"waiting_for_approval\"}", "waiting for studio operator approval",
            "{\"state\":\"connecting\"}", "connecting to the studio…",
            "{\"state\":\"connected\"}", "connected — ready for jobs",
            "{\"state\":\"reconnecting\",\"attempt\":2}", "reconnecting (attempt 2)…",
            "{\"state\":\"auth_failed\",\"reason\":\"token revoked\"}",
                "authentication failed: token revoked. Re-register with `studio-worker register"
                    + " --reset`.",
            "{\"state\":\"fatal\",\"reason\":\"worker deleted\"}", "session ended: worker deleted",
            "{\"state\":\"stopped\"}", "stopped");
    cases.forEach(
        (session, summary) ->
            assertThat(LiveStatus.session(json.readTree(session))).isEqualTo(summary));
  }
}
