package org.studioworker.runtime.registration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.devstudio.DevStudio;
import org.studioworker.devstudio.PendingRequest;
import org.studioworker.protocol.Capabilities;
import org.studioworker.protocol.FrameCodec;
import org.studioworker.runtime.config.ConfigStore;
import org.studioworker.runtime.config.LiveConfig;
import org.studioworker.runtime.config.WorkerConfig;
import org.studioworker.runtime.daemon.ExitCodes;
import org.studioworker.runtime.daemon.WorkerHarness;
import org.studioworker.runtime.http.StudioHttp;
import org.studioworker.spi.TaskKind;

final class RegistrationTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;

  private final DevStudio studio = DevStudio.start();
  private final List<RegistrationState> published = new ArrayList<>();
  private Instant now = Instant.parse("2026-01-02T03:04:05Z");

  @AfterEach
  void stopStudio() {
    studio.close();
  }

  private ConfigStore store() {
    return new ConfigStore(dir.resolve("config.toml"));
  }

  /** What the test worker advertises when it asks to join. */
  static Capabilities capabilities() {
    return Capabilities.of(
        "test-host",
        "tester",
        "0.0.0",
        0,
        12,
        true,
        true,
        Map.of(TaskKind.IMAGE, List.of("synthetic-image")));
  }

  private RegistrationGate gate() throws Exception {
    ConfigStore store = store();
    WorkerConfig config = WorkerConfig.defaults().withApiBaseUrl(studio.baseUrl().toString());
    store.save(config);
    return gate(store, config);
  }

  private RegistrationGate gate(ConfigStore store, WorkerConfig config) throws Exception {
    return new RegistrationGate(
        new LiveConfig(store, config),
        config.studioBase(),
        StudioHttp.client(Duration.ofSeconds(5)),
        new FrameCodec(),
        Duration.ofSeconds(5),
        RegistrationTest::capabilities,
        "studio-worker/test",
        new InstantSource() {
          @Override
          public Instant instant() {
            return now;
          }
        },
        new SecureRandom(),
        published::add,
        "studio-worker register --reset");
  }

  @Test
  void firstTickAsksOnceAndPersistsRequestSecretAndInstallId() throws Exception {
    RegistrationGate gate = gate();

    RegistrationState state = gate.tick();

    assertThat(state).isInstanceOf(RegistrationState.Pending.class);
    assertThat(studio.registerRequestsReceived()).isEqualTo(1);
    assertThat(studio.pollsReceived()).isZero();
    WorkerConfig saved = store().load();
    assertThat(saved.installId())
        .matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    assertThat(saved.registrationSecret()).matches("[0-9a-f]{64}");
    assertThat(saved.registrationRequestId())
        .isEqualTo(((RegistrationState.Pending) state).requestId());
    PendingRequest pending = studio.pendingRequests().getFirst();
    assertThat(pending.installId()).isEqualTo(saved.installId());
  }

  @Test
  void pendingKeepsItsFirstSeenTimeAcrossPolls() throws Exception {
    RegistrationGate gate = gate();
    RegistrationState.Pending first = (RegistrationState.Pending) gate.tick();

    now = now.plusSeconds(90);
    RegistrationState second = gate.tick();

    assertThat(second).isEqualTo(first);
    assertThat(((RegistrationState.Pending) second).since())
        .isEqualTo(Instant.parse("2026-01-02T03:04:05Z"));
    assertThat(studio.pollsReceived()).isEqualTo(1);
  }

  @Test
  void approvalStoresCredentialsAndClearsTheRequest() throws Exception {
    RegistrationGate gate = gate();
    RegistrationState.Pending pending = (RegistrationState.Pending) gate.tick();

    var credentials = studio.approve(pending.requestId());
    RegistrationState state = gate.tick();

    assertThat(state).isEqualTo(new RegistrationState.Approved(credentials.workerId()));
    WorkerConfig saved = store().load();
    assertThat(saved.workerId()).isEqualTo(credentials.workerId());
    assertThat(saved.authToken()).isEqualTo(credentials.authToken());
    assertThat(saved.registrationRequestId()).isNull();
    assertThat(saved.registrationSecret()).isNull();
    assertThat(gate.tick()).isEqualTo(state);
    assertThat(studio.pollsReceived()).isEqualTo(1);
  }

  @Test
  void rejectionClearsRequestAndSecret() throws Exception {
    RegistrationGate gate = gate();
    RegistrationState.Pending pending = (RegistrationState.Pending) gate.tick();

    studio.reject(pending.requestId(), "unknown machine");

    assertThat(gate.tick()).isEqualTo(new RegistrationState.Rejected("unknown machine"));
    WorkerConfig saved = store().load();
    assertThat(saved.registrationRequestId()).isNull();
    assertThat(saved.registrationSecret()).isNull();
    assertThat(saved.installId()).isNotNull();
  }

  @Test
  void staleRequestGoesBackToPristineAndTheNextTickAsksAgain() throws Exception {
    RegistrationGate gate = gate();
    gate.tick();
    studio.notFoundNextPolls(1);

    assertThat(gate.tick()).isInstanceOf(RegistrationState.Pristine.class);
    assertThat(store().load().registrationRequestId()).isNull();
    assertThat(gate.tick()).isInstanceOf(RegistrationState.Pending.class);
    assertThat(studio.registerRequestsReceived()).isEqualTo(2);
  }

  @Test
  void serverErrorOnRequestPersistsNothingAndRetriesNextTick() throws Exception {
    RegistrationGate gate = gate();
    studio.failNextRegisterRequests(1);

    assertThat(gate.tick()).isInstanceOf(RegistrationState.Pristine.class);
    assertThat(store().load().registrationRequestId()).isNull();
    assertThat(gate.tick()).isInstanceOf(RegistrationState.Pending.class);
  }

  @Test
  void serverErrorOnPollKeepsTheRequest() throws Exception {
    RegistrationGate gate = gate();
    RegistrationState.Pending pending = (RegistrationState.Pending) gate.tick();
    studio.failNextPolls(1);

    assertThat(gate.tick()).isEqualTo(pending);
    assertThat(store().load().registrationRequestId()).isEqualTo(pending.requestId());
  }

  @Test
  void daemonWaitsForApprovalThenConnects() throws Exception {
    Path config = WorkerHarness.writeConfig(dir, studio, null);
    try (WorkerHarness harness = WorkerHarness.start(config)) {
      PendingRequest request = studio.awaitPendingRequest(WAIT);
      var credentials = studio.approve(request.requestId());

      studio.awaitConnected(credentials.workerId(), WAIT);
      assertThat(harness.savedConfig().workerId()).isEqualTo(credentials.workerId());
      assertThat(harness.logLines())
          .anyMatch(line -> line.startsWith("waiting for operator approval (request "))
          .noneMatch(line -> line.contains(credentials.authToken()));
    }
  }

  @Test
  void rejectedDaemonWaitsForAResetAndExitsWithTheRejectionCodeWhenStopped() throws Exception {
    Path config = WorkerHarness.writeConfig(dir, studio, null);
    try (WorkerHarness harness = WorkerHarness.start(config)) {
      studio.reject(studio.awaitPendingRequest(WAIT).requestId(), "not ours");
      await()
          .atMost(WAIT)
          .until(
              () -> harness.daemon().board().registration() instanceof RegistrationState.Rejected);
      await()
          .during(Duration.ofMillis(300))
          .atMost(Duration.ofSeconds(2))
          .until(() -> !harness.hasExited());

      harness.daemon().stop().escalate("test");
      assertThat(harness.awaitExit(WAIT)).isEqualTo(ExitCodes.REJECTED);
      assertThat(harness.logLines())
          .anyMatch(line -> line.contains("not ours") && line.contains("register --reset"));
    }
  }

  @Test
  void stopWhileWaitingForApprovalIsACleanExit() throws Exception {
    Path config = WorkerHarness.writeConfig(dir, studio, null);
    try (WorkerHarness harness = WorkerHarness.start(config)) {
      studio.awaitPendingRequest(WAIT);

      harness.daemon().stop().escalate("SIGTERM");

      assertThat(harness.awaitExit(WAIT)).isEqualTo(ExitCodes.OK);
      await().atMost(WAIT).until(harness::hasExited);
    }
  }
}
