package org.studioworker.executors.llamacpp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

final class SseLinesTest {
  @Test
  void splitsAtLfCrLfAndCrAndReturnsALastLineWithoutAnEnd() throws Exception {
    assertThat(lines("data: a\n\ndata: b\r\n\r\ndata: c\r\rdata: é🦊", 1024))
        .containsExactly("data: a", "", "data: b", "", "data: c", "", "data: é🦊");
  }

  @Test
  void aCrLfSplitAcrossReadsIsOneLineEnd() throws Exception {
    InputStream oneByteAtATime =
        new InputStream() {
          private final byte[] bytes = "a\r\nb\r\n".getBytes(StandardCharsets.UTF_8);
          private int at;

          @Override
          public int read() {
            return at < bytes.length ? bytes[at++] : -1;
          }

          @Override
          public int read(byte[] b, int off, int len) {
            if (at == bytes.length) {
              return -1;
            }
            b[off] = bytes[at++];
            return 1;
          }
        };
    SseLines lines = new SseLines(oneByteAtATime, 16);
    assertThat(lines.next()).isEqualTo("a");
    assertThat(lines.next()).isEqualTo("b");
    assertThat(lines.next()).isNull();
  }

  @Test
  void aLineLongerThanTheCapFails() throws Exception {
    assertThat(lines("12345678\n", 8)).containsExactly("12345678");
    assertThatThrownBy(() -> lines("123456789\n", 8))
        .isInstanceOf(SseLines.TooLongException.class)
        .hasMessage("a line of the stream is longer than 8 bytes");
  }

  private static List<String> lines(String text, int cap)
      throws IOException, SseLines.TooLongException {
    SseLines lines =
        new SseLines(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), cap);
    List<String> out = new ArrayList<>();
    for (String line = lines.next(); line != null; line = lines.next()) {
      out.add(line);
    }
    return out;
  }
}
