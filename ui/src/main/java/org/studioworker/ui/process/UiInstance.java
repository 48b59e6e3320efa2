package org.studioworker.ui.process;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one UI of a config directory: {@code ui.lock} held, {@code ui.raise} watched.
 *
 * <p>The lock is {@link FileChannel#tryLock}, a POSIX record lock on Linux like the daemon's: held
 * until the process ends, however it ends. Thread-safe; {@link #close} never throws.
 */
public final class UiInstance implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger("ui");

  /** How often the running UI looks for {@code ui.raise} (LOCAL_API.md). */
  static final Duration RAISE_POLL = Duration.ofMillis(250);

  /** Why 32? {@code ui.raise} holds one pid line: at most 19 digits and a newline. */
  static final int RAISE_LIMIT = 32;

  static final String LOCK_FILE = "ui.lock";
  static final String RAISE_FILE = "ui.raise";

  private final FileChannel channel;
  private final FileLock lock;
  private final Path raiseFile;
  private final Object key;

  /** The identities of the {@code ui.lock} files this JVM holds; guarded by itself. */
  private static final Set<Object> HELD = new HashSet<>();

  /** The thread that watches {@code ui.raise}; guarded by {@code this}. */
  private @Nullable Thread watcher;

  /** Set once by {@link #close}; guarded by {@code this}. */
  private boolean closed;

  private UiInstance(FileChannel channel, FileLock lock, Path raiseFile, Object key) {
    this.channel = channel;
    this.lock = lock;
    this.raiseFile = raiseFile;
    this.key = key;
  }

  /**
   * Takes {@code ui.lock} beside the config; when another UI holds it, writes {@code ui.raise}
   * ({@code <pid>\n}) for that one and returns empty.
   */
  public static Optional<UiInstance> claim(Path configPath) throws IOException {
    Path dir = directoryOf(configPath);
    Files.createDirectories(dir);
    Path lockFile = dir.resolve(LOCK_FILE);
    Path raiseFile = dir.resolve(RAISE_FILE);
    synchronized (HELD) {
      // Held in this JVM: not even opened, since closing any descriptor of a file drops every
      // POSIX lock this process has on it, the other UI's included.
      if (Files.exists(lockFile) && HELD.contains(keyOf(lockFile))) {
        return refused(raiseFile);
      }
      FileChannel channel =
          FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        // Held in this JVM under another name; left open, so that the holder's lock stands.
        return refused(raiseFile);
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
      if (lock == null) {
        channel.close(); // no lock of this process on the file: nothing to drop
        return refused(raiseFile);
      }
      Object key = keyOf(lockFile);
      HELD.add(key);
      // A request left for a UI that has gone would raise this one at once, unasked.
      Files.deleteIfExists(raiseFile);
      return Optional.of(new UiInstance(channel, lock, raiseFile, key));
    }
  }

  private static Optional<UiInstance> refused(Path raiseFile) throws IOException {
    writeRaise(raiseFile);
    log.info("another UI is already running for this config; asked it to raise its window");
    return Optional.empty();
  }

  /** The file's identity (device and inode), whatever path names it. */
  private static Object keyOf(Path file) throws IOException {
    Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    return key != null ? key : file.toRealPath();
  }

  /**
   * Calls {@code onRaise} (on a daemon thread of its own) within 250 ms of each {@code ui.raise}; a
   * second call replaces the first's action.
   *
   * @throws IllegalStateException after {@link #close}
   */
  public synchronized void onRaise(Runnable onRaise) {
    if (closed) {
      throw new IllegalStateException("this UI instance is closed");
    }
    if (watcher != null) {
      watcher.interrupt();
    }
    Thread thread = new Thread(() -> watch(onRaise), "ui-raise-watcher");
    thread.setDaemon(true);
    watcher = thread;
    thread.start();
  }

  private void watch(Runnable onRaise) {
    boolean warned = false;
    while (!Thread.currentThread().isInterrupted()) {
      try {
        Thread.sleep(RAISE_POLL);
      } catch (InterruptedException e) {
        return;
      }
      String request;
      try {
        request = readRaise(raiseFile);
        if (request == null) {
          continue;
        }
        // Deleted before the action runs, so that one request raises the window once.
        Files.delete(raiseFile);
        warned = false;
      } catch (NoSuchFileException e) {
        continue;
      } catch (IOException e) {
        if (!warned) {
          log.warn(
              "cannot take {} ({}); the window will not be raised by a second launch",
              raiseFile,
              e.toString());
          warned = true;
        }
        continue;
      }
      log.info("a second launch (pid {}) asked for the window", request.isEmpty() ? "?" : request);
      try {
        onRaise.run();
      } catch (RuntimeException e) {
        log.warn("raising the window failed", e);
      }
    }
  }

  /** The pid line of {@code ui.raise} (at most {@link #RAISE_LIMIT} bytes read), or null. */
  static @Nullable String readRaise(Path raiseFile) throws IOException {
    if (!Files.isRegularFile(raiseFile)) {
      return null;
    }
    try (InputStream in = Files.newInputStream(raiseFile)) {
      String text = new String(in.readNBytes(RAISE_LIMIT), StandardCharsets.US_ASCII).strip();
      return text.chars().allMatch(Character::isDigit) ? text : "";
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  private static void writeRaise(Path raiseFile) throws IOException {
    long pid = ProcessHandle.current().pid();
    Path temp = raiseFile.resolveSibling("." + RAISE_FILE + "." + pid + ".tmp");
    Files.writeString(temp, pid + "\n", StandardCharsets.US_ASCII);
    // Atomic: the running UI never reads half a pid.
    Files.move(
        temp, raiseFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  static Path directoryOf(Path configPath) {
    Path parent = configPath.toAbsolutePath().getParent();
    return parent == null ? Path.of("/") : parent;
  }

  /** Stops the watcher and releases the lock. Never throws. */
  @Override
  public void close() {
    Thread stopped;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      stopped = watcher;
      watcher = null;
    }
    if (stopped != null) {
      stopped.interrupt();
      try {
        stopped.join(Duration.ofSeconds(1));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (HELD) {
      try {
        lock.release();
      } catch (IOException e) {
        // Released with the channel below, or by the process's end.
      }
      try {
        channel.close();
      } catch (IOException e) {
        // Released by the process's end anyway.
      }
      HELD.remove(key);
    }
  }
}
