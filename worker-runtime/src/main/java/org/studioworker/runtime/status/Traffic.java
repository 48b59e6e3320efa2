package org.studioworker.runtime.status;

import java.util.concurrent.atomic.LongAdder;

/**
 * What the worker moved over the network since start: result bytes sent to the studio, upload
 * retries, and model bytes downloaded. The uploader and the model store count; {@code /metrics}
 * reads.
 *
 * <p>Thread-safe; no method blocks. The counts only grow.
 */
public final class Traffic {
  private final LongAdder uploadBytes = new LongAdder();
  private final LongAdder uploadRetries = new LongAdder();
  private final LongAdder downloadBytes = new LongAdder();

  /** Counts bytes of a result body handed to the connection. */
  public void uploaded(long bytes) {
    uploadBytes.add(bytes);
  }

  /** Counts one more attempt at an upload that failed before. */
  public void uploadRetried() {
    uploadRetries.increment();
  }

  /** Counts bytes of a model file received. */
  public void downloaded(long bytes) {
    downloadBytes.add(bytes);
  }

  /** Result body bytes sent, every attempt included. */
  public long uploadBytes() {
    return uploadBytes.sum();
  }

  /** Upload attempts after the first, over all results. */
  public long uploadRetries() {
    return uploadRetries.sum();
  }

  /** Model file bytes received, resumed downloads counting only what came this time. */
  public long downloadBytes() {
    return downloadBytes.sum();
  }
}
