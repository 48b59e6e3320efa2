package org.studioworker.runtime.update;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.studioworker.runtime.update.SemverTestSupport.v;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.runtime.config.WorkerConfig;
import org.studioworker.runtime.jobs.JobGate;
import org.studioworker.runtime.lifecycle.StopSignal;

final class UpdateLoopTest {
  private static final String ASSET = "/dl/studio-worker-0.6.0-linux-x64.tar.gz";
  private static final Duration TICK = Duration.ofMillis(20);

  @TempDir Path root;

  private final KeyPair key = Builds.keyPair();
  private final JobGate gate = new JobGate();
  private final StopSignal stop = new StopSignal();
  private final AtomicBoolean started = new AtomicBoolean();
  private final LinkedBlockingQueue<UpdateDecision.Updated> updates = new LinkedBlockingQueue<>();
  private final AtomicReference<WorkerConfig> config = new AtomicReference<>();
  private final ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
  private ReleaseServer server;
  private Installation installation;

  @BeforeEach
  void start() throws Exception {
    server = new ReleaseServer();
    server.put("/feed", "[]");
    config.set(
        new WorkerConfig.Builder(WorkerConfig.defaults())
            .autoUpdateFeed(server.url("/feed").toString())
            .autoUpdateIntervalSecs(1)
            .build());
    installation = new Installation(root);
    Files.createDirectories(root.resolve("versions/0.5.0"));
    installation.switchCurrent("0.5.0");
  }

  @AfterEach
  void stop() {
    stop.stopNow("test over");
    pool.shutdownNow();
    server.close();
  }

  @Test
  void marksStartUpOnceTheSessionIsUpSoTheLauncherEndsProbation() throws Exception {
    Future<?> loop = pool.submit(loop());
    assertThat(root.resolve("state/started")).doesNotExist();
    started.set(true);
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(root.resolve("state/started")));
    assertThat(root.resolve("state/started")).hasContent("0.5.0");
    assertThat(loop.isDone()).isFalse();
  }

  @Test
  void installsOnATickAndReportsTheUpdateOnce() throws Exception {
    byte[] build = Builds.build("0.6.0");
    server.put(ASSET, build);
    server.put(ASSET + ".sig", Builds.sign(key.getPrivate(), build));
    server.put(
        "/feed",
        "{\"tag_name\":\"v0.6.0\",\"assets\":[{\"name\":\"studio-worker-0.6.0-linux-x64.tar.gz\","
            + "\"browser_download_url\":\""
            + server.url(ASSET)
            + "\"}]}");
    Future<?> loop = pool.submit(loop());
    assertThat(updates.poll(10, TimeUnit.SECONDS))
        .isEqualTo(new UpdateDecision.Updated(v("0.5.0"), v("0.6.0")));
    loop.get(10, TimeUnit.SECONDS);
    assertThat(installation.currentVersion()).hasValue("0.6.0");
    assertThat(gate.holder()).isEqualTo("update");
  }

  @Test
  void checksAgainOnlyAfterTheInterval() throws Exception {
    pool.submit(loop());
    await().atMost(Duration.ofSeconds(10)).until(() -> server.requested.size() >= 2);
    // The interval is 1 s and the tick 20 ms: two checks mean at least one interval went by.
    assertThat(server.requested).containsOnly("/feed");
  }

  @Test
  void aVersionOnProbationChecksForUpdatesOnlyOnceItHasStartedUp() throws Exception {
    Files.createDirectories(root.resolve("state"));
    Files.writeString(root.resolve("state/probation"), "0.5.0 0.4.9\n");
    pool.submit(loop());
    // Ticks of 20 ms go by while the studio has not answered: no feed request.
    assertThat(stop.await(Duration.ofMillis(300), () -> !server.requested.isEmpty())).isFalse();

    started.set(true);

    await().atMost(Duration.ofSeconds(10)).until(() -> server.requested.contains("/feed"));
    assertThat(root.resolve("state/started")).hasContent("0.5.0");
  }

  @Test
  void followsAnotherWorkersInstallOnATickOnceItsJobHasEnded() throws Exception {
    config.set(new WorkerConfig.Builder(config.get()).autoUpdateIntervalSecs(3600).build());
    JobGate.Permit job = gate.tryReserve("job-1").orElseThrow();
    Future<?> loop = pool.submit(loop());
    Files.createDirectories(root.resolve("versions/0.6.0"));
    installation.switchCurrent("0.6.0"); // installed by another worker of this installation

    // Ticks of 20 ms go by while the job holds the slot: no restart.
    assertThat(updates.poll(300, TimeUnit.MILLISECONDS)).isNull();
    assertThat(gate.holder()).isEqualTo("job-1");

    job.close();

    assertThat(updates.poll(10, TimeUnit.SECONDS))
        .isEqualTo(new UpdateDecision.Updated(v("0.5.0"), v("0.6.0")));
    loop.get(10, TimeUnit.SECONDS);
    assertThat(gate.holder()).isEqualTo("update");
    assertThat(server.requested).doesNotContain(ASSET);
  }

  @Test
  void endsPromptlyOnAStop() throws Exception {
    config.set(new WorkerConfig.Builder(config.get()).autoUpdateIntervalSecs(3600).build());
    Future<?> loop =
        pool.submit(
            new UpdateLoop(
                updater(),
                installation,
                "0.5.0",
                stop,
                Duration.ofHours(1),
                InstantSource.system(),
                config::get,
                started::get,
                updates::add));
    stop.escalate("SIGTERM");
    loop.get(10, TimeUnit.SECONDS);
    assertThat(server.requested).isEmpty();
  }

  private UpdateLoop loop() {
    return new UpdateLoop(
        updater(),
        installation,
        "0.5.0",
        stop,
        TICK,
        InstantSource.system(),
        config::get,
        started::get,
        updates::add);
  }

  private Updater updater() {
    UpdateHttp http =
        new UpdateHttp(
            AutoUpdate.client(),
            new Deadlines(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(60)));
    return new Updater(
        config::get,
        v("0.5.0"),
        installation,
        gate,
        http,
        new ReleaseDownload(http, new TrustedKeys(List.of(key.getPublic()))));
  }
}
