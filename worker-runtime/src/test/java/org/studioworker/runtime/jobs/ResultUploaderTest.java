package org.studioworker.runtime.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.runtime.http.StandInServer;
import org.studioworker.runtime.http.StudioHttp;
import org.studioworker.runtime.status.Traffic;

/** The multipart upload against studios that lose replies, stall, or refuse upgrade requests. */
final class ResultUploaderTest {
  private static final byte[] IMAGE = "RIFF....WEBPVP8L tiny".getBytes();

  private final Traffic traffic = new Traffic();

  private ResultUploader uploader(StandInServer server, Duration timeout) {
    return new ResultUploader(
        StudioHttp.client(Duration.ofSeconds(5)),
        server.url().resolve("/graphics/api"),
        timeout,
        List.of(Duration.ofMillis(20), Duration.ofMillis(40)),
        traffic);
  }

  private static ResultUploader.Outcome upload(ResultUploader uploader) throws Exception {
    return uploader.upload("w-1", "t".repeat(64), "job-1", "a lighthouse", "webp", IMAGE);
  }

  @Test
  void retryAnswered409AfterALostReplyIsSupersededNotAFailure() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    List<Integer> stored = new CopyOnWriteArrayList<>();
    try (StandInServer studio =
        StandInServer.start(
            (exchange, self) -> {
              byte[] body = exchange.getRequestBody().readAllBytes();
              if (attempts.incrementAndGet() == 1) {
                stored.add(body.length);
                return; // stored, then the connection drops before any reply
              }
              StandInServer.reply(exchange, 409, "{\"error\":\"job is not held by this worker\"}");
            })) {
      ResultUploader.Outcome outcome = upload(uploader(studio, Duration.ofSeconds(5)));

      assertThat(outcome)
          .isInstanceOfSatisfying(
              ResultUploader.Superseded.class,
              s -> assertThat(s.why()).contains("an earlier attempt landed"));
      assertThat(stored).hasSize(1);
      assertThat(attempts).hasValue(2);
    }
  }

  @Test
  void uploadGoesThroughAServerThatRefusesUpgradeRequests() throws Exception {
    List<String> types = new CopyOnWriteArrayList<>();
    try (StandInServer studio =
        StandInServer.start(
            (exchange, self) -> {
              types.add(exchange.getRequestHeaders().getFirst("Content-Type"));
              exchange.getRequestBody().readAllBytes();
              StandInServer.reply(exchange, 200, "{\"ok\":true}");
            })) {
      ResultUploader.Outcome outcome = upload(uploader(studio, Duration.ofSeconds(5)));

      assertThat(outcome).isEqualTo(new ResultUploader.Delivered(1));
      assertThat(types).singleElement().asString().startsWith("multipart/form-data; boundary=");
      assertThat(studio.upgradesRefused()).isEmpty();
    }
  }

  @Test
  void replyThatStallsMidBodyIsRetriedAndThenFailsInsteadOfHoldingTheJob() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    AtomicInteger received = new AtomicInteger();
    try (StandInServer studio =
        StandInServer.start(
            (exchange, self) -> {
              attempts.incrementAndGet();
              received.addAndGet(exchange.getRequestBody().readAllBytes().length);
              self.stall(exchange, 500, 100, "{\"err".getBytes());
            })) {
      ResultUploader.Outcome outcome = upload(uploader(studio, Duration.ofMillis(300)));

      assertThat(outcome)
          .isInstanceOfSatisfying(
              ResultUploader.Failed.class,
              f -> assertThat(f.why()).contains("upload failed after 3 attempts"));
      assertThat(attempts).hasValue(3);
      assertThat(traffic.uploadRetries()).isEqualTo(2);
      assertThat(traffic.uploadBytes()).isEqualTo(received.get());
    }
  }

  @Test
  void first409IsSupersededToo() throws Exception {
    try (StandInServer studio =
        StandInServer.start(
            (exchange, self) -> {
              exchange.getRequestBody().readAllBytes();
              StandInServer.reply(exchange, 409, "{}");
            })) {
      assertThat(upload(uploader(studio, Duration.ofSeconds(5))))
          .isInstanceOfSatisfying(
              ResultUploader.Superseded.class,
              s -> assertThat(s.why()).contains("no longer assigns this job"));
    }
  }

  // --- a result handed over as a file ---

  /** The boundary of a {@code multipart/form-data; boundary=…} content type. */
  static String boundary(String contentType) {
    return contentType.substring(contentType.indexOf("boundary=") + "boundary=".length());
  }

  /** The whole body the uploader sends for {@code payload}, as the studio must receive it. */
  static byte[] expectedBody(
      String boundary, String jobId, String prompt, String ext, byte[] payload) {
    byte[] head = ResultUploader.head(boundary, jobId, prompt, ext);
    byte[] tail = ResultUploader.tail(boundary);
    byte[] body = new byte[head.length + payload.length + tail.length];
    System.arraycopy(head, 0, body, 0, head.length);
    System.arraycopy(payload, 0, body, head.length, payload.length);
    System.arraycopy(tail, 0, body, head.length + payload.length, tail.length);
    return body;
  }

  @Test
  void fileResultGoesOutAsHeadFileAndTailWithItsExactLength(@TempDir Path dir) throws Exception {
    byte[] video = new byte[200_000];
    for (int i = 0; i < video.length; i++) {
      video[i] = (byte) (i * 31 + 7);
    }
    Path file = Files.write(dir.resolve("result.mp4"), video);
    List<byte[]> bodies = new CopyOnWriteArrayList<>();
    List<String> lengths = new CopyOnWriteArrayList<>();
    List<String> types = new CopyOnWriteArrayList<>();
    try (StandInServer studio =
        StandInServer.start(
            (exchange, self) -> {
              lengths.add(exchange.getRequestHeaders().getFirst("Content-Length"));
              types.add(exchange.getRequestHeaders().getFirst("Content-Type"));
              bodies.add(exchange.getRequestBody().readAllBytes());
              StandInServer.reply(exchange, 200, "{\"ok\":true}");
            })) {
      ResultUploader.Outcome outcome =
          uploader(studio, Duration.ofSeconds(5))
              .upload("w-1", "t".repeat(64), "job-1", "waves", "mp4", file);

      assertThat(outcome).isEqualTo(new ResultUploader.Delivered(1));
      byte[] expected = expectedBody(boundary(types.getFirst()), "job-1", "waves", "mp4", video);
      assertThat(bodies).singleElement().isEqualTo(expected);
      assertThat(lengths).containsExactly(String.valueOf(expected.length));
      assertThat(traffic.uploadBytes()).isEqualTo(expected.length);
      assertThat(file).as("the uploader leaves the file to its owner").hasBinaryContent(video);
    }
  }

  @Test
  void retryAfterADroppedFirstAttemptReadsTheFileAgain(@TempDir Path dir) throws Exception {
    byte[] first = "RIFF....WEBPVP8L first version".getBytes(StandardCharsets.ISO_8859_1);
    byte[] second = "RIFF....WEBPVP8L later version".getBytes(StandardCharsets.ISO_8859_1);
    Path file = Files.write(dir.resolve("result.webp"), first);
    List<byte[]> bodies = new CopyOnWriteArrayList<>();
    List<String> types = new CopyOnWriteArrayList<>();
    try (StandInServer studio =
        StandInServer.start(
            (exchange, self) -> {
              types.add(exchange.getRequestHeaders().getFirst("Content-Type"));
              bodies.add(exchange.getRequestBody().readAllBytes());
              if (bodies.size() == 1) {
                // Same size, other bytes: a retry that re-reads the file sends these.
                Files.write(file, second);
                return; // the connection drops before any reply
              }
              StandInServer.reply(exchange, 200, "{\"ok\":true}");
            })) {
      ResultUploader.Outcome outcome =
          uploader(studio, Duration.ofSeconds(5))
              .upload("w-1", "t".repeat(64), "job-1", "a fox", "webp", file);

      assertThat(outcome).isEqualTo(new ResultUploader.Delivered(2));
      String boundary = boundary(types.getFirst());
      assertThat(bodies)
          .containsExactly(
              expectedBody(boundary, "job-1", "a fox", "webp", first),
              expectedBody(boundary, "job-1", "a fox", "webp", second));
      assertThat(traffic.uploadRetries()).isEqualTo(1);
      assertThat(traffic.uploadBytes()).isEqualTo(bodies.get(0).length + bodies.get(1).length);
    }
  }

  @Test
  void missingResultFileFailsWithoutAnAttempt(@TempDir Path dir) throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    try (StandInServer studio =
        StandInServer.start(
            (exchange, self) -> {
              attempts.incrementAndGet();
              StandInServer.reply(exchange, 200, "{}");
            })) {
      ResultUploader.Outcome outcome =
          uploader(studio, Duration.ofSeconds(5))
              .upload("w-1", "t".repeat(64), "job-1", "p", "mp4", dir.resolve("gone.mp4"));

      assertThat(outcome)
          .isInstanceOfSatisfying(
              ResultUploader.Failed.class,
              f -> assertThat(f.why()).contains("result file is missing"));
      assertThat(attempts).hasValue(0);
    }
  }

  @Test
  void bytesResultGoesOutWhole() throws Exception {
    List<byte[]> bodies = new CopyOnWriteArrayList<>();
    List<String> types = new CopyOnWriteArrayList<>();
    try (StandInServer studio =
        StandInServer.start(
            (exchange, self) -> {
              types.add(exchange.getRequestHeaders().getFirst("Content-Type"));
              bodies.add(exchange.getRequestBody().readAllBytes());
              StandInServer.reply(exchange, 200, "{}");
            })) {
      assertThat(upload(uploader(studio, Duration.ofSeconds(5))))
          .isEqualTo(new ResultUploader.Delivered(1));

      assertThat(bodies)
          .containsExactly(
              expectedBody(boundary(types.getFirst()), "job-1", "a lighthouse", "webp", IMAGE));
    }
  }
}
