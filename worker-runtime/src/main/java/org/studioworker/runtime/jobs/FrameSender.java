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

  /**
   * Which socket is live: a number that changes every time a new socket is welcomed. A job accepted
   * on one socket must not report on another: the studio released its claim when the first socket
   * dropped, and answers a late result with a protocol violation.
   */
  long generation();
}
