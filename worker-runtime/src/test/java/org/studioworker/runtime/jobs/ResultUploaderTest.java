package org.studioworker.runtime.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
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
}
