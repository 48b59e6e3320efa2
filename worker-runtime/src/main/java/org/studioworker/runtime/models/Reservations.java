package org.studioworker.runtime.models;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.studioworker.spi.ExecutorException;

/**
 * The disk space that downloads in progress on this machine have claimed, so that workers sharing
 * one {@code models_root} do not each count the same free bytes.
 *
 * <p>Each download in progress keeps a file {@code <models_root>/.reservations/<pid>-<hash>} that
 * holds the bytes it still has to write and its process's start time. A check adds up the other
 * files, skipping those whose process is gone (or whose pid now belongs to a younger process: a
 * reused pid), and removes those. Check and reserve happen together under {@code .reservations/
 * lock}, so two workers cannot both take the last free gigabytes.
 *
 * <p>Thread-safe; blocks only for the short check-and-write under the lock.
 */
final class Reservations {
  private static final Logger log = LoggerFactory.getLogger("models");

  /**
   * Serialises the threads of this process: a {@link FileLock} is held by the whole process, and a
   * second {@code lock()} from this JVM would throw rather than wait.
   */
  private static final ReentrantLock PROCESS = new ReentrantLock();

  /**
   * Why one second? Start times come from {@code /proc} in clock ticks; 1 s covers any rounding.
   */
  private static final Duration SAME_START = Duration.ofSeconds(1);

  private static final ProcessHandle SELF = ProcessHandle.current();

  private final Path dir;
  private final DiskSpace space;

  Reservations(Path root, DiskSpace space) {
    this.dir = root.resolve(".reservations");
    this.space = space;
  }

  /** One download's claim; {@link #close} removes it and never throws. */
  final class Reservation implements AutoCloseable {
    private final Path file;
    private final String what;
    private final Path folder;

    private Reservation(Path file, String what, Path folder) {
      this.file = file;
      this.what = what;
      this.folder = folder;
    }

    /** Claims {@code bytes} instead, checked as {@link #reserve} checks. */
    void resize(long bytes) throws ExecutorException {
      claim(file, what, folder, bytes);
    }

    /** Records that only {@code remaining} bytes are still to come. */
    void update(long remaining) {
      try {
        write(file, Math.max(0, remaining));
      } catch (IOException e) {
        log.debug("cannot update {}: {}", file, e.getMessage());
      }
    }

    @Override
    public void close() {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        log.debug("cannot remove {}: {}", file, e.getMessage());
      }
    }
  }

  /**
   * Claims {@code bytes} for the download of {@code key} after checking that they fit in the usable
   * space less what the other downloads in progress claim.
   *
   * @param what names the file for the error, e.g. {@code model m, file x.gguf}
   * @throws ExecutorException when they do not fit; the message names {@code what}, the bytes
   *     needed, free and claimed by others
   */
  Reservation reserve(Path key, String what, Path folder, long bytes) throws ExecutorException {
    Path file = dir.resolve(SELF.pid() + "-" + hash(key));
    claim(file, what, folder, bytes);
    return new Reservation(file, what, folder);
  }

  private void claim(Path file, String what, Path folder, long bytes) throws ExecutorException {
    PROCESS.lock();
    try {
      Files.createDirectories(dir);
      try (FileChannel channel =
              FileChannel.open(
                  dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock ignored = channel.lock()) {
        long free;
        try {
          free = space.usableBytes(folder);
        } catch (IOException e) {
          log.warn("cannot read the free space under {}: {}", folder, e.getMessage());
          free = Long.MAX_VALUE;
        }
        long others = claimedByOthers(file);
        long available = free == Long.MAX_VALUE ? free : free - others;
        if (bytes > 0 && available < bytes) {
          throw new ExecutorException(
              "not enough disk space for "
                  + what
                  + ": need "
                  + bytes
                  + " bytes ("
                  + bytes / (1024 * 1024)
                  + " MB), "
                  + Math.max(0, free)
                  + " bytes free under "
                  + folder
                  + (others > 0
                      ? " of which other downloads on this machine claim " + others + " bytes"
                      : ""));
        }
        write(file, bytes);
      }
    } catch (IOException e) {
      // A folder we cannot write to fails the download itself soon enough; do not fail here.
      log.warn("cannot record the disk space claimed in {}: {}", dir, e.getMessage());
    } finally {
      PROCESS.unlock();
    }
  }

  /** The bytes claimed by the other live downloads; removes the files of dead processes. */
  long claimedByOthers(Path mine) throws IOException {
    long total = 0;
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*-*")) {
      for (Path file : files) {
        if (file.equals(mine) || file.getFileName().toString().endsWith(".tmp")) {
          continue;
        }
        Optional<Claim> claim = read(file);
        if (claim.isEmpty()) {
          continue;
        }
        if (claim.get().isLive()) {
          total += claim.get().bytes();
        } else {
          log.debug("removing the stale reservation {}", file.getFileName());
          Files.deleteIfExists(file);
        }
      }
    }
    return total;
  }

  /** What one file says: the bytes still to come, whose they are and when that process began. */
  private record Claim(long pid, long bytes, long startedMillis) {
    boolean isLive() {
      Optional<ProcessHandle> owner = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
      if (owner.isEmpty()) {
        return false;
      }
      Optional<Instant> started = owner.get().info().startInstant();
      return startedMillis <= 0
          || started.isEmpty()
          || Duration.between(Instant.ofEpochMilli(startedMillis), started.get())
                  .abs()
                  .compareTo(SAME_START)
              <= 0;
    }
  }

  private static Optional<Claim> read(Path file) {
    String name = file.getFileName().toString();
    try {
      long pid = Long.parseLong(name.substring(0, name.indexOf('-')));
      String[] fields = Files.readString(file, StandardCharsets.UTF_8).strip().split("\\s+");
      long bytes = Long.parseLong(fields[0]);
      long started = fields.length > 1 ? Long.parseLong(fields[1]) : 0;
      return Optional.of(new Claim(pid, bytes, started));
    } catch (IOException | RuntimeException e) {
      // Half-written by a process that is writing it now, or not ours: count nothing.
      return Optional.empty();
    }
  }

  private static void write(Path file, long bytes) throws IOException {
    long started = SELF.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    Path temp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(temp, bytes + " " + started + "\n", StandardCharsets.UTF_8);
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** The reservation file's content for a process: what a test writes to play another worker. */
  static String content(long bytes, ProcessHandle owner) {
    return bytes + " " + owner.info().startInstant().map(Instant::toEpochMilli).orElse(0L) + "\n";
  }

  private static String hash(Path key) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(key.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
