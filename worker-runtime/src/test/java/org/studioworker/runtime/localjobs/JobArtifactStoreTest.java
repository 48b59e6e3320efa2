package org.studioworker.runtime.localjobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.studioworker.runtime.logs.LogRing;
import org.studioworker.runtime.logs.LogSetup;
import org.studioworker.runtime.logs.Redactor;
import org.studioworker.runtime.logs.ShipAppender;
import org.studioworker.runtime.status.JobRecord;
import org.studioworker.runtime.status.StatusBoard;
import org.studioworker.spi.JobResult;
import org.studioworker.spi.TaskKind;
import org.studioworker.spi.image.ImageDecoder;
import org.studioworker.spi.image.PngEncoder;

/** Job logs through the real logging path (Logback, the ship appender), and thumbnails. */
final class JobArtifactStoreTest {
  private static final Logger log = LoggerFactory.getLogger("job");

  private final JobArtifactStore store = new JobArtifactStore();
  private AutoCloseable capture = () -> {};

  @BeforeEach
  void installLogging() {
    LogSetup.install(Map.of(), "test");
    capture = store.capture(LogSetup.ship());
  }

  @AfterEach
  void detach() throws Exception {
    capture.close();
  }

  private static void logFor(String jobId, String message) {
    try (var ignored = MDC.putCloseable(ShipAppender.JOB_ID, jobId)) {
      log.info("{}", message);
    }
  }

  @Test
  void linesOfAJobAreKeptInOrderWithLevelAndTarget() {
    logFor("j-order", "first");
    try (var ignored = MDC.putCloseable(ShipAppender.JOB_ID, "j-order")) {
      LoggerFactory.getLogger("engines").warn("second");
    }
    log.info("a line of no job");

    JobArtifacts.Log kept = store.log("j-order").orElseThrow();

    assertThat(kept.dropped()).isZero();
    assertThat(kept.lines())
        .extracting(JobArtifacts.Line::message)
        .containsExactly("first", "second");
    assertThat(kept.lines().get(1).level()).isEqualTo("WARN");
    assertThat(kept.lines().get(1).target()).isEqualTo("engines");
    assertThat(store.log("no-such-job")).isEmpty();
  }

  @Test
  void aJobKeepsItsNewest400LinesAndCountsTheDroppedOne() {
    for (int i = 1; i <= 401; i++) {
      logFor("j-many", "line " + i);
    }

    JobArtifacts.Log kept = store.log("j-many").orElseThrow();

    assertThat(kept.lines()).hasSize(JobArtifacts.MAX_LINES);
    assertThat(kept.dropped()).isEqualTo(1);
    assertThat(kept.lines().getFirst().message()).isEqualTo("line 2");
    assertThat(kept.lines().getLast().message()).isEqualTo("line 401");
  }

  @Test
  void theLogsOf128JobsAreKeptTheOldestGoes() {
    for (int i = 1; i <= 129; i++) {
      logFor("j-" + i, "hello");
    }

    assertThat(store.jobCount()).isEqualTo(JobArtifacts.MAX_JOBS);
    assertThat(store.log("j-1")).isEmpty();
    assertThat(store.log("j-2")).isPresent();
    assertThat(store.log("j-129")).isPresent();
  }

  @Test
  void aLongLineIsCutTo2000Characters() {
    logFor("j-long", "x".repeat(3000));

    assertThat(store.log("j-long").orElseThrow().lines().getFirst().message())
        .hasSize(JobArtifacts.MAX_LINE_CHARS);
  }

  @Test
  void aRegisteredSecretNeverReachesAJobLog() {
    String secret = "sk-job-log-secret-7f3a9c21";
    Redactor.register(secret);

    logFor("j-secret", "calling with token " + secret);
    try (var ignored = MDC.putCloseable(ShipAppender.JOB_ID, "j-secret")) {
      log.warn("failed", new IllegalStateException("rejected " + secret));
      log.info("Authorization: Bearer abcdef0123456789");
    }

    JobArtifacts.Log kept = store.log("j-secret").orElseThrow();
    assertThat(kept.lines()).hasSize(3);
    assertThat(kept.lines())
        .allSatisfy(
            line ->
                assertThat(line.message())
                    .doesNotContain(secret)
                    .doesNotContain("abcdef0123456789"));
    assertThat(kept.lines().getFirst().message()).contains(Redactor.MASK);
  }

  @Test
  void anImageGetsAThumbnailWhoseLongerSideIs384() throws Exception {
    int[] pixels = new int[1000 * 500];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (i % 1000) < 500 ? 0xffff0000 : 0xff0000ff;
    }
    byte[] png = PngEncoder.encode(1000, 500, pixels);

