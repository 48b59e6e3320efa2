package org.studioworker.runtime.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.runtime.lifecycle.LoopSchedule;
import org.studioworker.runtime.registration.RegistrationState;
import org.studioworker.runtime.status.SessionState;

final class SystemdNotifierTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final Duration NOTHING = Duration.ofMillis(50);

  /**
   * Heartbeat 5 s (so three unacknowledged intervals are 15 s), connect 15 s, send 10 s, read idle
   * 20 s: one connect attempt may take 15 + 10 + 20 + 15 = 60 s before it counts as stuck.
   */
  private static final LoopSchedule SCHEDULE =
      new LoopSchedule(
          Duration.ofSeconds(5),
          Duration.ofSeconds(1),
          Duration.ofMillis(250),
          Duration.ofSeconds(1),
          Duration.ofSeconds(30),
          Duration.ofSeconds(20),
          Duration.ofSeconds(15),
          Duration.ofSeconds(30),
          Duration.ofSeconds(10),
          List.of());

  /** So a ping is due every 60 s. */
  private static final Duration WATCHDOG = Duration.ofSeconds(120);

  @TempDir Path dir;

  private final FakeClock clock = new FakeClock(Instant.parse("2025-06-01T12:00:00Z"));
  private final AtomicReference<SessionState> session =
      new AtomicReference<>(new SessionState.WaitingForApproval());
  private final AtomicReference<RegistrationState> registration =
      new AtomicReference<>(new RegistrationState.Pristine());
  private final AtomicReference<@Nullable Instant> lastAck = new AtomicReference<>();

  private NotifySocket systemd;
  private SdNotify notify;

  @BeforeEach
  void listen() throws Exception {
    systemd = NotifySocket.atPath(dir.resolve("notify"));
    notify = SdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", systemd.address()));
  }

  @AfterEach
  void close() throws Exception {
    systemd.close();
  }

  @Test
  void readyComesWithTheFirstWelcomeAndOnlyOnce() throws Exception {
    SystemdNotifier notifier = notifier(Optional.empty());
    notifier.apiUp();
    session.set(new SessionState.Connecting(1));
    expect(notifier, "STATUS=connecting to the studio…");

    session.set(new SessionState.Connected("w-1", "2025-06-01T12:00:01Z"));
    expect(notifier, "READY=1\nSTATUS=connected — ready for jobs");

    session.set(new SessionState.Reconnecting(1, Duration.ofSeconds(1), "closed"));
    expect(notifier, "STATUS=reconnecting (attempt 1)…");
    session.set(new SessionState.Connecting(2));
    expect(notifier, "STATUS=connecting to the studio…");
    session.set(new SessionState.Connected("w-1", "2025-06-01T12:00:09Z"));
    expect(notifier, "STATUS=connected — ready for jobs");
    expectNothing(notifier);
  }

  @Test
  void aRegisteredWorkerIsNotReadyBeforeItsSessionStartsEvenWithTheApiUp() throws Exception {
    SystemdNotifier notifier = notifier(Optional.empty());
    notifier.apiUp();
    // The board's first state, before the daemon has looked at the registration.
    expect(notifier, "STATUS=waiting for studio operator approval");
    clock.advance(Duration.ofMinutes(5));
    expectNothing(notifier);
  }

  @Test
  void aWorkerWaitingForApprovalIsReadyOnceItsApiIsUpAndTheStudioAnswered() throws Exception {
    SystemdNotifier notifier = notifier(Optional.of(WATCHDOG));
    expect(notifier, "STATUS=waiting for studio operator approval\nWATCHDOG=1");

    registration.set(new RegistrationState.Pending("req-1", clock.instant()));
    expectNothing(notifier);

    notifier.apiUp();
    expect(notifier, "READY=1");

    // Waiting is legitimate for as long as the operator takes: the pings go on.
    for (int minute = 1; minute <= 10; minute++) {
      clock.advance(Duration.ofSeconds(60));
      expect(notifier, "WATCHDOG=1");
    }
  }

  @Test
  void watchdogPingsEveryHalfIntervalOnlyWhileHeartbeatsAreAcknowledged() throws Exception {
    SystemdNotifier notifier = notifier(Optional.of(WATCHDOG));
    session.set(new SessionState.Connected("w-1", "2025-06-01T12:00:00Z"));
    expect(notifier, "READY=1\nSTATUS=connected — ready for jobs\nWATCHDOG=1");

    // Acks every 5 s: one ping per 60 s, none in between.
    for (int second = 5; second <= 120; second += 5) {
      lastAck.set(clock.advance(Duration.ofSeconds(5)));
      if (second % 60 == 0) {
        expect(notifier, "WATCHDOG=1");
      } else {
        expectNothing(notifier);
      }
    }

    // The acks stop at 120 s. At 135 s the last one is exactly three heartbeats old: still alive.
    clock.advance(Duration.ofSeconds(15));
    assertThat(notifier.isAlive(session.get(), clock.instant())).isTrue();
    // At 180 s a ping would be due, but no ack came for 60 s: none goes out, nor later.
    for (int second = 140; second <= 400; second += 5) {
      clock.advance(Duration.ofSeconds(5));
      expectNothing(notifier);
    }

    // Acks again: the overdue ping goes out at once.
    lastAck.set(clock.advance(Duration.ofSeconds(5)));
    expect(notifier, "WATCHDOG=1");
  }

  @Test
  void theFirstHeartbeatsOfASessionAreGivenTimeToBeAcknowledged() throws Exception {
    SystemdNotifier notifier = notifier(Optional.of(WATCHDOG));
    // An ack from the session before: older than this welcome, so it does not count.
    lastAck.set(clock.instant().minus(Duration.ofMinutes(10)));
    session.set(new SessionState.Connected("w-1", "2025-06-01T12:00:00Z"));
    notifier.tick();
    systemd.receive(WAIT);

    clock.advance(Duration.ofSeconds(15));
    assertThat(notifier.isAlive(session.get(), clock.instant())).isTrue();
    clock.advance(Duration.ofSeconds(1));
    assertThat(notifier.isAlive(session.get(), clock.instant())).isFalse();
  }

  @Test
  void aWorkerThatCannotReachTheStudioKeepsPingingWhileItsAttemptsProgress() throws Exception {
    SystemdNotifier notifier = notifier(Optional.of(WATCHDOG));
    // Each attempt: 45 s connecting (within its 60 s), then 30 s of backoff. Never welcomed.
    List<String> sent = new java.util.ArrayList<>();
    for (int attempt = 1; attempt <= 8; attempt++) {
      session.set(new SessionState.Connecting(attempt));
      collect(notifier, sent);
      for (int s = 0; s < 45; s += 5) {
        clock.advance(Duration.ofSeconds(5));
        collect(notifier, sent);
      }
      session.set(new SessionState.Reconnecting(attempt, Duration.ofSeconds(30), "refused"));
      collect(notifier, sent);
      for (int s = 0; s < 30; s += 5) {
        clock.advance(Duration.ofSeconds(5));
        collect(notifier, sent);
      }
    }
    // 8 × 75 s = 600 s: a ping at 0 s and every 60 s after, never more than 60 s apart.
    assertThat(sent.stream().filter(d -> d.contains("WATCHDOG=1"))).hasSize(11);
    assertThat(sent).noneMatch(d -> d.contains("READY=1"));
  }

  @Test
  void anAttemptStuckLongerThanItsTimeoutsStopsThePings() throws Exception {
    SystemdNotifier notifier = notifier(Optional.of(WATCHDOG));
    session.set(new SessionState.Connecting(1));
    expect(notifier, "STATUS=connecting to the studio…\nWATCHDOG=1");

    clock.advance(Duration.ofSeconds(60));
    assertThat(notifier.isAlive(session.get(), clock.instant())).isTrue();
    expect(notifier, "WATCHDOG=1");
    clock.advance(Duration.ofSeconds(1));
    assertThat(notifier.isAlive(session.get(), clock.instant())).isFalse();
    clock.advance(Duration.ofSeconds(60));
    expectNothing(notifier);

    // A backoff wait is alive for its own delay plus three heartbeats.
    session.set(new SessionState.Reconnecting(1, Duration.ofSeconds(30), "timed out"));
    expect(notifier, "STATUS=reconnecting (attempt 1)…\nWATCHDOG=1");
    clock.advance(Duration.ofSeconds(45));
    assertThat(notifier.isAlive(session.get(), clock.instant())).isTrue();
    clock.advance(Duration.ofSeconds(1));
    assertThat(notifier.isAlive(session.get(), clock.instant())).isFalse();
  }

  @Test
  void anEndedSessionKeepsPingingUntilTheProcessExits() throws Exception {
    SystemdNotifier notifier = notifier(Optional.of(WATCHDOG));
    notifier.tick();
    systemd.receive(WAIT);
    session.set(new SessionState.AuthFailed("the studio refused this worker's token"));
    clock.advance(Duration.ofSeconds(60));
    expect(
        notifier,
        "STATUS=authentication failed: the studio refused this worker's token. Re-register with"
            + " `studio-worker register --reset`.\nWATCHDOG=1");
    clock.advance(Duration.ofHours(1));
    expect(notifier, "WATCHDOG=1");
  }

  @Test
  void noWatchdogPingsWithoutAWatchdog() throws Exception {
    SystemdNotifier notifier = notifier(Optional.empty());
    session.set(new SessionState.Connected("w-1", "2025-06-01T12:00:00Z"));
    expect(notifier, "READY=1\nSTATUS=connected — ready for jobs");
    for (int i = 0; i < 10; i++) {
      lastAck.set(clock.advance(Duration.ofSeconds(60)));
      expectNothing(notifier);
    }
  }

  @Test
  void stoppingIsSentOnceAndSilencesTheLoop() throws Exception {
    SystemdNotifier notifier = notifier(Optional.of(WATCHDOG));
    session.set(new SessionState.Connected("w-1", "2025-06-01T12:00:00Z"));
    expect(notifier, "READY=1\nSTATUS=connected — ready for jobs\nWATCHDOG=1");

    notifier.stopping();
    assertThat(systemd.receive(WAIT))
        .isEqualTo("STOPPING=1\nSTATUS=stopping: no longer claiming jobs");
    notifier.stopping();
    session.set(new SessionState.Stopped());
    clock.advance(Duration.ofMinutes(5));
    assertThat(notifier.tick()).isNull();
    assertThat(systemd.receive(NOTHING)).isNull();
  }

  @Test
  void aDatagramThatCouldNotBeSentIsSentAgainAtTheNextLook() throws Exception {
    Path later = dir.resolve("later");
    SdNotify notYetListening = SdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", later.toString()));
    SystemdNotifier notifier =
        SystemdNotifier.builder(notYetListening)
            .session(session::get)
            .registration(registration::get)
            .lastAck(lastAck::get)
            .schedule(SCHEDULE)
            .watchdog(Optional.of(WATCHDOG))
            .clock(clock)
            .build();
    session.set(new SessionState.Connected("w-1", "2025-06-01T12:00:00Z"));
    assertThat(notifier.tick()).isNull();

    try (NotifySocket systemdLater = NotifySocket.atPath(later)) {
      clock.advance(Duration.ofSeconds(1));
      assertThat(notifier.tick())
          .isEqualTo("READY=1\nSTATUS=connected — ready for jobs\nWATCHDOG=1");
      assertThat(systemdLater.receive(WAIT))
          .isEqualTo("READY=1\nSTATUS=connected — ready for jobs\nWATCHDOG=1");
      assertThat(notifier.tick()).isNull();
    }
  }

  @Test
  void summariesNameEveryState() {
    assertThat(SystemdNotifier.summary(new SessionState.WaitingForApproval()))
        .isEqualTo("waiting for studio operator approval");
    assertThat(SystemdNotifier.summary(new SessionState.Connecting(3)))
        .isEqualTo("connecting to the studio…");
    assertThat(SystemdNotifier.summary(new SessionState.Connected("w-1", "t")))
        .isEqualTo("connected — ready for jobs");
    assertThat(
            SystemdNotifier.summary(
                new SessionState.Reconnecting(4, Duration.ofSeconds(8), "closed")))
        .isEqualTo("reconnecting (attempt 4)…");
    assertThat(SystemdNotifier.summary(new SessionState.AuthFailed("HTTP 401")))
        .isEqualTo(
            "authentication failed: HTTP 401. Re-register with `studio-worker register --reset`.");
    assertThat(SystemdNotifier.summary(new SessionState.Fatal("worker deleted")))
        .isEqualTo("session ended: worker deleted");
    assertThat(SystemdNotifier.summary(new SessionState.Stopped())).isEqualTo("stopped");
  }

  @Test
  void theLoopSendsUntilToldToEnd() throws Exception {
    LoopSchedule fast =
        new LoopSchedule(
            Duration.ofMillis(10),
            Duration.ofMillis(10),
            Duration.ofMillis(2),
            Duration.ofMillis(10),
            Duration.ofMillis(10),
            Duration.ofMillis(50),
            Duration.ofMillis(50),
            Duration.ofMillis(50),
            Duration.ofMillis(50),
            List.of());
    AtomicBoolean done = new AtomicBoolean();
    session.set(new SessionState.Connected("w-1", "2025-06-01T12:00:00Z"));
    SystemdNotifier notifier =
        SystemdNotifier.builder(notify)
            .session(session::get)
            .registration(registration::get)
            .lastAck(() -> Instant.now())
            .schedule(fast)
            .watchdog(Optional.of(Duration.ofMillis(40)))
            .done(done::get)
            .build();
    Thread loop =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    notifier.call();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });

    assertThat(systemd.receive(WAIT))
        .isEqualTo("READY=1\nSTATUS=connected — ready for jobs\nWATCHDOG=1");
    assertThat(systemd.receive(WAIT)).isEqualTo("WATCHDOG=1");
    assertThat(systemd.receive(WAIT)).isEqualTo("WATCHDOG=1");
    done.set(true);
    assertThat(loop.join(WAIT)).isTrue();
  }

  @Test
  void theLoopEndsAtOnceWithoutSystemd() throws Exception {
    SystemdNotifier notifier =
        SystemdNotifier.builder(SdNotify.disabled())
            .session(session::get)
            .registration(registration::get)
            .lastAck(lastAck::get)
            .schedule(SCHEDULE)
            .build();
    assertThat(notifier.call()).isNull();
  }

  private SystemdNotifier notifier(Optional<Duration> watchdog) {
    return SystemdNotifier.builder(notify)
        .session(session::get)
        .registration(registration::get)
        .lastAck(lastAck::get)
        .schedule(SCHEDULE)
        .watchdog(watchdog)
        .clock(clock)
        .build();
  }

  /** One tick sends exactly {@code datagram}, and the socket receives exactly that. */
  private void expect(SystemdNotifier notifier, String datagram) throws Exception {
    assertThat(notifier.tick()).isEqualTo(datagram);
    assertThat(systemd.receive(WAIT)).isEqualTo(datagram);
  }

  private void expectNothing(SystemdNotifier notifier) throws Exception {
    assertThat(notifier.tick()).isNull();
  }

  private void collect(SystemdNotifier notifier, List<String> sent) throws Exception {
    String datagram = notifier.tick();
    if (datagram != null) {
      assertThat(systemd.receive(WAIT)).isEqualTo(datagram);
      sent.add(datagram);
    }
  }
}
