package org.studioworker.runtime.localapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.devstudio.DevStudio;
import org.studioworker.devstudio.JobStatus;
import org.studioworker.devstudio.WireFrame;
import org.studioworker.devstudio.WorkerCredentials;
import org.studioworker.executors.synthetic.SyntheticExecutorProvider;
import org.studioworker.runtime.config.ConfigStore;
import org.studioworker.runtime.config.WorkerConfig;
import org.studioworker.runtime.daemon.WorkerHarness;
import org.studioworker.runtime.presence.IdleSource;
import org.studioworker.runtime.presence.SettableIdleSource;
import org.studioworker.spi.Task;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code only_when_idle} end to end: a real daemon against the reference studio, with an idle
 * source whose answer the test sets. An active person makes offers rejected {@code paused}; an idle
 * one lets them run; the studio sees {@code onlyWhenIdle} and {@code userPresence}; nothing is read
 * while the key is off; the local API shows and changes the key.
 */
final class OnlyWhenIdleTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String REASON = "only when idle: the person is using this computer";

  @TempDir Path dir;

  private final DevStudio studio = DevStudio.start();
  private final WorkerCredentials worker = studio.createWorker();
  private final SettableIdleSource idle = new SettableIdleSource();
  private final AtomicInteger chosen = new AtomicInteger();

  @AfterEach
  void stopStudio() {
    studio.close();
  }

  private WorkerHarness startWorker(boolean onlyWhenIdle) throws Exception {
    Path config = WorkerHarness.writeConfig(dir, studio, worker);
    ConfigStore store = new ConfigStore(config);
    store.save(new WorkerConfig.Builder(store.load()).onlyWhenIdle(onlyWhenIdle).build());
    WorkerHarness harness =
        WorkerHarness.start(
            config,
            List.of(new SyntheticExecutorProvider()),
            WorkerHarness.FAST,
            () -> {
              chosen.incrementAndGet();
              return (IdleSource) idle;
            });
    studio.awaitConnected(worker.workerId(), WAIT);
    await().atMost(WAIT).until(() -> harness.daemon().localApiUrl().isPresent());
    return harness;
  }

  /** The capabilities of the newest heartbeat the worker sent, as JSON. */
  private JsonNode lastHeartbeat() {
    List<WireFrame> beats =
        studio.framesFrom(worker.workerId()).stream()
            .filter(f -> f.type().equals("heartbeat"))
            .toList();
    return beats.isEmpty()
        ? JSON.createObjectNode()
        : JSON.readTree(beats.getLast().text()).get("capabilities");
  }

  private static String presenceOf(JsonNode capabilities) {
    JsonNode presence = capabilities.get("userPresence");
    return presence == null ? "absent" : presence.asString();
  }

  @Test
  void anActivePersonMakesOffersRejectedPausedAndAnIdleOneLetsThemRun() throws Exception {
    idle.set(Duration.ofSeconds(3));
    try (WorkerHarness harness = startWorker(true)) {
      await().atMost(WAIT).until(() -> presenceOf(lastHeartbeat()).equals("active"));
      JsonNode hello =
          JSON.readTree(
                  studio.framesFrom(worker.workerId()).stream()
                      .filter(f -> f.type().equals("hello"))
                      .findFirst()
                      .orElseThrow()
                      .text())
              .get("capabilities");
      assertThat(hello.get("onlyWhenIdle").asBoolean()).isTrue();
      assertThat(lastHeartbeat().get("onlyWhenIdle").asBoolean()).isTrue();
      // The pause is the operator's alone: autoEnabled stays "not paused".
      assertThat(lastHeartbeat().get("autoEnabled").asBoolean()).isTrue();

      String jobId =
          studio.submitJob(
              "synthetic-image", 1.0, Task.Image.of("a quiet fox"), WorkerHarness.SYNTHETIC);
      WireFrame reject =
          studio.awaitFrame(
              worker.workerId(), f -> f.type().equals("reject") && f.text().contains(jobId), WAIT);
      JsonNode rejected = JSON.readTree(reject.text());
      assertThat(rejected.get("code").asString()).isEqualTo("paused");
      assertThat(rejected.get("reason").asString()).isEqualTo(REASON);
      assertThat(studio.job(jobId).orElseThrow().status()).isNotEqualTo(JobStatus.COMPLETED);
      assertThat(harness.logLines()).anyMatch(line -> line.contains(REASON));

      idle.set(Duration.ofMinutes(2));

      studio.awaitJobStatus(jobId, JobStatus.COMPLETED, WAIT);
      await().atMost(WAIT).until(() -> presenceOf(lastHeartbeat()).equals("idle"));
      assertThat(
              Objects.requireNonNull(
                      studio.connectedWorkers().getFirst().capabilities(), "capabilities")
                  .userPresence())
          .isEqualTo("idle");
      JsonNode status = status(harness);
      assertThat(status.get("onlyWhenIdle").asBoolean()).isTrue();
      assertThat(status.get("userPresence").asString()).isEqualTo("idle");
      assertThat(chosen.get()).as("the source is chosen once").isEqualTo(1);
    }
  }

  @Test
  void anUnknownIdleTimeLeavesUserPresenceOutAndTakesOffers() throws Exception {
    idle.set(null);
    try (WorkerHarness harness = startWorker(true)) {
      await().atMost(WAIT).until(() -> idle.calls() > 0 && lastHeartbeat().has("onlyWhenIdle"));
      assertThat(lastHeartbeat().get("onlyWhenIdle").asBoolean()).isTrue();
      assertThat(lastHeartbeat().has("userPresence")).isFalse();

      String jobId =
          studio.submitJob(
              "synthetic-image", 1.0, Task.Image.of("an unseen fox"), WorkerHarness.SYNTHETIC);

      studio.awaitJobStatus(jobId, JobStatus.COMPLETED, WAIT);
      assertThat(status(harness).get("userPresence").isNull()).isTrue();
      assertThat(harness.logLines())
          .filteredOn(line -> line.startsWith("only_when_idle is set but"))
          .singleElement()
          .asString()
          .contains("the test's idle time gave no answer")
          .endsWith("offers are taken");
    }
  }

  @Test
  void offReadsNothingAndAPutTurnsItOnAtOnce() throws Exception {
    idle.set(Duration.ZERO);
    try (WorkerHarness harness = startWorker(false)) {
      // Several heartbeats' worth of loop ticks pass without one sample.
      await().atMost(WAIT).until(() -> heartbeats() >= 5);
      assertThat(idle.calls()).isZero();
      assertThat(chosen.get()).isZero();
      assertThat(lastHeartbeat().get("onlyWhenIdle").asBoolean()).isFalse();
      assertThat(lastHeartbeat().has("userPresence")).isFalse();

      URI base = harness.daemon().localApiUrl().orElseThrow();
      String token = Objects.requireNonNull(harness.savedConfig().localApiToken());
      ObjectNode config =
          (ObjectNode)
              JSON.readTree(RawHttp.request(base, "GET", "/daemon/config", token, "").body());
      assertThat(config.get("onlyWhenIdle").asBoolean()).isFalse();
      config.put("onlyWhenIdle", true);

      RawHttp.Answer saved =
          RawHttp.request(base, "PUT", "/daemon/config", token, config.toString());

      assertThat(saved.status()).isEqualTo(200);
      assertThat(JSON.readTree(saved.body()).get("onlyWhenIdle").asBoolean()).isTrue();
      assertThat(harness.savedConfig().onlyWhenIdle()).isTrue();
      await().atMost(WAIT).until(() -> presenceOf(lastHeartbeat()).equals("active"));
      assertThat(lastHeartbeat().get("onlyWhenIdle").asBoolean()).isTrue();

      // An older client sends only the original's fields: the key keeps its value.
      config.remove("onlyWhenIdle");
      config.put("vramThresholdGb", 7.5);
      RawHttp.Answer older =
          RawHttp.request(base, "PUT", "/daemon/config", token, config.toString());
      assertThat(older.status()).isEqualTo(200);
      assertThat(JSON.readTree(older.body()).get("onlyWhenIdle").asBoolean()).isTrue();
      assertThat(harness.savedConfig().onlyWhenIdle()).isTrue();
      assertThat(harness.savedConfig().vramThresholdGb()).isEqualTo(7.5);

      for (String bad : List.of("\"yes\"", "1", "null")) {
        config.set("onlyWhenIdle", JSON.readTree(bad));
        config.put("vramThresholdGb", 3.0);
        RawHttp.Answer refused =
            RawHttp.request(base, "PUT", "/daemon/config", token, config.toString());
        assertThat(refused.status()).as(bad).isEqualTo(400);
        JsonNode error = JSON.readTree(refused.body());
        assertThat(error.get("error").asString()).isEqualTo("invalid_config");
        assertThat(error.get("message").asString())
            .isEqualTo("invalid config: onlyWhenIdle: must be true or false");
      }
      assertThat(harness.savedConfig().vramThresholdGb()).as("nothing saved").isEqualTo(7.5);

      // Off again: the source is let go and no more samples are taken.
      config.put("onlyWhenIdle", false);
      config.put("vramThresholdGb", 7.5);
      assertThat(RawHttp.request(base, "PUT", "/daemon/config", token, config.toString()).status())
          .isEqualTo(200);
      await().atMost(WAIT).until(() -> idle.closes() == 1);
      int calls = idle.calls();
      long beats = heartbeats();
      await().atMost(WAIT).until(() -> heartbeats() >= beats + 5);
      assertThat(idle.calls()).isEqualTo(calls);
      assertThat(status(harness).get("userPresence").isNull()).isTrue();
    }
  }

  private long heartbeats() {
    return studio.framesFrom(worker.workerId()).stream()
        .filter(f -> f.type().equals("heartbeat"))
        .count();
  }

  private static JsonNode status(WorkerHarness harness) throws Exception {
    URI base = harness.daemon().localApiUrl().orElseThrow();
    RawHttp.Answer answer =
        RawHttp.request(
            base,
            "GET",
            "/daemon/status",
            Objects.requireNonNull(harness.savedConfig().localApiToken()),
            "");
    assertThat(answer.status()).isEqualTo(200);
    return JSON.readTree(answer.body());
  }
}