    store.imageResult("j-image", new JobResult.Binary(png, "png"));

    ImageDecoder.Decoded thumbnail =
        ImageDecoder.decode("thumbnail", store.thumbnail("j-image").orElseThrow());
    assertThat(thumbnail.width()).isEqualTo(384);
    assertThat(thumbnail.height()).isEqualTo(192);
    // The box filter keeps the two halves' colours apart from the seam.
    assertThat(thumbnail.argb()[0]).isEqualTo(0xffff0000);
    assertThat(thumbnail.argb()[383]).isEqualTo(0xff0000ff);
    assertThat(store.hasThumbnail("j-image")).isTrue();
  }

  @Test
  void aSmallImageKeepsItsSize() throws Exception {
    byte[] png = PngEncoder.encode(2, 3, new int[] {1, 2, 3, 4, 5, 6});

    store.imageResult("j-small", new JobResult.Binary(png, "png"));

    ImageDecoder.Decoded thumbnail =
        ImageDecoder.decode("thumbnail", store.thumbnail("j-small").orElseThrow());
    assertThat(thumbnail.width()).isEqualTo(2);
    assertThat(thumbnail.height()).isEqualTo(3);
  }

  @Test
  void anImageFileResultGetsAThumbnailAndStaysWhereItIs(@TempDir Path dir) throws Exception {
    byte[] png = PngEncoder.encode(2, 3, new int[] {1, 2, 3, 4, 5, 6});
    Path file = Files.write(dir.resolve("result-1.png"), png);

    store.imageResult("j-file", new JobResult.File(file, "png"));

    assertThat(ImageDecoder.decode("thumbnail", store.thumbnail("j-file").orElseThrow()).width())
        .isEqualTo(2);
    assertThat(file).hasBinaryContent(png);
  }

  @Test
  void aFileResultThatIsNotAnImageIsNotRead(@TempDir Path dir) throws Exception {
    byte[] png = PngEncoder.encode(2, 3, new int[] {1, 2, 3, 4, 5, 6});
    Path file = Files.write(dir.resolve("result-1.mp4"), png);

    store.imageResult("j-video", new JobResult.File(file, "mp4"));
    store.imageResult("j-gone", new JobResult.File(dir.resolve("gone.png"), "png"));

    assertThat(store.hasThumbnail("j-video")).isFalse();
    assertThat(store.hasThumbnail("j-gone")).isFalse();
  }

  @Test
  void aResultThatDoesNotDecodeGetsNoThumbnail() {
    store.imageResult("j-bad", new JobResult.Binary(new byte[] {1, 2, 3, 4}, "webp"));

    assertThat(store.thumbnail("j-bad")).isEmpty();
    assertThat(store.hasThumbnail("j-bad")).isFalse();
  }

  @Test
  void theNewest100ThumbnailsAreKept() {
    byte[] png = PngEncoder.encode(1, 1, new int[] {0xff00ff00});
    for (int i = 1; i <= 101; i++) {
      store.imageResult("j-" + i, new JobResult.Binary(png, "png"));
    }

    assertThat(store.hasThumbnail("j-1")).isFalse();
    assertThat(store.hasThumbnail("j-2")).isTrue();
    assertThat(store.hasThumbnail("j-101")).isTrue();
  }

  @Test
  void theBoardKeepsLocalJobsInARingOfTheirOwn() {
    StatusBoard board = new StatusBoard(new LogRing(10));
    java.util.List<JobRecord> told = new java.util.concurrent.CopyOnWriteArrayList<>();
    board.onFinished(told::add);
    for (int i = 1; i <= StatusBoard.RECENT_JOBS + 1; i++) {
      board.finished(record("local-" + i, StatusBoard.LOCAL));
    }
    board.finished(record("studio-1", "studio"));

    assertThat(board.localJobs()).hasSize(StatusBoard.RECENT_JOBS);
    assertThat(board.localJobs().getFirst().jobId())
        .isEqualTo("local-" + (StatusBoard.RECENT_JOBS + 1));
    assertThat(board.localJobs().getLast().jobId()).isEqualTo("local-2");
    assertThat(board.recentJobs()).extracting(JobRecord::jobId).containsExactly("studio-1");
    // The listeners (metrics) hear of every job, whatever its source.
    assertThat(told).hasSize(StatusBoard.RECENT_JOBS + 2);
  }

  private static JobRecord record(String jobId, String source) {
    Instant now = Instant.now();
    return new JobRecord(
        jobId, TaskKind.IMAGE, "m", "p", source, "completed", "", now, now, Duration.ZERO);
  }
}
