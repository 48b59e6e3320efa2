package org.studioworker.runtime.models;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.studioworker.spi.ExecutorException;

/**
 * The claim of one process on the download of one model file: an exclusive lock on {@code
 * <file>.part.lock}, beside the {@code .part} it guards.
 *
 * <p>The lock is the operating system's ({@code fcntl}), so it goes when its process does, kill -9
 * included, and the next worker takes over the {@code .part}. Such a lock belongs to the whole
 * process, not to a thread: the threads of one process are kept apart before they come here (see
 * {@link ModelStore}), so at most one thread per process ever waits on a given file.
 *
 * <p>The lock file is never removed. Removing it would let two workers hold "the" lock at once: a
 * waiter that opened the file before wins the lock of a file no longer there, while a newcomer
 * locks the new file under the same name. Telling the two apart would mean opening the name again,
 * and closing any other descriptor of a file drops this process's {@code fcntl} locks on it.
 *
 * <p>Not thread-safe; one instance per download. {@link #acquire} blocks while another process
 * holds the lock.
 */
final class PartLock implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger("models");

  /**
   * Why 200 ms? Taking over a few tenths after the holder is done is unnoticeable next to a
   * download.
   */
  private static final Duration POLL = Duration.ofMillis(200);

  private final FileChannel channel;

  private PartLock(FileChannel channel) {
    this.channel = channel;
  }

  /**
   * Takes the lock of {@code target}'s download, waiting while another process holds it and its
   * {@code .part} keeps changing.
   *
   * @param stallLimit the longest the other holder may go without writing a byte before we give up
   * @param what names the file in messages
   * @throws ExecutorException when the other holder made no progress for {@code stallLimit}
   * @throws InterruptedException when {@code cancelled} turns true or the thread is interrupted
   */
  static PartLock acquire(
      Path target, String what, Duration stallLimit, InstantSource clock, BooleanSupplier cancelled)
      throws ExecutorException, InterruptedException {
    Path lockFile = target.resolveSibling(target.getFileName() + ".part.lock");
    Path part = target.resolveSibling(target.getFileName() + ".part");
    FileChannel channel = open(lockFile);
    try {
      if (tryLock(channel)) {
        return new PartLock(channel);
      }
      log.info("{} is being downloaded by another worker on this machine; waiting for it", what);
      long seen = size(part);
      Instant progressed = clock.instant();
      while (true) {
        if (cancelled.getAsBoolean() || Thread.currentThread().isInterrupted()) {
          throw new InterruptedException("download cancelled");
        }
        Thread.sleep(POLL);
        if (tryLock(channel)) {
          return new PartLock(channel);
        }
        long now = size(part);
        if (now != seen || Files.exists(target)) {
          seen = now;
          progressed = clock.instant();
        } else if (Duration.between(progressed, clock.instant()).compareTo(stallLimit) > 0) {
          throw new ExecutorException(
              "another worker on this machine holds the download of "
                  + what
                  + " and wrote nothing for "
                  + stallLimit.toSeconds()
                  + " s; try again later");
        }
      }
    } catch (ExecutorException | InterruptedException | RuntimeException e) {
      closeQuietly(channel);
      throw e;
    }
  }

  private static FileChannel open(Path lockFile) throws ExecutorException {
    try {
      return FileChannel.open(
          lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new ExecutorException("cannot open " + lockFile + ": " + e.getMessage());
    }
  }

  private static boolean tryLock(FileChannel channel) throws ExecutorException {
    try {
      return channel.tryLock() != null;
    } catch (OverlappingFileLockException e) {
      // Another thread of this process holds it (through a differently spelt path): wait as well.
      return false;
    } catch (IOException e) {
      throw new ExecutorException("cannot lock the download: " + e.getMessage());
    }
  }

  private static long size(Path path) {
    try {
      return Files.size(path);
    } catch (IOException e) {
      return -1;
    }
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      log.debug("cannot close a download lock: {}", e.getMessage());
    }
  }

  /** Releases the lock (closing its channel does). Never throws. */
  @Override
  public void close() {
    closeQuietly(channel);
  }
}
