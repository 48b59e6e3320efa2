package org.studioworker.runtime.jobs;

import org.studioworker.protocol.WorkerFrame;

/**
 * Sends a frame to the studio over whatever session is live.
 *
 * <p>Blocks up to the send timeout. Thread-safe.
 */
public interface FrameSender {
  /**
   * Sends one frame.
   *
   * @return null when sent, else why not (no live session, send failed, timed out)
   */
  @org.jspecify.annotations.Nullable
  String send(WorkerFrame frame) throws InterruptedException;
}
