package org.studioworker.runtime.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A result of 2 GiB (a sparse file) uploads whole from a worker whose heap is 64 MiB: nothing on
 * the way holds the result in memory, or the child would stop with an {@link OutOfMemoryError}.
 */
final class ResultUploaderLargeFileTest {
  private static final long SIZE = 2L * 1024 * 1024 * 1024;
  private static final byte[] START = "START-OF-RESULT!".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] END = "!END-OF-RESULT".getBytes(StandardCharsets.US_ASCII);

  @TempDir Path dir;

  private @Nullable Process child;

  @AfterEach
  void stopChild() {
    Process running = child;
    if (running != null) {
      running.destroyForcibly();
    }
  }

  @Test
  void aTwoGibFileUploadsCompletelyUnderA64MibHeap() throws Exception {
    Path file = dir.resolve("result.mp4");
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(SIZE);
      raf.seek(0);
      raf.write(START);
      raf.seek(SIZE - END.length);
      raf.write(END);
    }
    Path log = dir.resolve("child.log");
    Process started =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx64m",
                    "-XX:+ExitOnOutOfMemoryError",
                    "-cp",
                    System.getProperty("java.class.path"),
                    LargeUploadChild.class.getName(),
                    file.toString()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    child = started;

    boolean ended = started.waitFor(10, TimeUnit.MINUTES);

    String output = Files.readString(log);
    assertThat(ended).as("the child ended; its output:%n%s", output).isTrue();
    assertThat(started.exitValue()).as("the child's output:%n%s", output).isZero();
    Map<String, String> said = new HashMap<>();
    for (String line : output.lines().toList()) {
      int space = line.indexOf(' ');
      if (space > 0) {
        said.put(line.substring(0, space), line.substring(space + 1));
      }
    }
    for (String key : List.of("outcome", "maxHeap", "type", "declared", "received", "uploaded")) {
      said.putIfAbsent(key, "0");
    }
    said.putIfAbsent("first", "");
    said.putIfAbsent("last", "");
    assertThat(said.getOrDefault("outcome", "")).as(output).isEqualTo("Delivered[attempts=1]");
    assertThat(Long.parseLong(said.getOrDefault("maxHeap", "")))
        .isLessThanOrEqualTo(64L * 1024 * 1024);

    String boundary = ResultUploaderTest.boundary(said.getOrDefault("type", ""));
    byte[] head = ResultUploader.head(boundary, "job-big", "a long video", "mp4");
    byte[] tail = ResultUploader.tail(boundary);
    long expected = head.length + SIZE + tail.length;
    assertThat(Long.parseLong(said.getOrDefault("declared", "")))
        .as("Content-Length")
        .isEqualTo(expected);
    assertThat(Long.parseLong(said.getOrDefault("received", "")))
        .as("bytes received")
        .isEqualTo(expected);
    assertThat(Long.parseLong(said.getOrDefault("uploaded", "")))
        .as("bytes counted")
        .isEqualTo(expected);

    HexFormat hex = HexFormat.of();
    assertThat(said.getOrDefault("first", ""))
        .as("the head, then the file from its first byte")
        .startsWith(hex.formatHex(head) + hex.formatHex(START));
    assertThat(said.getOrDefault("last", ""))
        .as("the file to its last byte, then the tail")
        .endsWith(hex.formatHex(END) + hex.formatHex(tail));
  }
}
