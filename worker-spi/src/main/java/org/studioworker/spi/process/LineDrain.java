package org.studioworker.spi.process;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Reads a process's output stream to its end, line by line, so that the process never blocks on a
 * full pipe.
 *
 * <p>A line ends at {@code \n} or {@code \r} (a program may redraw a progress line with {@code
 * \r}). Lines longer than {@link #MAX_LINE} bytes are cut; empty lines are skipped.
 */
public final class LineDrain {
  /**
   * Why 4096? A log line of sd-cli or llama-server is under 300 bytes; a longer one is noise, not a
   * message.
   */
  public static final int MAX_LINE = 4096;

  private LineDrain() {}

  /** Drains {@code in} on a virtual thread of its own, handing each line to {@code sink}. */
  public static Thread start(InputStream in, String name, Consumer<String> sink) {
    return Thread.ofVirtual().name(name).start(() -> drain(in, sink));
  }

  public static void drain(InputStream in, Consumer<String> sink) {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try (in) {
      int n;
      while ((n = in.read(buffer)) != -1) {
        for (int i = 0; i < n; i++) {
          byte b = buffer[i];
          if (b == '\n' || b == '\r') {
            emit(line, sink);
          } else if (line.size() < MAX_LINE) {
            line.write(b);
          }
        }
      }
    } catch (IOException e) {
      // The process went away and closed its end; what was read is kept.
    }
    emit(line, sink);
  }

  private static void emit(ByteArrayOutputStream line, Consumer<String> sink) {
    if (line.size() > 0) {
      sink.accept(line.toString(StandardCharsets.UTF_8));
      line.reset();
    }
  }
}
