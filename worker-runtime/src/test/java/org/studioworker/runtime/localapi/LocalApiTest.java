package org.studioworker.runtime.localapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.devstudio.DevStudio;
import org.studioworker.devstudio.JobStatus;
import org.studioworker.devstudio.WorkerCredentials;
import org.studioworker.executors.synthetic.SyntheticExecutorProvider;
import org.studioworker.runtime.daemon.ExitCodes;
import org.studioworker.runtime.daemon.GatedEngine;
import org.studioworker.runtime.daemon.WorkerHarness;
import org.studioworker.spi.ChatMessage;
import org.studioworker.spi.Task;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The local API over real sockets, against a daemon connected to the reference studio. */
final class LocalApiTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @TempDir Path dir;

  private final DevStudio studio = DevStudio.start();
  private final WorkerCredentials worker = studio.createWorker();
  private final GatedEngine gated = new GatedEngine();

  @AfterEach
  void stopStudio() {
    studio.close();
  }

  private WorkerHarness startWorker() throws Exception {
    WorkerHarness harness =
        WorkerHarness.start(
            WorkerHarness.writeConfig(dir, studio, worker),
            List.of(new SyntheticExecutorProvider(), gated),
            WorkerHarness.FAST);
    studio.awaitConnected(worker.workerId(), WAIT);
    await().atMost(WAIT).until(() -> harness.daemon().localApiUrl().isPresent());
    return harness;
  }

  private static URI url(WorkerHarness harness) {
    return harness.daemon().localApiUrl().orElseThrow();
  }

  private static String token(WorkerHarness harness) throws Exception {
    return harness.savedConfig().localApiToken();
  }

  private String chat(String model, String prompt, org.studioworker.spi.ModelSource source) {
    return studio.submitJob(
        model, 1.0, Task.Llm.of(List.of(new ChatMessage("user", prompt))), source);
  }

  private static JsonNode json(RawHttp.Answer answer) {
    return JSON.readTree(answer.body());
  }

  @Test
  void discoveryFileNamesTheServerAndTheTokenOwnerOnlyAndGoesAwayOnStop() throws Exception {
    Path file = dir.resolve("local-api.json");
    try (WorkerHarness harness = startWorker()) {
      JsonNode discovery = JSON.readTree(Files.readString(file));
      assertThat(discovery.get("url").asString()).isEqualTo(url(harness).toString());
      assertThat(discovery.get("token").asString())
          .isEqualTo(token(harness))
          .matches("[0-9a-f]{64}");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
          .isEqualTo("rw-------");
      String token = token(harness);
      assertThat(harness.logLines())
          .anyMatch(line -> line.startsWith("local API on http://127.0.0.1:"))
          .noneMatch(line -> line.contains(token));

      harness.daemon().stop().escalate("test");
      assertThat(harness.awaitExit(WAIT)).isEqualTo(ExitCodes.OK);
    }
    assertThat(file).doesNotExist();
  }

  @Test
  void healthzAnswersWithoutATokenWhileAJobRuns() throws Exception {
    try (WorkerHarness harness = startWorker()) {
      String jobId = chat("gated-model", "hi", GatedEngine.SOURCE);
      assertThat(gated.awaitStarted(20)).isTrue();

      RawHttp.Answer health = RawHttp.request(url(harness), "GET", "/healthz", null, "");

      assertThat(health.status()).isEqualTo(200);
      assertThat(health.headers().get("content-type")).isEqualTo("application/json");
      JsonNode body = json(health);
      assertThat(body.propertyNames())
          .containsExactly(
              "ok", "version", "busy", "engine", "modelsRoot", "modelsRootFreeBytes", "gpuRuntime");
      assertThat(body.get("ok").asBoolean()).isTrue();
      assertThat(body.get("busy").asBoolean()).isTrue();
      assertThat(body.get("engine").asString()).isEqualTo("multi");
      assertThat(body.get("modelsRootFreeBytes").asLong()).isPositive();
      gated.open();
      studio.awaitJobStatus(jobId, JobStatus.COMPLETED, WAIT);
    }
  }

  @Test
  void metricsNeedNoTokenButRefuseCrossSiteReaders() throws Exception {
    try (WorkerHarness harness = startWorker()) {
      String jobId = chat("synthetic-llm", "count me", WorkerHarness.SYNTHETIC);
      studio.awaitJobStatus(jobId, JobStatus.COMPLETED, WAIT);
      await().atMost(WAIT).until(() -> !harness.daemon().board().recentJobs().isEmpty());
      URI base = url(harness);

      RawHttp.Answer metrics = RawHttp.request(base, "GET", "/metrics", null, "");

      assertThat(metrics.status()).isEqualTo(200);
      assertThat(metrics.headers().get("content-type"))
          .isEqualTo("text/plain; version=0.0.4; charset=utf-8");
      assertThat(metrics.body())
          .contains("studio_worker_jobs_finished_total{kind=\"llm\",outcome=\"completed\"} 1")
          .contains("studio_worker_session_state{state=\"connected\"} 1")
          .doesNotContain("count me")
          .doesNotContain(token(harness))
          .doesNotContain(worker.authToken());
      RawHttp.Answer rebound =
          RawHttp.send(
              base,
              "GET /metrics HTTP/1.1\r\nHost: attacker.example:" + base.getPort(),
              new byte[0]);
      assertThat(rebound.status()).isEqualTo(403);
    }
  }

  @Test
  void guardsRefuseForeignHostsOriginsAndTokensInOrderAndLogWithoutTheToken() throws Exception {
    try (WorkerHarness harness = startWorker()) {
      URI base = url(harness);
      String token = token(harness);
      String status = "GET /daemon/status HTTP/1.1\r\n";

      record Case(String headers, int status, String message) {}
      List<Case> cases =
          List.of(
              new Case(
                  "Host: evil.example\r\nAuthorization: Bearer " + token,
                  403,
                  "forbidden: non-loopback Host header \"evil.example\""),
              new Case(
                  "Host: 127.0.0.1.evil.example:80\r\nAuthorization: Bearer " + token,
                  403,
                  "forbidden: non-loopback Host header \"127.0.0.1.evil.example:80\""),
              new Case(
                  "Host: localhost\r\nOrigin: null\r\nAuthorization: Bearer " + token,
                  403,
                  "forbidden: cross-site request from Origin \"null\""),
              new Case(
                  "Host: localhost\r\nOrigin: https://evil.example\r\nAuthorization: Bearer "
                      + token,
                  403,
                  "forbidden: cross-site request from Origin \"https://evil.example\""),
              // Host is checked before Origin, Origin before the token.
              new Case(
                  "Host: evil.example\r\nOrigin: null",
                  403,
                  "forbidden: non-loopback Host header \"evil.example\""),
              new Case(
                  "Host: localhost\r\nOrigin: null",
                  403,
                  "forbidden: cross-site request from Origin \"null\""),
              new Case("Host: localhost", 401, Guards.UNAUTHORIZED),
              new Case(
                  "Host: localhost\r\nAuthorization: Bearer " + token + "0",
                  401,
                  Guards.UNAUTHORIZED),
              new Case(
                  "Host: localhost\r\nAuthorization: Basic " + token, 401, Guards.UNAUTHORIZED),
              new Case("Host: localhost\r\nAuthorization: Bearer", 401, Guards.UNAUTHORIZED));
      for (Case c : cases) {
        RawHttp.Answer answer = RawHttp.send(base, status + c.headers(), new byte[0]);
        assertThat(answer.status()).as(c.headers()).isEqualTo(c.status());
        JsonNode body = json(answer);
        assertThat(body.get("message").asString()).as(c.headers()).isEqualTo(c.message());
        assertThat(answer.body()).doesNotContain(token);
      }

      for (String ok :
          List.of(
              "Host: localhost",
              "Host: LOCALHOST:" + base.getPort(),
              "Host: 127.0.0.1:" + base.getPort(),
              "Host: [::1]:" + base.getPort(),
              "Host: localhost\r\nOrigin: http://localhost:3000",
              "Host: localhost\r\nOrigin: https://127.0.0.1")) {
        RawHttp.Answer answer =
            RawHttp.send(base, status + ok + "\r\nAuthorization: bEaReR " + token, new byte[0]);
        assertThat(answer.status()).as(ok).isEqualTo(200);
      }

      assertThat(harness.logLines())
          .anyMatch(line -> line.equals("local API refused GET /daemon/status: 403 forbidden"))
          .anyMatch(line -> line.equals("local API refused GET /daemon/status: 401 unauthorized"))
          .noneMatch(line -> line.contains(token));
    }
  }

  @Test
  void aWebPageCannotPostAPauseWithoutTheToken() throws Exception {
    try (WorkerHarness harness = startWorker()) {
      // What a page's fetch(…, {mode: "no-cors"}) sends: a simple text/plain POST with its Origin.
      RawHttp.Answer answer =
          RawHttp.send(
              url(harness),
              "POST /daemon/pause HTTP/1.1\r\nHost: 127.0.0.1:"
                  + url(harness).getPort()
                  + "\r\nOrigin: https://evil.example\r\nContent-Type: text/plain\r\n"
                  + "Content-Length: 2",
              "{}".getBytes(StandardCharsets.UTF_8));

      assertThat(answer.status()).isEqualTo(403);
      assertThat(harness.daemon().board().isPaused()).isFalse();
    }
  }

  @Test
  void bodiesOverTheCapAreRefusedWithAndWithoutALength() throws Exception {
    try (WorkerHarness harness = startWorker()) {
      URI base = url(harness);
      String auth =
          "PUT /daemon/config HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
              + token(harness);
      // Declared too large: refused on the headers alone, the body is never sent.
      RawHttp.Answer declared =
          RawHttp.send(base, auth + "\r\nContent-Length: 1048577", new byte[0]);
      assertThat(declared.status()).isEqualTo(413);
      assertThat(json(declared).get("message").asString())
          .isEqualTo("request body exceeds 1048576 bytes");

      // Chunked, no length: read up to the cap and one byte more.
      byte[] chunk = new byte[64 * 1024];
      java.util.Arrays.fill(chunk, (byte) ' ');
      java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
      for (int i = 0; i < 17; i++) {
        body.write(Integer.toHexString(chunk.length).getBytes(StandardCharsets.US_ASCII));
        body.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        body.write(chunk);
        body.write("\r\n".getBytes(StandardCharsets.US_ASCII));
      }
      body.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      RawHttp.Answer chunked =
          RawHttp.send(base, auth + "\r\nTransfer-Encoding: chunked", body.toByteArray());
      assertThat(chunked.status()).isEqualTo(413);
      assertThat(json(chunked).get("error").asString()).isEqualTo("payload_too_large");
      assertThat(harness.savedConfig().vramThresholdGb())
          .isEqualTo(org.studioworker.runtime.config.WorkerConfig.DEFAULT_VRAM_THRESHOLD_GB);
    }
  }

  @Test
  void unknownRoutesAndMethodsGetTheirDocumentedAnswers() throws Exception {
    try (WorkerHarness harness = startWorker()) {
      URI base = url(harness);
      String token = token(harness);

      RawHttp.Answer daemonRoute = RawHttp.request(base, "GET", "/daemon/nothing", token, "");
      assertThat(daemonRoute.status()).isEqualTo(404);
      assertThat(daemonRoute.body())
          .isEqualTo("{\"error\":\"not_found\",\"message\":\"no such daemon route\"}");

      RawHttp.Answer other = RawHttp.request(base, "GET", "/nothing", token, "");
      assertThat(other.status()).isEqualTo(404);
      assertThat(other.body()).isEqualTo("not found");

      RawHttp.Answer noToken = RawHttp.request(base, "GET", "/daemon/nothing", null, "");
      assertThat(noToken.status()).isEqualTo(401);

      RawHttp.Answer method = RawHttp.request(base, "DELETE", "/daemon/status", token, "");
      assertThat(method.status()).isEqualTo(405);
      assertThat(method.headers().get("allow")).isEqualTo("GET");
      assertThat(json(method).get("error").asString()).isEqualTo("method_not_allowed");

      RawHttp.Answer getPause = RawHttp.request(base, "GET", "/daemon/pause", token, "");
      assertThat(getPause.status()).isEqualTo(405);
      assertThat(harness.daemon().board().isPaused()).isFalse();
    }
  }

  @Test
  void statusCarriesEveryKeyWithNullsKept() throws Exception {
    try (WorkerHarness harness = startWorker()) {
      String jobId = chat("synthetic-llm", "say hi", WorkerHarness.SYNTHETIC);
      studio.awaitJobStatus(jobId, JobStatus.COMPLETED, WAIT);
      await().atMost(WAIT).until(() -> !harness.daemon().board().recentJobs().isEmpty());

      RawHttp.Answer answer =
          RawHttp.request(url(harness), "GET", "/daemon/status", token(harness), "");

      assertThat(answer.status()).isEqualTo(200);
      JsonNode status = json(answer);
      assertThat(status.propertyNames())
          .containsExactly(
              "version",
              "pid",
              "configPath",
              "paused",
              "busy",
              "registered",
              "workerId",
              "registration",
              "config",
              "session",
              "heartbeat",
              "gpuRuntime",
              "vramTotalGb",
              "gpu",
              "gpus",
              "onlyWhenIdle",
              "userPresence",
              "localApiUrl",
              "currentJobId",
              "activeJobs",
              "recentJobs",
              "localJobs",
              "logsSeq");
      assertThat(status.get("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
      assertThat(status.get("registered").asBoolean()).isTrue();
      assertThat(status.get("workerId").asString()).isEqualTo(worker.workerId());
      assertThat(status.get("registration").toString()).isEqualTo("{\"state\":\"approved\"}");
      assertThat(status.get("session").toString()).isEqualTo("{\"state\":\"connected\"}");
      assertThat(status.get("currentJobId").isNull()).isTrue();
      assertThat(status.get("gpu").isNull()).as("an unpinned worker").isTrue();
      assertThat(status.get("onlyWhenIdle").asBoolean()).isFalse();
      assertThat(status.get("userPresence").isNull()).as("only_when_idle is off").isTrue();
      assertThat(status.get("localApiUrl").asString()).isEqualTo(url(harness).toString());
      assertThat(status.get("config").propertyNames()).containsExactlyElementsOf(ConfigEdit.SHOWN);
      JsonNode job = status.get("recentJobs").get(0);
      assertThat(job.propertyNames())
          .containsExactly(
              "jobId",
              "kind",
              "model",
              "prompt",
              "source",
              "status",
              "startedAt",
              "finishedAt",
              "hasThumbnail");
      assertThat(job.get("jobId").asString()).isEqualTo(jobId);
      assertThat(job.get("source").asString()).isEqualTo("studio");
      assertThat(job.get("status").asString()).isEqualTo("completed");
      assertThat(job.get("prompt").asString()).isEqualTo("say hi");
      assertThat(status.get("logsSeq").asLong()).isPositive();
      assertThat(answer.body()).doesNotContain(token(harness)).doesNotContain(worker.authToken());
    }
  }

  @Test
  void logsFollowTheRingBySequenceNumber() throws Exception {
    try (WorkerHarness harness = startWorker()) {
      URI base = url(harness);
      String token = token(harness);
      JsonNode all = json(RawHttp.request(base, "GET", "/daemon/logs", token, ""));
      long seq = all.get("seq").asLong();
      assertThat(all.get("entries").size()).isPositive();
      assertThat(all.get("entries").get(0).propertyNames())
          .containsSubsequence("ts", "level", "category", "message");

      RawHttp.request(base, "POST", "/daemon/pause", token, "");
      JsonNode after = json(RawHttp.request(base, "GET", "/daemon/logs?after=" + seq, token, ""));
      assertThat(after.get("entries").valueStream().map(e -> e.get("message").asString()))
          .contains("paused through the local API: no new jobs until resumed");
      assertThat(after.get("seq").asLong()).isGreaterThan(seq);

      JsonNode none =
          json(
              RawHttp.request(
                  base, "GET", "/daemon/logs?after=" + after.get("seq").asLong(), token, ""));
      assertThat(none.get("entries").size()).isZero();
      assertThat(none.get("seq").asLong()).isEqualTo(after.get("seq").asLong());

      // A reader that saw a newer run of the daemon gets the whole ring; a bad number is 0.
      for (String query : List.of("after=99999999", "after=x", "after=-5")) {
        JsonNode whole = json(RawHttp.request(base, "GET", "/daemon/logs?" + query, token, ""));
        assertThat(whole.get("entries").size())
            .as(query)
            .isGreaterThan(after.get("entries").size());
      }
    }
  }

  @Test
  void pauseThroughTheApiRejectsTheNextOfferAndTheStudioSeesAutoEnabledFalse() throws Exception {
    // Heartbeats every two seconds: an offer lands between the pause and the next heartbeat.
    org.studioworker.runtime.lifecycle.LoopSchedule slow =
        new org.studioworker.runtime.lifecycle.LoopSchedule(
            Duration.ofSeconds(2),
            WorkerHarness.FAST.logFlush(),
            WorkerHarness.FAST.stopCheck(),
            WorkerHarness.FAST.backoffBase(),
            WorkerHarness.FAST.backoffMax(),
            Duration.ofSeconds(10),
            WorkerHarness.FAST.connectTimeout(),
            WorkerHarness.FAST.registrationPoll(),
            WorkerHarness.FAST.sendTimeout(),
            WorkerHarness.FAST.uploadRetryPauses());
    try (WorkerHarness harness =
        WorkerHarness.start(
            WorkerHarness.writeConfig(dir, studio, worker),
            List.of(new SyntheticExecutorProvider()),
            slow)) {
      studio.awaitConnected(worker.workerId(), WAIT);
      await().atMost(WAIT).until(() -> harness.daemon().localApiUrl().isPresent());
      URI base = url(harness);
      String token = token(harness);
      studio.pauseOffers(true);
      String jobId = chat("synthetic-llm", "hi", WorkerHarness.SYNTHETIC);

      RawHttp.Answer paused = RawHttp.request(base, "POST", "/daemon/pause", token, "");
      assertThat(paused.status()).isEqualTo(200);
      assertThat(paused.body()).isEqualTo("{\"paused\":true}");
      studio.pauseOffers(false);

      studio.awaitFrame(
          worker.workerId(),
          f -> f.type().equals("reject") && f.text().contains("\"code\":\"paused\""),
          WAIT);
      studio.awaitFrame(
          worker.workerId(),
          f -> f.type().equals("heartbeat") && f.text().contains("\"autoEnabled\":false"),
          WAIT);
      assertThat(studio.job(jobId).orElseThrow().status()).isEqualTo(JobStatus.QUEUED);

      RawHttp.Answer resumed = RawHttp.request(base, "POST", "/daemon/resume", token, "");
      assertThat(resumed.body()).isEqualTo("{\"paused\":false}");
      studio.awaitJobStatus(jobId, JobStatus.COMPLETED, WAIT);
      // Runtime only: nothing was saved.
      assertThat(Files.readString(dir.resolve("config.toml"))).doesNotContain("paused");
    }
  }

  @Test
  void configPutValidatesInOrderAndANewThresholdReachesTheStudioWithinAHeartbeat()
      throws Exception {
    try (WorkerHarness harness = startWorker()) {
      URI base = url(harness);
      String token = token(harness);
      JsonNode current = json(RawHttp.request(base, "GET", "/daemon/config", token, ""));
      assertThat(current.propertyNames()).containsExactlyElementsOf(ConfigEdit.SHOWN);

      record Bad(String field, String value, int status, String error, String message) {}
      List<Bad> bad =
          List.of(
              new Bad(
                  "vramThresholdGb", null, 400, "bad_request", "missing field `vramThresholdGb`"),
              new Bad(
                  "vramThresholdGb",
                  "\"8\"",
                  400,
                  "bad_request",
                  "field `vramThresholdGb` must be a number"),
              new Bad(
                  "startMinimised",
                  "1",
                  400,
                  "bad_request",
                  "field `startMinimised` must be true or false"),
              new Bad(
                  "apiBaseUrl",
                  "\"ftp://studio\"",
                  400,
                  "invalid_config",
                  "invalid config: apiBaseUrl: must be an http(s) URL"),
              new Bad(
                  "vramThresholdGb",
                  "-1",
                  400,
                  "invalid_config",
                  "invalid config: vramThresholdGb: must be a number of GB, 0 or more"),
              new Bad(
                  "autoUpdateIntervalSecs",
                  "59",
                  400,
                  "invalid_config",
                  "invalid config: autoUpdateIntervalSecs: must be at least 60 seconds"),
              new Bad(
                  "autoUpdateFeed",
                  "\"file:///etc/passwd\"",
                  400,
                  "invalid_config",
                  "invalid config: autoUpdateFeed: must be an http(s) URL"),
              new Bad(
                  "modelsRoot",
                  "\"  \"",
                  400,
                  "invalid_config",
                  "invalid config: modelsRoot: must not be empty"));
      for (Bad b : bad) {
        tools.jackson.databind.node.ObjectNode body =
            (tools.jackson.databind.node.ObjectNode) current.deepCopy();
        if (b.value() == null) {
          body.remove(b.field());
        } else {
          body.set(b.field(), JSON.readTree(b.value()));
        }
        RawHttp.Answer answer =
            RawHttp.request(base, "PUT", "/daemon/config", token, body.toString());
        assertThat(answer.status()).as(b.toString()).isEqualTo(b.status());
        assertThat(json(answer).get("error").asString()).as(b.toString()).isEqualTo(b.error());
        assertThat(json(answer).get("message").asString()).as(b.toString()).isEqualTo(b.message());
      }
      // Two bad values: the first in the documented order is named.
      tools.jackson.databind.node.ObjectNode two =
          (tools.jackson.databind.node.ObjectNode) current.deepCopy();
      two.put("modelsRoot", "");
      two.put("apiBaseUrl", "nope");
      assertThat(
              json(RawHttp.request(base, "PUT", "/daemon/config", token, two.toString()))
                  .get("message")
                  .asString())
          .isEqualTo("invalid config: apiBaseUrl: must be an http(s) URL");
      RawHttp.Answer malformed = RawHttp.request(base, "PUT", "/daemon/config", token, "{\"a\":");
      assertThat(malformed.status()).isEqualTo(400);
      assertThat(json(malformed).get("message").asString()).startsWith("bad json: ");
      assertThat(harness.savedConfig().vramThresholdGb()).isEqualTo(12.0);

      tools.jackson.databind.node.ObjectNode good =
          (tools.jackson.databind.node.ObjectNode) current.deepCopy();
      good.put("vramThresholdGb", 7.5);
      RawHttp.Answer saved = RawHttp.request(base, "PUT", "/daemon/config", token, good.toString());

      assertThat(saved.status()).isEqualTo(200);
      assertThat(json(saved).get("vramThresholdGb").asDouble()).isEqualTo(7.5);
      assertThat(harness.savedConfig().vramThresholdGb()).isEqualTo(7.5);
      assertThat(harness.savedConfig().authToken()).isEqualTo(worker.authToken());
      assertThat(harness.savedConfig().localApiToken()).isEqualTo(token);
      studio.awaitFrame(
          worker.workerId(),
          f -> f.type().equals("heartbeat") && f.text().contains("\"vramThresholdGb\":7.5"),
          WAIT);
      assertThat(harness.logLines())
          .contains("config changed through the local API: vram_threshold_gb 12.0 -> 7.5");
    }
  }

  @Test
  void aHundredClientsAtOnceDuringAJobAreAllAnsweredAndTheSessionGoesOn() throws Exception {
    try (WorkerHarness harness = startWorker()) {
      URI base = url(harness);
      String token = token(harness);
      String jobId = chat("gated-model", "hi", GatedEngine.SOURCE);
      assertThat(gated.awaitStarted(20)).isTrue();

      List<Callable<Integer>> clients = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        String path = i % 3 == 0 ? "/healthz" : i % 3 == 1 ? "/daemon/status" : "/daemon/logs";
        clients.add(() -> RawHttp.request(base, "GET", path, token, "").status());
      }
      List<Integer> statuses = new ArrayList<>();
      try (ExecutorService pool = Executors.newFixedThreadPool(100)) {
        for (Future<Integer> answer : pool.invokeAll(clients)) {
          statuses.add(answer.get());
        }
      }

      assertThat(statuses).hasSize(100).containsOnly(200);
      gated.open();
      studio.awaitJobStatus(jobId, JobStatus.COMPLETED, WAIT);
      assertThat(studio.job(jobId).orElseThrow().completions()).isEqualTo(1);
    }
  }

  @Test
  void theDaemonServesTheLocalJobRoutes() throws Exception {
    try (WorkerHarness harness = startWorker()) {
      URI base = url(harness);
      String token = token(harness);

      RawHttp.Answer jobs = RawHttp.request(base, "GET", "/jobs", token, "");
      assertThat(jobs.status()).isEqualTo(200);
      assertThat(jobs.body()).isEqualTo("[]");
      RawHttp.Answer log = RawHttp.request(base, "GET", "/jobs/nope/log", token, "");
      assertThat(log.status()).isEqualTo(404);
      assertThat(json(log).get("error").asString()).isEqualTo("unknown_job");
      RawHttp.Answer fetch =
          RawHttp.request(
              base,
              "POST",
              "/image",
              token,
              "{\"prompt\":\"x\",\"initImageUrl\":\"http://127.0.0.1:1/a.png\"}");
      assertThat(fetch.status()).isEqualTo(400);
      assertThat(fetch.body()).startsWith("bad input: initImageUrl must be a data: URL");
      assertThat(RawHttp.request(base, "POST", "/image", null, "{}").status()).isEqualTo(401);
    }
  }

  @Test
  void shutdownIsTheGracefulStop() throws Exception {
    try (WorkerHarness harness = startWorker()) {
      RawHttp.Answer answer =
          RawHttp.request(url(harness), "POST", "/daemon/shutdown", token(harness), "");

      assertThat(answer.status()).isEqualTo(202);
      assertThat(answer.body()).isEqualTo("{\"ok\":true}");
      assertThat(harness.awaitExit(WAIT)).isEqualTo(ExitCodes.OK);
      assertThat(harness.logLines())
          .anyMatch(line -> line.startsWith("received POST /daemon/shutdown: no longer claiming"));
    }
  }

  @Test
  void aResetIsRefusedUnlessTheRegistrationIsRejected() throws Exception {
    try (WorkerHarness harness = startWorker()) {
      RawHttp.Answer answer =
          RawHttp.request(url(harness), "POST", "/daemon/registration/reset", token(harness), "");

      assertThat(answer.status()).isEqualTo(409);
      assertThat(answer.body())
          .isEqualTo(
              "{\"error\":\"not_rejected\",\"message\":\"registration is not rejected; nothing to"
                  + " reset\"}");
    }
  }

  @Test
  void aRejectedRegistrationKeepsTheApiUpAndAResetAsksAgain() throws Exception {
    try (WorkerHarness harness =
        WorkerHarness.start(WorkerHarness.writeConfig(dir, studio, null))) {
      studio.reject(studio.awaitPendingRequest(WAIT).requestId(), "not ours");
      await().atMost(WAIT).until(() -> harness.daemon().localApiUrl().isPresent());
      URI base = url(harness);
      String token = token(harness);
      await()
          .atMost(WAIT)
          .until(
              () ->
                  json(RawHttp.request(base, "GET", "/daemon/status", token, ""))
                      .get("registration")
                      .toString()
                      .equals("{\"state\":\"rejected\",\"reason\":\"not ours\"}"));

      RawHttp.Answer reset = RawHttp.request(base, "POST", "/daemon/registration/reset", token, "");

      assertThat(reset.status()).isEqualTo(202);
      var request = studio.awaitPendingRequest(WAIT);
      var credentials = studio.approve(request.requestId());
      studio.awaitConnected(credentials.workerId(), WAIT);
      assertThat(harness.savedConfig().workerId()).isEqualTo(credentials.workerId());
    }
  }
}
