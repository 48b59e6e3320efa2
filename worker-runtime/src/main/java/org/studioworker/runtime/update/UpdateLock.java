package org.studioworker.runtime.update;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The installation-wide update lock, {@code <root>/state/update.lock}: the workers of one
 * installation (one per GPU, docs/distribution.md) check, download and install only while holding
 * it, so that one of them installs an update and the others follow it.
 *
 * <p>The file is never deleted: a worker that deleted it while another held the lock would let a
 * third lock a new file of the same name. Its channel stays open for the life of the process, one
 * per file: the lock is a POSIX record lock, which the system drops when the process closes
 * <em>any</em> descriptor of the file, so a channel opened and closed beside the holder's would end
 * the holder's lock. A lock already held in this process (a second updater, as in tests) counts as
 * held by another. Thread-safe; never blocks.
 */
final class UpdateLock {
  /** One open channel per lock file, for the life of the process. */
  private static final ConcurrentHashMap<Path, FileChannel> CHANNELS = new ConcurrentHashMap<>();

  private UpdateLock() {}

  /**
   * Takes the lock of {@code installation} if no other worker holds it.
   *
   * @return the lock, to release when the round ends; empty when another worker holds it
   * @throws IOException when the lock file cannot be created or opened
   */
  static Optional<FileLock> tryLock(Installation installation) throws IOException {
    Path state = installation.root().resolve("state");
    Files.createDirectories(state);
    Path file = state.resolve("update.lock");
    FileChannel channel;
    try {
      channel = CHANNELS.computeIfAbsent(file, UpdateLock::open);
    } catch (UncheckedOpen e) {
      throw e.cause;
    }
    try {
      return Optional.ofNullable(channel.tryLock());
    } catch (OverlappingFileLockException e) {
      return Optional.empty(); // held by another updater of this process
    }
  }

  private static FileChannel open(Path file) {
    try {
      return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new UncheckedOpen(e);
    }
  }

  /** Carries an {@link IOException} out of {@link ConcurrentHashMap#computeIfAbsent}. */
  private static final class UncheckedOpen extends RuntimeException {
    private static final long serialVersionUID = 1L;

    @SuppressWarnings("serial")
    private final IOException cause;

    UncheckedOpen(IOException cause) {
      super(cause);
      this.cause = cause;
    }
  }
}
