package org.studioworker.runtime.models;

import java.security.MessageDigest;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * SHA-256 on a thread of its own, so that hashing a download overlaps with receiving it and writing
 * it: the downloading thread takes a free buffer, fills it, hands it over with {@link #hash} and
 * writes it while this thread hashes it (both only read it), then takes the next free buffer.
 *
 * <p>Bounded: {@link #BUFFERS} buffers of the given size go round, so a hasher slower than the
 * network holds the download back (at {@link #take}) instead of piling data up. The order of the
 * buffers is kept, so the digest is that of the bytes in the order handed over.
 *
 * <p>One thread uses it (take, hash, digest); {@link #close} stops the hashing thread whatever
 * state it is in and may be called more than once.
 */
final class DigestPipe implements AutoCloseable {
  /**
   * Why 3? One being filled, one being written and hashed, one spare so that the filling need not
   * wait for the hasher to finish the one before.
   */
  static final int BUFFERS = 3;

  /** A buffer to hash, its first {@code length} bytes; {@code length} -1 ends the stream. */
  private record Chunk(byte[] buffer, int length) {}

  private static final Chunk END = new Chunk(new byte[0], -1);

  private final MessageDigest digest;
  private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(BUFFERS);
  private final BlockingQueue<Chunk> toHash = new ArrayBlockingQueue<>(BUFFERS + 1);
  private final Thread thread;

  /**
   * A pipe whose digest starts from {@code digest}'s state (a resumed download has hashed its
   * {@code .part} into it already).
   */
  DigestPipe(MessageDigest digest, int bufferSize) {
    this.digest = digest;
    for (int i = 0; i < BUFFERS; i++) {
      free.add(new byte[bufferSize]);
    }
    thread = Thread.ofPlatform().name("model-sha256").daemon().start(this::run);
  }

  /** A buffer to fill, waiting for the hasher to give one back when all are in use. */
  byte[] take() throws InterruptedException {
    return free.take();
  }

  /**
   * Hands the first {@code length} bytes of {@code buffer} (from {@link #take}) to the hasher. The
   * caller may go on reading the buffer, not change it; it comes back through {@link #take}.
   */
  void hash(byte[] buffer, int length) {
    // Never full: it has room for every buffer and the end.
    toHash.add(new Chunk(buffer, length));
  }

  /** The digest of everything handed over, once the hasher has caught up. */
  byte[] digest() throws InterruptedException {
    toHash.add(END);
    thread.join();
    return digest.digest();
  }

  private void run() {
    try {
      while (true) {
        Chunk chunk = toHash.take();
        if (chunk.length() < 0) {
          return;
        }
        digest.update(chunk.buffer(), 0, chunk.length());
        free.add(chunk.buffer());
      }
    } catch (InterruptedException e) {
      // Closed: the download stopped; the digest is not wanted.
    }
  }

  /** Stops the hashing thread (at once when it is still running) and waits for it. */
  @Override
  public void close() {
    if (!thread.isAlive()) {
      return;
    }
    thread.interrupt();
    boolean interrupted = false;
    while (true) {
      try {
        thread.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
