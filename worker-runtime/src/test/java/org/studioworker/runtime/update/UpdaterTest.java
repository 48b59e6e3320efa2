package org.studioworker.runtime.update;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.studioworker.runtime.update.SemverTestSupport.v;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.runtime.config.WorkerConfig;
import org.studioworker.runtime.jobs.JobGate;

final class UpdaterTest {
  /** A guard, not a measure: without the deadlines a stalled server would hang the test. */
  private static final long HANG_GUARD_SECS = 60;

  private static final String ASSET = "/dl/studio-worker-0.6.0-linux-x64.tar.gz";
  private static final Deadlines PATIENT =
      new Deadlines(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(60));

  @TempDir Path root;

  private final KeyPair key = Builds.keyPair();
  private final JobGate gate = new JobGate();
  private final AtomicReference<WorkerConfig> config = new AtomicReference<>();
  private ReleaseServer server;
  private Installation installation;
  private Updater updater;

  @BeforeEach
  void start() throws Exception {
    server = new ReleaseServer();
    byte[] build = Builds.build("0.6.0");
    server.put(ASSET, build);
    server.put(ASSET + ".sig", Builds.sign(key.getPrivate(), build));
    server.put("/feed", feed("v0.6.0", ASSET));
    config.set(
        new WorkerConfig.Builder(WorkerConfig.defaults())
            .autoUpdateFeed(server.url("/feed").toString())
            .build());
    installation = new Installation(root);
    Files.createDirectories(root.resolve("versions/0.5.0/bin"));
    installation.switchCurrent("0.5.0");
    updater = updater(PATIENT);
  }

  private Updater updater(Deadlines deadlines) {
    UpdateHttp http = new UpdateHttp(AutoUpdate.client(), deadlines);
    return new Updater(
        config::get,
        v("0.5.0"),
        installation,
        gate,
        http,
        new ReleaseDownload(http, new TrustedKeys(List.of(key.getPublic()))));
  }

