package org.studioworker.ui.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spawn-after-grace rule, against a real lock file and a real (fake) launcher process. */
final class DaemonKeeperTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  private Path config;
  private Path launcher;
  private Path calls;
  private final MutableClock clock = new MutableClock();
  private @Nullable Process holder;

  /** A clock the test moves. */
  private static final class MutableClock implements InstantSource {
    private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public Instant instant() {
      return now;
    }

    void advance(Duration by) {
      now = now.plus(by);
    }
  }

  /** This JVM's other children (another test class's X server), there before the test began. */
  private Set<Long> before = Set.of();

  /** The processes of this JVM started since the test began and still running. */
  private List<Long> strays() {
    return ProcessHandle.current()
        .descendants()
        .map(ProcessHandle::pid)
        .filter(pid -> !before.contains(pid))
        .toList();
  }

  @BeforeEach
  void writeFakeLauncher() throws IOException {
    before =
        ProcessHandle.current()
            .descendants()
            .map(ProcessHandle::pid)
            .collect(Collectors.toUnmodifiableSet());
    config = dir.resolve("config dir").resolve("config.toml");
    Files.createDirectories(config.getParent());
    calls = dir.resolve("calls.txt");
    launcher = dir.resolve("studio-worker");
    Files.writeString(
        launcher,
        "#!/bin/bash\n"
            + "echo \"$*\" >> '"
            + calls
            + "'\n"
            // Field 6 of /proc/<pid>/stat is the session; a session leader's is its own pid.
            + "echo \"pid=$$ session=$(cut -d' ' -f6 /proc/$$/stat) stdin=$(readlink /proc/$$/fd/0)\""
            + " >> '"
            + dir.resolve("detached.txt")
            + "'\n"
            + "echo \"fake daemon says hello\"\n"
            + "echo \"fake daemon complains\" >&2\n");
    Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwx------"));
  }

  @AfterEach
  void noStrayProcess() throws Exception {
    releaseLock();
    await().atMost(WAIT).untilAsserted(() -> assertThat(strays()).isEmpty());
  }

  private DaemonKeeper keeper(long logLimit) {
    Path setsid = Path.of("/usr/bin/setsid");
    return new DaemonKeeper(
        config, launcher, Files.isExecutable(setsid) ? setsid : null, clock, logLimit);
  }

  /** Polls once a second (of the test's clock), {@code seconds} times, the daemon silent. */
  private void silentPolls(DaemonKeeper keeper, int seconds) {
    for (int i = 0; i < seconds; i++) {
      keeper.afterPoll(false);
      clock.advance(Duration.ofSeconds(1));
    }
  }

  private List<String> calls() throws IOException {
    return Files.exists(calls) ? Files.readAllLines(calls) : List.of();
  }

  /** Waits until the launcher has been called {@code n} times and every call has ended. */
  private void awaitCalls(int n) {
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(calls()).hasSize(n);
              assertThat(strays()).isEmpty();
            });
  }

  /** Holds {@code daemon.lock} from another process with {@code fcntl.lockf}, as Java does. */
  private void holdLock() throws Exception {
    Assumptions.assumeTrue(
        onPath("python3"), "python3 is needed to hold a POSIX lock from another process");
    Path out = dir.resolve("holder.log");
    Files.deleteIfExists(out);
    holder =
        new ProcessBuilder(
                "python3",
                "-c",
                "import fcntl, sys\n"
                    + "f = open(sys.argv[1], 'a')\n"
                    + "fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
                    + "print('locked', flush=True)\n"
                    + "sys.stdin.read()\n",
                config.resolveSibling("daemon.lock").toString())
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    await().atMost(WAIT).until(() -> Files.readString(out).contains("locked"));
  }

  private static boolean onPath(String program) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String entry : path.split(":")) {
      if (!entry.isEmpty() && Files.isExecutable(Path.of(entry, program))) {
        return true;
      }
    }
    return false;
  }

  private void releaseLock() throws Exception {
    Process held = holder;
    if (held != null) {
      held.getOutputStream().close(); // its stdin ends, and so does it
      if (!held.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
        held.destroyForcibly();
      }
      holder = null;
    }
  }

  @Test
  void startsTheDaemonOnceAfterTwentySecondsOfFreeLockAndNotAgainWithinTen() throws Exception {
    DaemonKeeper keeper = keeper(DaemonKeeper.LOG_LIMIT);

    silentPolls(keeper, 20); // t = 0 … 19 s
    assertThat(calls()).isEmpty();
    assertThat(strays()).isEmpty();

    silentPolls(keeper, 1); // t = 20 s
    awaitCalls(1);
    assertThat(calls()).containsExactly("--config " + config.toAbsolutePath() + " run");
    String detached = Files.readString(dir.resolve("detached.txt")).strip();
    assertThat(detached).endsWith("stdin=/dev/null");
    if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
      String pid = detached.replaceAll(".*pid=(\\d+).*", "$1");
      assertThat(detached).as("a session of its own").contains("session=" + pid + " ");
    }

    silentPolls(keeper, 9); // t = 21 … 29 s
    assertThat(calls()).hasSize(1);
    assertThat(strays()).isEmpty();

    silentPolls(keeper, 1); // t = 30 s: still no daemon, 10 s since the last start
    awaitCalls(2);

    assertThat(keeper.daemonLog()).isEqualTo(config.resolveSibling("daemon.log"));
    assertThat(Files.readAllLines(keeper.daemonLog()))
        .containsExactly(
            "fake daemon says hello",
            "fake daemon complains",
            "fake daemon says hello",
            "fake daemon complains");
  }

  @Test
  void neverStartsWhileAnotherProcessHoldsTheDaemonLock() throws Exception {
    DaemonKeeper keeper = keeper(DaemonKeeper.LOG_LIMIT);
    holdLock();

    silentPolls(keeper, 60);

    assertThat(keeper.startAttempts()).isZero();
    assertThat(calls()).isEmpty();
    releaseLock();
    silentPolls(keeper, 20);
    assertThat(calls()).isEmpty();
    silentPolls(keeper, 1);
    awaitCalls(1);
  }

  @Test
  void aPollThatSeesTheLockHeldStartsTheGraceAgain() throws Exception {
    DaemonKeeper keeper = keeper(DaemonKeeper.LOG_LIMIT);

    silentPolls(keeper, 15); // free, t = 0 … 14 s
    holdLock();
    silentPolls(keeper, 1); // held at t = 15 s
    releaseLock();
    silentPolls(keeper, 20); // free, t = 16 … 35 s: 20 polls but only 19 s since 16
    assertThat(calls()).isEmpty();
    silentPolls(keeper, 1); // t = 36 s: 20 s since 16
    awaitCalls(1);
  }

  @Test
  void anAnsweringDaemonStartsTheGraceAgain() throws Exception {
    DaemonKeeper keeper = keeper(DaemonKeeper.LOG_LIMIT);

    silentPolls(keeper, 15);
    keeper.afterPoll(true);
    clock.advance(Duration.ofSeconds(1));
    silentPolls(keeper, 20);
    assertThat(calls()).isEmpty();
    silentPolls(keeper, 1);
    awaitCalls(1);
  }

  /** Whether another process finds {@code daemon.lock} taken ({@code fcntl.lockf} refused). */
  private boolean heldSeenFromAnotherProcess() throws Exception {
    Assumptions.assumeTrue(onPath("python3"), "python3 is needed to probe a POSIX lock");
    Process probe =
        new ProcessBuilder(
                "python3",
                "-c",
                "import fcntl, sys\n"
                    + "f = open(sys.argv[1], 'a')\n"
                    + "try:\n"
                    + "    fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
                    + "except OSError:\n"
                    + "    sys.exit(3)\n",
                config.resolveSibling("daemon.lock").toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("probe.log").toFile())
            .start();
    assertThat(probe.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(probe.exitValue()).as(Files.readString(dir.resolve("probe.log"))).isIn(0, 3);
    return probe.exitValue() == 3;
  }

  @Test
  void probingLeavesTheLockOfADaemonInThisJvmStanding() throws Exception {
    DaemonKeeper keeper = keeper(DaemonKeeper.LOG_LIMIT);
    try (FileChannel daemon =
        FileChannel.open(
            config.resolveSibling("daemon.lock"),
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE)) {
      var lock = daemon.tryLock();
      assertThat(lock).isNotNull();

      silentPolls(keeper, 30);

      assertThat(heldSeenFromAnotherProcess()).isTrue();
      assertThat(calls()).isEmpty();
    }
    assertThat(heldSeenFromAnotherProcess()).isFalse();
  }

  @Test
  void withoutALauncherNoDaemonIsEverStarted() throws Exception {
    DaemonKeeper keeper = new DaemonKeeper(config, Map.of("PATH", "/usr/bin:/bin"), clock);

    silentPolls(keeper, 120);

    assertThat(keeper.startAttempts()).isZero();
    assertThat(calls()).isEmpty();
    assertThat(strays()).isEmpty();
  }

  @Test
  void anUnstartableLauncherIsTriedAtMostEveryTenSeconds() throws Exception {
    Files.delete(launcher);
    DaemonKeeper keeper = keeper(DaemonKeeper.LOG_LIMIT);

    silentPolls(keeper, 60);

    assertThat(keeper.startAttempts()).as("tries at 20, 30, 40 and 50 s").isEqualTo(4);
    assertThat(calls()).isEmpty();
  }

  @Test
  void theLogIsTrimmedAtItsLimitKeepingThreeCopiesAndTheTail() throws Exception {
    long limit = 1024;
    DaemonKeeper keeper = keeper(limit);
    Path log = keeper.daemonLog();
    // A daemon's own open file: O_APPEND, as the redirect of a started daemon opens it.
    try (FileChannel daemon =
        FileChannel.open(log, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      for (int round = 1; round <= 5; round++) {
        write(daemon, "x".repeat(2000) + "\ntail-" + round + "\n");
        keeper.afterPoll(true);
        assertThat(log).isEmptyFile();
        assertThat(Files.readString(log.resolveSibling("daemon.log.1")))
            .endsWith("tail-" + round + "\n");
        // The daemon's next write after a trim lands at the start of the truncated file.
        write(daemon, "after-" + round + "\n");
        assertThat(Files.readString(log)).isEqualTo("after-" + round + "\n");

        write(daemon, "y".repeat(2000) + "\n");
        clock.advance(Duration.ofSeconds(30));
        keeper.afterPoll(true); // within the minute: not measured
        assertThat(Files.size(log)).isEqualTo(2009);
        clock.advance(Duration.ofSeconds(30));
      }
    }
    assertThat(Files.readString(log.resolveSibling("daemon.log.1"))).endsWith("tail-5\n");
    assertThat(Files.readString(log.resolveSibling("daemon.log.2"))).endsWith("tail-4\n");
    assertThat(Files.readString(log.resolveSibling("daemon.log.3"))).endsWith("tail-3\n");
    assertThat(log.resolveSibling("daemon.log.4")).doesNotExist();
  }

  @Test
  void theLogIsMeasuredBeforeEachStart() throws Exception {
    DaemonKeeper keeper = keeper(1024);
    keeper.afterPoll(true); // the check of this minute, on an empty log
    Files.writeString(keeper.daemonLog(), "z".repeat(5000) + "\nbefore\n");

    silentPolls(keeper, 21);
    awaitCalls(1);

    assertThat(Files.readString(keeper.daemonLog().resolveSibling("daemon.log.1")))
        .endsWith("before\n");
    assertThat(Files.readAllLines(keeper.daemonLog()))
        .containsExactly("fake daemon says hello", "fake daemon complains");
  }

  private static void write(FileChannel channel, String text) throws IOException {
    channel.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
  }
}
