package org.studioworker.runtime.daemon;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.studioworker.runtime.lifecycle.StopSignal;

/**
 * The one daemon of a config directory: an exclusive lock on {@code daemon.lock} beside the config,
 * taken before anything else, and {@code daemon.pid} written once it is held (LOCAL_API.md).
 *
 * <p>Why? Two daemons on one config are one worker id on two sockets: the studio closes the older
 * socket with {@code duplicate_worker}, and under {@code Restart=on-failure} the two would replace
 * each other for ever.
 *
 * <p>The lock is {@link FileChannel#tryLock}, a POSIX record lock on Linux: held until the process
 * ends, however it ends, and seen by every other Java daemon. A process that uses {@code flock(2)}
 * on the same file does not see it (see LOCAL_API.md); no such process is part of this product.
 */
final class DaemonLock implements AutoCloseable {
  /** The original's rhythm: 10 tries, 200 ms apart, so a daemon that is just exiting can finish. */
  static final int TRIES = 10;

  static final Duration PAUSE = Duration.ofMillis(200);

  /**
   * The lock files this JVM holds. Why? A POSIX record lock belongs to the process, and closing any
   * channel of the file releases it: a second daemon in the same JVM (tests embed daemons) that
   * opened the file to try the lock, and closed it on failing, would free the first one's.
   */
  private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

  private final FileChannel channel;
  private final FileLock lock;
  private final Path pidFile;
  private final Path lockFile;

  private DaemonLock(FileChannel channel, FileLock lock, Path pidFile, Path lockFile) {
    this.channel = channel;
    this.lock = lock;
    this.pidFile = pidFile;
    this.lockFile = lockFile;
  }

  /**
   * Takes the lock of the directory that holds {@code configPath}, trying {@code tries} times
   * {@code pause} apart; a stop request ends the tries.
   *
   * @return the held lock, or empty when another daemon holds it (or a stop came first)
   * @throws IOException when the lock file cannot be created or opened
   */
  static Optional<DaemonLock> acquire(Path configPath, int tries, Duration pause, StopSignal stop)
      throws IOException, InterruptedException {
    Path dir = directoryOf(configPath);
    Files.createDirectories(dir);
    Path lockFile = dir.resolve("daemon.lock").toAbsolutePath().normalize();
    for (int attempt = 1; attempt <= tries; attempt++) {
      if (HELD.add(lockFile)) {
        Optional<DaemonLock> held = tryLock(lockFile, dir);
        if (held.isPresent()) {
          return held;
        }
        HELD.remove(lockFile);
      } // else: held by another daemon in this same JVM; its channel must stay the only one
      if (attempt < tries && stop.sleep(pause)) {
        break;
      }
    }
    return Optional.empty();
  }

  /** One try at the lock, by this JVM's only channel of the file. */
  private static Optional<DaemonLock> tryLock(Path lockFile, Path dir) throws IOException {
    FileChannel channel =
        FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    boolean kept = false;
    try {
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        return Optional.empty();
      }
      Path pidFile = dir.resolve("daemon.pid");
      writePid(pidFile);
      kept = true;
      return Optional.of(new DaemonLock(channel, lock, pidFile, lockFile));
    } finally {
      if (!kept) {
        channel.close();
      }
    }
  }

  /** The pid in {@code daemon.pid} beside the config, or null when there is none to read. */
  static @Nullable Long holder(Path configPath) {
    try {
      return Long.parseLong(
          Files.readString(directoryOf(configPath).resolve("daemon.pid")).strip());
    } catch (IOException | NumberFormatException e) {
      return null;
    }
  }

  private static Path directoryOf(Path configPath) {
    Path parent = configPath.toAbsolutePath().getParent();
    return parent == null ? Path.of("/") : parent;
  }

  private static void writePid(Path pidFile) throws IOException {
    Path temp = pidFile.resolveSibling(".daemon.pid." + ProcessHandle.current().pid() + ".tmp");
    Files.writeString(temp, ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
    Files.move(temp, pidFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Removes {@code daemon.pid} and releases the lock. Never throws. */
  @Override
  public void close() {
    try {
      Files.deleteIfExists(pidFile);
    } catch (IOException e) {
      // A stale pid file is harmless: the lock, not the file, says who runs.
    }
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      // Released by the process's end anyway.
    } finally {
      HELD.remove(lockFile);
    }
  }
}
