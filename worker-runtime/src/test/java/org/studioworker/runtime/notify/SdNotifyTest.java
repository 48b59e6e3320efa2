package org.studioworker.runtime.notify;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.studioworker.runtime.logs.Redactor;

final class SdNotifyTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final Duration NOTHING = Duration.ofMillis(100);

  @TempDir Path dir;

  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
  private final Logger systemdLogger = (Logger) LoggerFactory.getLogger("systemd");
  private Level levelBefore = Level.INFO;

  @BeforeEach
  void recordSystemdLogger() {
    logged.start();
    systemdLogger.addAppender(logged);
    levelBefore = systemdLogger.getLevel();
    systemdLogger.setLevel(Level.DEBUG);
  }

  @AfterEach
  void stopRecording() {
    systemdLogger.detachAppender(logged);
    systemdLogger.setLevel(levelBefore);
  }

  @Test
  void sendsEachStateAsOneDatagramToAPathSocket() throws Exception {
    try (NotifySocket systemd = NotifySocket.atPath(dir.resolve("notify"))) {
      SdNotify notify = SdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", systemd.address()));
      assertThat(notify.isEnabled()).isTrue();

      assertThat(notify.ready()).isTrue();
      assertThat(systemd.receive(WAIT)).isEqualTo("READY=1");
      assertThat(notify.status("connected — ready for jobs")).isTrue();
      assertThat(systemd.receive(WAIT)).isEqualTo("STATUS=connected — ready for jobs");
      assertThat(notify.watchdog()).isTrue();
      assertThat(systemd.receive(WAIT)).isEqualTo("WATCHDOG=1");
      assertThat(notify.stopping()).isTrue();
      assertThat(systemd.receive(WAIT)).isEqualTo("STOPPING=1");
      assertThat(notify.send("READY=1\nSTATUS=two lines")).isTrue();
      assertThat(systemd.receive(WAIT)).isEqualTo("READY=1\nSTATUS=two lines");
      assertThat(systemd.receive(NOTHING)).isNull();
    }
    assertThat(logged.list).isEmpty();
  }

  @Test
  void sendsToAnAbstractSocketNamedWithAnAt() throws Exception {
    try (NotifySocket systemd =
        NotifySocket.abstractNamed("studio-worker-test-" + UUID.randomUUID())) {
      SdNotify notify = SdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", systemd.address()));

      assertThat(notify.ready()).isTrue();
      assertThat(systemd.receive(WAIT)).isEqualTo("READY=1");
    }
  }

  @Test
  void aPathOfExactly107BytesFitsAnd108DoNot() throws Exception {
    String base = dir.toAbsolutePath() + "/";
    String longest = base + "n".repeat(UnixAddress.MAX_NAME_BYTES - base.length());
    assertThat(longest).hasSize(107);
    try (NotifySocket systemd = NotifySocket.atPath(Path.of(longest))) {
      SdNotify notify = SdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", longest));
      assertThat(notify.ready()).isTrue();
      assertThat(systemd.receive(WAIT)).isEqualTo("READY=1");
    }

    SdNotify tooLong = SdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", longest + "n"));
    assertThat(tooLong.isEnabled()).isFalse();
  }

  @Test
  void statusIsOneLineWithSecretsMaskedAndBounded() throws Exception {
    String secret = "secret-" + UUID.randomUUID();
    Redactor.register(secret);
    try (NotifySocket systemd = NotifySocket.atPath(dir.resolve("notify"))) {
      SdNotify notify = SdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", systemd.address()));

      notify.status("session ended: studio said\nREADY=1\r\ntoken " + secret);
      assertThat(systemd.receive(WAIT))
          .isEqualTo("STATUS=session ended: studio said READY=1 token " + Redactor.MASK);

      notify.status("x".repeat(2000));
      String bounded = systemd.receive(WAIT);
      assertThat(bounded).isEqualTo("STATUS=" + "x".repeat(SdNotify.MAX_STATUS_CHARS - 1) + "…");
    }
  }

  @Test
  void withoutNotifySocketNothingIsSentAndNothingLogged() {
    for (Map<String, String> env :
        java.util.List.of(Map.<String, String>of(), Map.of("NOTIFY_SOCKET", ""))) {
      SdNotify notify = SdNotify.fromEnvironment(env);
      assertThat(notify.isEnabled()).isFalse();
      assertThat(notify.ready()).isFalse();
      assertThat(notify.status("stopped")).isFalse();
      assertThat(notify.watchdog()).isFalse();
      assertThat(notify.stopping()).isFalse();
    }
    assertThat(logged.list).isEmpty();
  }

  @Test
  void aRelativePathIsRefusedWithOneWarning() {
    SdNotify notify = SdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", "run/systemd/notify"));
    notify.ready();
    notify.watchdog();

    assertThat(notify.isEnabled()).isFalse();
    assertThat(logged.list)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getLevel()).isEqualTo(Level.WARN);
              assertThat(e.getFormattedMessage())
                  .contains("NOTIFY_SOCKET=run/systemd/notify cannot be used")
                  .contains("neither an absolute path nor an abstract socket name");
            });
  }

  @Test
  void aPathTooLongForSunPathIsRefusedWithOneClearWarning() {
    String path = dir.toAbsolutePath() + "/" + "n".repeat(200);
    SdNotify notify = SdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", path));
    notify.ready();
    notify.status("connected — ready for jobs");

    assertThat(notify.isEnabled()).isFalse();
    int bytes = path.length();
    assertThat(logged.list)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getLevel()).isEqualTo(Level.WARN);
              assertThat(e.getFormattedMessage())
                  .contains(
                      "it is " + bytes + " bytes long, and a Unix socket address holds at most 107")
                  .contains("systemd will not hear from this worker");
            });
  }

  @Test
  void aFailingSendWarnsOnceThenLogsAtDebugLevel() {
    Path nobody = dir.resolve("nobody-listens");
    SdNotify notify = SdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", nobody.toString()));

    assertThat(notify.ready()).isFalse();
    assertThat(notify.watchdog()).isFalse();
    assertThat(notify.watchdog()).isFalse();

    assertThat(logged.list)
        .extracting(ILoggingEvent::getLevel)
        .containsExactly(Level.WARN, Level.DEBUG, Level.DEBUG);
    assertThat(logged.list.getFirst().getFormattedMessage())
        .contains("could not tell systemd READY=1 through NOTIFY_SOCKET=" + nobody)
        .contains("No such file or directory (errno 2)");
  }

  @Test
  void watchdogIntervalIsOursWhenThePidIsThisProcessOrItsLauncher() {
    long self = 4242;
    long launcher = 4200;
    Map<String, String> noPid = Map.of("WATCHDOG_USEC", "120000000");

    assertThat(SdNotify.watchdogInterval(noPid, self, launcher)).contains(Duration.ofSeconds(120));
    assertThat(SdNotify.watchdogInterval(withPid(self), self, launcher))
        .contains(Duration.ofSeconds(120));
    assertThat(SdNotify.watchdogInterval(withPid(launcher), self, launcher))
        .contains(Duration.ofSeconds(120));
    assertThat(SdNotify.watchdogInterval(withPid(1), self, launcher)).isEmpty();
  }

  @Test
  void watchdogIntervalIsEmptyWhenUnsetOrMalformed() {
    assertThat(SdNotify.watchdogInterval(Map.of(), 1, 2)).isEmpty();
    assertThat(SdNotify.watchdogInterval(Map.of("WATCHDOG_USEC", "soon"), 1, 2)).isEmpty();
    assertThat(SdNotify.watchdogInterval(Map.of("WATCHDOG_USEC", "0"), 1, 2)).isEmpty();
    assertThat(
            SdNotify.watchdogInterval(
                Map.of("WATCHDOG_USEC", "1000000", "WATCHDOG_PID", "launcher"), 1, 2))
        .isEmpty();
  }

  @Test
  void watchdogIntervalOfTheRealProcessAcceptsItsOwnPid() {
    Map<String, String> env =
        Map.of(
            "WATCHDOG_USEC",
            "2000000",
            "WATCHDOG_PID",
            Long.toString(ProcessHandle.current().pid()));
    assertThat(SdNotify.watchdogInterval(env)).contains(Duration.ofSeconds(2));
  }

  private static Map<String, String> withPid(long pid) {
    return Map.of("WATCHDOG_USEC", "120000000", "WATCHDOG_PID", Long.toString(pid));
  }
}
