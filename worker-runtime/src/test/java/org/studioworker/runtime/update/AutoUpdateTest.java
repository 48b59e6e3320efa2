package org.studioworker.runtime.update;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.runtime.Version;
import org.studioworker.runtime.config.WorkerConfig;
import org.studioworker.runtime.jobs.JobGate;
import org.studioworker.runtime.lifecycle.StopSignal;
import org.studioworker.runtime.logs.LogRing;
import org.studioworker.runtime.registration.RegistrationState;
import org.studioworker.runtime.status.SessionState;
import org.studioworker.runtime.status.StatusBoard;

/**
 * The updater as the daemon wires it: {@code state/started}, the launcher's probation marker, is
 * written only once the studio has answered this process.
 */
final class AutoUpdateTest {
  /** A guard, not a measure: without the deadlines a stalled server would hang the test. */
  private static final long HANG_GUARD_SECS = 60;

  @TempDir Path root;

  private final StopSignal stop = new StopSignal();
  private final ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
  private final StatusBoard board = new StatusBoard(new LogRing(LogRing.DEFAULT_CAPACITY));
  private ReleaseServer server;
  private WorkerConfig config;

  @BeforeEach
  void start() throws Exception {
    server = new ReleaseServer();
    server.put("/feed", "[]");
    config =
        new WorkerConfig.Builder(WorkerConfig.defaults())
            .autoUpdateEnabled(true)
            .autoUpdateFeed(server.url("/feed").toString())
            .autoUpdateIntervalSecs(1)
            .build();
    // `current` is the running build, as the launcher starts it: a newer one would be followed.
    Files.createDirectories(root.resolve("versions").resolve(Version.current()));
    new Installation(root).switchCurrent(Version.current());
  }

  @AfterEach
  void stop() {
    stop.stopNow("test over");
    pool.shutdownNow();
    server.close();
  }

  @Test
  void aRegisteredWorkerMarksStartUpOnlyOnceWelcomed() throws Exception {
    // The board as the daemon starts it, before the session has reached the studio.
    assertThat(board.session()).isEqualTo(new SessionState.WaitingForApproval());
    Future<?> updater = pool.submit(task());

    awaitChecks(2);
    assertThat(started()).as("a worker the studio never welcomed").doesNotExist();
    board.session(new SessionState.Connecting(1));
    awaitChecks(3);
    assertThat(started()).doesNotExist();

    board.session(new SessionState.Connected("w-1", "2025-01-01T00:00:00Z"));
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(started()));
    assertThat(started()).hasContent(Version.current());
    assertThat(updater.isDone()).isFalse();
  }

  @Test
  void anUnapprovedWorkerMarksStartUpOnceTheStudioAnsweredItsRegistration() throws Exception {
    Future<?> updater = pool.submit(task());

    awaitChecks(2);
    assertThat(started()).as("no answer from the studio yet").doesNotExist();

    board.registration(new RegistrationState.Pending("req-1", Instant.EPOCH));
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(started()));
    assertThat(started()).hasContent(Version.current());
    assertThat(updater.isDone()).isFalse();
  }

  @Test
  void startUpMeansTheStudioAnswered() {
    RegistrationState none = new RegistrationState.Pristine();
    assertThat(AutoUpdate.startedUp(new SessionState.Connected("w-1", "now"), none)).isTrue();
    assertThat(
            AutoUpdate.startedUp(
                new SessionState.WaitingForApproval(),
                new RegistrationState.Pending("req-1", Instant.EPOCH)))
        .isTrue();
    assertThat(AutoUpdate.startedUp(new SessionState.WaitingForApproval(), none)).isFalse();
    assertThat(AutoUpdate.startedUp(new SessionState.Connecting(3), none)).isFalse();
    assertThat(AutoUpdate.startedUp(new SessionState.Reconnecting(2, Duration.ZERO, "gone"), none))
        .isFalse();
    assertThat(AutoUpdate.startedUp(new SessionState.AuthFailed("401"), none)).isFalse();
  }

  @Test
  @Timeout(HANG_GUARD_SECS)
  void checkUpdateEndsAtTheDeadlineWhenTheFeedStalls() {
    server.stall("/feed", 4000, "[".getBytes(StandardCharsets.UTF_8));
    Deadlines impatient =
        new Deadlines(Duration.ofMillis(300), Duration.ofSeconds(10), Duration.ofSeconds(60));
    assertThatThrownBy(() -> AutoUpdate.check(config, Map.of(), impatient))
        .isInstanceOf(IOException.class)
        .hasMessage("the update feed did not arrive within 0.3 s");
  }

  @Test
  void checkUpdateReadsAFeedFromAServerThatRefusesUpgradeRequests() throws Exception {
    server.refuseUpgrades();
    assertThat(AutoUpdate.check(config, Map.of())).startsWith("up to date: ");
  }

  @Test
  void checkUpdateSaysWhatFailedWhenNothingListens() {
    String closed = ClosedPort.url("/feed").toString();
    WorkerConfig unreachable = new WorkerConfig.Builder(config).autoUpdateFeed(closed).build();
    assertThatThrownBy(() -> AutoUpdate.check(unreachable, Map.of()))
        .isInstanceOf(IOException.class)
        .hasMessage("cannot reach the update feed " + closed + ": connection refused");
  }

  @Test
  void checkUpdateRefusesADocumentThatIsNotAFeed() {
    server.put("/feed", "<html><body>rate limited</body></html>");
    assertThatThrownBy(() -> AutoUpdate.check(config, Map.of()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not JSON");
    server.put("/feed", "{\"documentation_url\":\"https://docs.example.test\"}");
    assertThatThrownBy(() -> AutoUpdate.check(config, Map.of()))
        .isInstanceOf(IOException.class)
        .hasMessage("the update feed is not a release: a JSON object without a tag_name");
  }

  @Test
  void checkUpdateOfADevelopmentBuildRefusesAFeedOffLoopbackWithoutAsking() {
    WorkerConfig remote =
        new WorkerConfig.Builder(config)
            .autoUpdateFeed("https://updates.example.test/releases")
            .build();
    assertThatThrownBy(() -> AutoUpdate.check(remote, Map.of(), Deadlines.STANDARD, true))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("development build")
        .hasMessageContaining("only from 127.0.0.1, [::1] or localhost");
  }

  @Test
  void checkUpdateOfADevelopmentBuildReadsALoopbackFeed() throws Exception {
    assertThat(AutoUpdate.check(config, Map.of(), Deadlines.STANDARD, true))
        .startsWith("up to date: ");
    assertThat(server.requested).containsExactly("/feed");
  }

  private Callable<?> task() {
    return AutoUpdate.task(
            Map.of("STUDIO_WORKER_HOME", root.toString(), "STUDIO_WORKER_UPDATE_TICK_SECS", "1"),
            () -> config,
            new JobGate(),
            stop,
            board::session,
            board::registration,
            () -> {})
        .orElseThrow();
  }

  /** The updater marks before its next check once started up; after a check, it had not. */
  private void awaitChecks(int count) {
    await().atMost(Duration.ofSeconds(30)).until(() -> server.requested.size() >= count);
  }

  private Path started() {
    return root.resolve("state/started");
  }
}
