package org.studioworker.spi;

import java.io.IOException;

/**
 * Where an llm job's answer goes piece by piece while it is generated, for a caller that reads it
 * as a stream (the local API's {@code stream: true}).
 *
 * <p>Called on the job's thread, in order. It blocks while the reader is slow, so a slow reader
 * slows the generation down rather than filling memory.
 */
@FunctionalInterface
public interface ChatStream {
  /**
   * One piece of the answer's text, as the engine produced it.
   *
   * @throws IOException when the reader went away; the engine stops generating and ends the job
   */
  void content(String piece) throws IOException;
}