  /** An updater of a development build: it trusts {@link #key} as the development key. */
  private Updater developmentUpdater() {
    UpdateHttp http = new UpdateHttp(AutoUpdate.client(), PATIENT);
    return new Updater(
        config::get,
        v("0.5.0"),
        installation,
        gate,
        http,
        new ReleaseDownload(http, new TrustedKeys(List.of(key.getPublic()), true)));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void installsSideBySideSwitchesCurrentAndKeepsTheSlot() throws Exception {
    assertThat(updater.tick()).isEqualTo(new UpdateDecision.Updated(v("0.5.0"), v("0.6.0")));
    assertThat(Files.readSymbolicLink(root.resolve("current")))
        .isEqualTo(Path.of("versions/0.6.0"));
    assertThat(root.resolve("current/bin/studio-worker")).isExecutable();
    assertThat(root.resolve("versions/0.5.0")).isDirectory();
    assertThat(root.resolve("state/probation")).hasContent("0.6.0 0.5.0");
    assertThat(root.resolve("staging")).doesNotExist();
    assertThat(updater.holdsSlot()).isTrue();
    assertThat(gate.tryReserve("job-1"))
        .as("an offer after the install is rejected as busy")
        .isEmpty();
  }

  @Test
  void skipsTheCheckWhileAJobHoldsTheSlot() throws Exception {
    try (JobGate.Permit job = gate.tryReserve("job-1").orElseThrow()) {
      assertThat(updater.tick()).isEqualTo(new UpdateDecision.Busy("job-1"));
    }
    assertThat(server.requested).isEmpty();
  }

  @Test
  void isDisabledWhenSwitchedOffOrWithoutAFeed() throws Exception {
    config.set(new WorkerConfig.Builder(config.get()).autoUpdateEnabled(false).build());
    assertThat(updater.tick()).isInstanceOf(UpdateDecision.Disabled.class);
    config.set(
        new WorkerConfig.Builder(config.get())
            .autoUpdateEnabled(true)
            .autoUpdateFeed(null)
            .build());
    assertThat(updater.tick())
        .isEqualTo(new UpdateDecision.Disabled("no auto_update_feed is configured"));
    assertThat(server.requested).isEmpty();
  }

  @Test
  void reportsACheckErrorWhenTheFeedFails() throws Exception {
    server.put("/feed", new ReleaseServer.Answer(503, "busy".getBytes(), -1));
    assertThat(updater.tick())
        .isEqualTo(new UpdateDecision.CheckError("the update feed answered HTTP 503"));
  }

  @Test
  @Timeout(HANG_GUARD_SECS)
  void reportsACheckErrorWhenTheFeedStallsAfterAFewBytes() throws Exception {
    server.stall("/feed", 4000, "[{\"tag_name\"".getBytes(StandardCharsets.UTF_8));
    Updater impatient =
        updater(
            new Deadlines(Duration.ofMillis(300), Duration.ofSeconds(10), Duration.ofSeconds(60)));
    assertThat(impatient.tick())
        .isEqualTo(new UpdateDecision.CheckError("the update feed did not arrive within 0.3 s"));
  }

  @Test
  void neverReadsTheBodyOfAFeedThatAnswersAnError() throws Exception {
    server.flood("/feed", 502);
    assertThat(updater.tick())
        .isEqualTo(new UpdateDecision.CheckError("the update feed answered HTTP 502"));
    await().atMost(Duration.ofSeconds(30)).untilTrue(server.floodEnded);
    assertThat(server.flooded.get()).isLessThan(64L << 20);
  }

  @Test
  void checksAndInstallsThroughAServerThatRefusesUpgradeRequests() throws Exception {
    server.refuseUpgrades();
    assertThat(updater.tick()).isEqualTo(new UpdateDecision.Updated(v("0.5.0"), v("0.6.0")));
  }

  @Test
  void reportsACheckErrorNamingTheFeedWhenNothingListens() throws Exception {
    String closed = ClosedPort.url("/feed").toString();
    config.set(new WorkerConfig.Builder(config.get()).autoUpdateFeed(closed).build());
    assertThat(updater.tick())
        .isEqualTo(
            new UpdateDecision.CheckError(
                "cannot reach the update feed " + closed + ": connection refused"));
  }

  @Test
  void reportsACheckErrorForADocumentThatIsNotAFeed() throws Exception {
    server.put("/feed", "<!doctype html><html><body>Sign in</body></html>");
    assertThat(updater.tick())
        .isEqualTo(
            new UpdateDecision.CheckError(
                "the update feed is not JSON: it looks like an HTML or XML page"));
    server.put("/feed", "{\"message\":\"Not Found\"}");
    assertThat(updater.tick())
        .isEqualTo(
            new UpdateDecision.CheckError(
                "the update feed is not a release: a JSON object without a tag_name"));
  }

  @Test
  void aDevelopmentBuildReadsNoFeedOffLoopback() throws Exception {
    config.set(
        new WorkerConfig.Builder(config.get())
            .autoUpdateFeed("https://updates.example.test/feed.json")
            .build());
    UpdateDecision decision = developmentUpdater().tick();
    assertThat(decision).isInstanceOf(UpdateDecision.CheckError.class);
    assertThat(((UpdateDecision.CheckError) decision).why())
        .startsWith(
            "refusing the update feed that is not on loopback:"
                + " https://updates.example.test/feed.json; this is a development build")
        .contains("127.0.0.1, [::1] or localhost");
    assertThat(root.resolve("staging")).doesNotExist();
  }

  @Test
  void aDevelopmentBuildUpdatesFromALoopbackFeed() throws Exception {
    assertThat(developmentUpdater().tick())
        .isEqualTo(new UpdateDecision.Updated(v("0.5.0"), v("0.6.0")));
  }

  @Test
  void aDevelopmentBuildRefusesABuildOffLoopbackThatALoopbackFeedNames() throws Exception {
    server.put(
        "/feed",
        "[{\"tag_name\":\"v0.6.0\",\"assets\":[{\"name\":\"studio-worker-0.6.0-linux-x64.tar.gz\","
            + "\"browser_download_url\":\"https://cdn.example.test/studio-worker-0.6.0-linux-x64.tar.gz\"}]}]");
    UpdateDecision decision = developmentUpdater().tick();
    assertThat(decision).isInstanceOf(UpdateDecision.UpdateError.class);
    assertThat(((UpdateDecision.UpdateError) decision).why())
        .startsWith("refusing a download that is not on loopback");
    assertThat(Files.readSymbolicLink(root.resolve("current")))
        .isEqualTo(Path.of("versions/0.5.0"));
  }

  @Test
  void isUpToDateWhenTheNewestReleaseHasNoJavaBuild() throws Exception {
    server.put("/feed", feed("v0.6.0", "/dl/studio-worker-x86_64-unknown-linux-gnu.tar.gz"));
    assertThat(updater.tick())
        .isEqualTo(new UpdateDecision.UpToDate(v("0.5.0"), "no Java build in release 0.6.0"));
    assertThat(server.requested).containsExactly("/feed");
  }

  @Test
  void refusesABadSignatureAndLeavesEverythingAsItWas() throws Exception {
    server.put(ASSET + ".sig", Builds.sign(Builds.keyPair().getPrivate(), Builds.build("0.6.0")));
    UpdateDecision decision = updater.tick();
    assertThat(decision).isInstanceOf(UpdateDecision.UpdateError.class);
    assertThat(((UpdateDecision.UpdateError) decision).why()).contains("signature");
    assertThat(Files.readSymbolicLink(root.resolve("current")))
        .isEqualTo(Path.of("versions/0.5.0"));
    assertThat(root.resolve("versions/0.6.0")).doesNotExist();
    assertThat(gate.isBusy()).isFalse();
    assertThat(updater.holdsSlot()).isFalse();
  }

  @Test
  void refusesABuildWithoutALauncher() throws Exception {
    byte[] empty =
        Builds.tarGz(List.of(new Builds.Entry("studio-worker-0.6.0/README", 0644, new byte[] {1})));
    server.put(ASSET, empty);
    server.put(ASSET + ".sig", Builds.sign(key.getPrivate(), empty));
    UpdateDecision decision = updater.tick();
    assertThat(((UpdateDecision.UpdateError) decision).why()).contains("bin/studio-worker");
    assertThat(Files.readSymbolicLink(root.resolve("current")))
        .isEqualTo(Path.of("versions/0.5.0"));
    assertThat(gate.isBusy()).isFalse();
    try (var left = Files.list(root.resolve("versions"))) {
      assertThat(left).extracting(p -> p.getFileName().toString()).containsExactly("0.5.0");
    }
  }

  @Test
  void neverOffersAVersionTheLauncherRolledBack() throws Exception {
    Files.createDirectories(root.resolve("state"));
    Files.writeString(root.resolve("state/refused"), "0.6.0\n");
    assertThat(updater.tick())
        .isEqualTo(new UpdateDecision.UpToDate(v("0.5.0"), "0.6.0 was rolled back here"));
  }

  @Test
  void readsTheInstallRootFromTheLaunchersEnvironment() {
    assertThat(Installation.fromEnv(java.util.Map.of())).isEmpty();
    Optional<Installation> found =
        Installation.fromEnv(java.util.Map.of("STUDIO_WORKER_HOME", root.toString()));
    assertThat(found.map(Installation::root)).hasValue(root.toAbsolutePath());
    assertThat(found.orElseThrow().currentVersion()).hasValue("0.5.0");
  }

  private String feed(String tag, String assetPath) {
    String name = assetPath.substring(assetPath.lastIndexOf('/') + 1);
    return "[{\"tag_name\":\"%s\",\"prerelease\":false,\"draft\":false,\"assets\":[{\"name\":\"%s\",\"browser_download_url\":\"%s\"}]}]"
        .formatted(tag, name, server.url(assetPath));
  }
}
