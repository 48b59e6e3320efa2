package org.studioworker.ui.process;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the daemon of the config when none has run for a while (LOCAL_API.md): once the daemon
 * lock has been free for 20 s continuously, {@code studio-worker --config <p> run} detached, its
 * output appended to {@code daemon.log}, at most once every 10 s. The daemon outlives the UI.
 *
 * <p>Thread-safe (one lock); {@link #afterPoll} does not block beyond a lock probe, a process start
 * and, when {@code daemon.log} is over its limit, one copy of it.
 */
public final class DaemonKeeper {
  private static final Logger log = LoggerFactory.getLogger("ui");

  /** Why 20 s? A daemon that restarts (an update, a crash under systemd) takes its lock in less. */
  static final Duration GRACE = Duration.ofSeconds(20);

  /** Why 10 s? A daemon that cannot start is not started again every second. */
  static final Duration RESPAWN_PAUSE = Duration.ofSeconds(10);

  /** How often {@code daemon.log} is measured while no daemon is being started. */
  static final Duration TRIM_CHECK = Duration.ofMinutes(1);

  /** 10 MiB, then the log moves to {@code daemon.log.1} (LOCAL_API.md). */
  static final long LOG_LIMIT = 10L * 1024 * 1024;

  /** Three old copies: {@code daemon.log.1} (newest) to {@code daemon.log.3}. */
  static final int LOG_COPIES = 3;

  private static final List<Path> SETSID_PLACES =
      List.of(Path.of("/usr/bin/setsid"), Path.of("/bin/setsid"));

  private final Path configPath;
  private final Path lockFile;
  private final Path daemonLog;
  private final @Nullable Path launcher;
  private final @Nullable Path setsid;
  private final InstantSource clock;
  private final long logLimit;

  /** The one channel the lock is probed through, opened at the first probe. */
  private @Nullable FileChannel probe;

  /** When the lock was first seen free in the current stretch of free polls; null: held. */
  private @Nullable Instant freeSince;

  private @Nullable Instant lastSpawn;

  /** How many times a start was attempted (for tests). */
  private int startAttempts;

  private @Nullable Instant lastTrimCheck;

  /** What was last logged about the daemon, so that each state is said once, not every second. */
  private State said = State.ANSWERING;

  private boolean saidNoLauncher;
  private boolean saidStartFailure;

  /** The states of the daemon as the UI sees them, each logged once when it begins. */
  private enum State {
    ANSWERING,
    HELD_SILENT,
    FREE,
    STARTED
  }

  public DaemonKeeper(Path configPath, Map<String, String> env, InstantSource clock) {
    this(configPath, launcherOf(env), findSetsid(), clock, LOG_LIMIT);
  }

  /** For tests: an explicit launcher (null: none), {@code setsid} (null: none) and log limit. */
  DaemonKeeper(
      Path configPath,
      @Nullable Path launcher,
      @Nullable Path setsid,
      InstantSource clock,
      long logLimit) {
    if (logLimit <= 0) {
      throw new IllegalArgumentException("the daemon.log limit must be positive: " + logLimit);
    }
    this.configPath = configPath.toAbsolutePath();
    Path dir = UiInstance.directoryOf(configPath);
    this.lockFile = dir.resolve("daemon.lock");
    this.daemonLog = dir.resolve("daemon.log");
    this.launcher = launcher;
    this.setsid = setsid;
    this.clock = clock;
    this.logLimit = logLimit;
  }

  private static @Nullable Path launcherOf(Map<String, String> env) {
    String value = env.get("STUDIO_WORKER_LAUNCHER");
    return value == null || value.isBlank() ? null : Path.of(value).toAbsolutePath();
  }

  private static @Nullable Path findSetsid() {
    return SETSID_PLACES.stream().filter(Files::isExecutable).findFirst().orElse(null);
  }

  /** Called after each poll of the daemon; {@code answered}: the daemon answered it. */
  public synchronized void afterPoll(boolean answered) {
    Instant now = clock.instant();
    if (lastTrimCheck == null || !now.isBefore(lastTrimCheck.plus(TRIM_CHECK))) {
      trimLog(now);
    }
    if (answered) {
      freeSince = null;
      say(State.ANSWERING, "the daemon answers");
      return;
    }
    if (!lockIsFree()) {
      freeSince = null;
      say(State.HELD_SILENT, "the daemon does not answer but holds its lock; waiting for it");
      return;
    }
    if (freeSince == null) {
      freeSince = now;
      say(
          State.FREE,
          "no daemon runs for this config (its lock is free); starting one if none appears in "
              + GRACE.toSeconds()
              + " s");
    }
    boolean graceOver = !now.isBefore(freeSince.plus(GRACE));
    boolean pauseOver = lastSpawn == null || !now.isBefore(lastSpawn.plus(RESPAWN_PAUSE));
    if (graceOver && pauseOver) {
      spawn(now);
    }
  }

  private void say(State state, String message) {
    if (said != state) {
      said = state;
      log.info(message);
    }
  }

  /**
   * Whether no process holds {@code daemon.lock} now: a lock taken and released at once. An error
   * counts as held, so that a directory the UI cannot read never starts daemons.
   *
   * <p>Why one channel, kept open? Closing any descriptor of a file drops every POSIX lock the
   * process holds on it: a probe that opened and closed its own would free the lock of a daemon
   * that runs in this same JVM (tests embed daemons).
   */
  private boolean lockIsFree() {
    try {
      FileChannel channel = probe;
      if (channel == null || !channel.isOpen()) {
        channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        probe = channel;
      }
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        return false; // a daemon in this same JVM
      }
      if (lock == null) {
        return false;
      }
      lock.release();
      return true;
    } catch (IOException e) {
      log.debug("cannot probe {}: {}", lockFile, e.toString());
      return false;
    }
  }

  private void spawn(Instant now) {
    if (launcher == null) {
      if (!saidNoLauncher) {
        saidNoLauncher = true;
        log.warn(
            "no daemon runs for this config, and none can be started from here:"
                + " STUDIO_WORKER_LAUNCHER is not set (the UI was not started by the studio-worker"
                + " launcher); start one with `studio-worker --config {} run`",
            configPath);
      }
      return;
    }
    lastSpawn = now;
    startAttempts++;
    trimLog(now);
    List<String> command = new ArrayList<>();
    if (setsid != null) {
      // A session of its own: a closed terminal or the UI's exit sends it no SIGHUP.
      command.add(setsid.toString());
    }
    command.addAll(List.of(launcher.toString(), "--config", configPath.toString(), "run"));
    log.info(
        "the daemon lock has been free for {} s; starting {} --config {} run (output: {})",
        GRACE.toSeconds(),
        launcher,
        configPath,
        daemonLog);
    try {
      Process process =
          new ProcessBuilder(command)
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectOutput(ProcessBuilder.Redirect.appendTo(daemonLog.toFile()))
              .redirectErrorStream(true)
              .start();
      said = State.STARTED;
      saidStartFailure = false;
      long pid = process.pid();
      // Not waited for: it outlives the UI. Reaped (and its end told) if it ends while the UI runs.
      process
          .onExit()
          .thenAccept(
              p ->
                  log.info(
                      "the daemon started by the UI (pid {}) exited with code {}",
                      pid,
                      p.exitValue()));
    } catch (IOException e) {
      if (!saidStartFailure) {
        saidStartFailure = true;
        log.warn("cannot start {}: {}", launcher, e.getMessage());
      }
    }
  }

  /**
   * Moves {@code daemon.log} to {@code daemon.log.1} (and the older copies along) once it reaches
   * the limit.
   *
   * <p>Why copy-then-truncate, not rename? A running daemon holds the file open with {@code
   * O_APPEND}: renamed, it would go on writing into {@code daemon.log.1} and the new {@code
   * daemon.log} would stay empty. Truncated in place, its next write lands at the new end, offset
   * 0. The lines written between the copy and the truncation are lost; at most a few.
   */
  private void trimLog(Instant now) {
    lastTrimCheck = now;
    try {
      if (!Files.isRegularFile(daemonLog) || Files.size(daemonLog) < logLimit) {
        return;
      }
      for (int copy = LOG_COPIES - 1; copy >= 1; copy--) {
        Path older = copyPath(copy);
        if (Files.exists(older)) {
          Files.move(older, copyPath(copy + 1), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      Files.copy(daemonLog, copyPath(1), StandardCopyOption.REPLACE_EXISTING);
      try (FileChannel channel = FileChannel.open(daemonLog, StandardOpenOption.WRITE)) {
        channel.truncate(0);
      }
      log.info("{} reached {} bytes; moved to {}", daemonLog, logLimit, copyPath(1));
    } catch (IOException e) {
      log.warn("cannot trim {}: {}", daemonLog, e.toString());
    }
  }

  private Path copyPath(int copy) {
    return daemonLog.resolveSibling(daemonLog.getFileName() + "." + copy);
  }

  /** How many times this keeper tried to start a daemon. */
  synchronized int startAttempts() {
    return startAttempts;
  }

  /** Where a daemon started by the UI writes its output. */
  public Path daemonLog() {
    return daemonLog;
  }
}
