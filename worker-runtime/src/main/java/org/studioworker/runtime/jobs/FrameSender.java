package org.studioworker.runtime.jobs;

import org.jspecify.annotations.Nullable;
import org.studioworker.protocol.WorkerFrame;

/**
 * Sends a job's frames to the studio, each on the socket the job belongs to.
 *
 * <p>Blocks up to the send timeout. Thread-safe.
 */
public interface FrameSender {
  /**
   * Sends one frame on the socket of {@code generation}, or not at all: choosing the socket and
   * checking that it is still that generation's are one step, so a frame for a job never reaches a
   * later socket, where the studio would answer it with a protocol violation.
   *
   * @return null when sent, else why not (that socket is gone, no live session, send failed, timed
   *     out)
   */
  @Nullable String send(WorkerFrame frame, long generation) throws InterruptedException;

  /**
   * The generation of the live socket: a number that changes every time a new socket is welcomed,
   * and 0 while none is. A job accepted on one socket must not report on another: the studio
   * released its claim when the first socket dropped.
   */
  long generation();
}
