package org.studioworker.executors.llamacpp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The lines of a server-sent event stream, one at a time, each at most a cap long.
 *
 * <p>A line ends at LF, CR LF or CR (the event stream format allows all three). At most one line
 * and one read buffer are held, so a long stream costs no more memory than its longest line. One
 * thread reads; not thread-safe.
 */
final class SseLines {
  /** A line longer than the cap. */
  static final class TooLongException extends Exception {
    private static final long serialVersionUID = 1L;

    TooLongException(String message) {
      super(message, null, false, false);
    }
  }

  private final InputStream in;
  private final int maxLineBytes;
  private final byte[] buffer = new byte[8192];
  private int start;
  private int end;
  private byte[] line = new byte[256];
  private int length;

  /** True when the last line ended with CR: an LF right after it belongs to that line end. */
  private boolean afterCr;

  private boolean eof;

  SseLines(InputStream in, int maxLineBytes) {
    this.in = in;
    this.maxLineBytes = maxLineBytes;
  }

  /**
   * The next line without its line end, decoded as UTF-8; null at the end of the stream (a last
   * line without a line end is returned first).
   *
   * @throws TooLongException when a line is longer than the cap
   * @throws IOException when reading fails
   */
  @Nullable String next() throws IOException, TooLongException {
    length = 0;
    while (true) {
      if (start == end) {
        if (eof) {
          return length > 0 ? text() : null;
        }
        int n = in.read(buffer, 0, buffer.length);
        if (n < 0) {
          eof = true;
          continue;
        }
        start = 0;
        end = n;
      }
      while (start < end) {
        byte b = buffer[start++];
        if (afterCr) {
          afterCr = false;
          if (b == '\n') {
            continue;
          }
        }
        if (b == '\n') {
          return text();
        }
        if (b == '\r') {
          afterCr = true;
          return text();
        }
        append(b);
      }
    }
  }

  private void append(byte b) throws TooLongException {
    if (length == maxLineBytes) {
      throw new TooLongException("a line of the stream is longer than " + maxLineBytes + " bytes");
    }
    if (length == line.length) {
      line = Arrays.copyOf(line, Math.min(maxLineBytes, line.length * 2));
    }
    line[length++] = b;
  }

  private String text() {
    return new String(line, 0, length, StandardCharsets.UTF_8);
  }
}
