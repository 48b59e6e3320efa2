package org.studioworker.runtime.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.data.Offset.offset;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.studioworker.gpu.GpuDevice;
import org.studioworker.gpu.GpuSnapshot;
import org.studioworker.protocol.LogEntry;
import org.studioworker.protocol.LogLevel;
import org.studioworker.runtime.logs.LogRing;
import org.studioworker.runtime.logs.LogShipQueue;
import org.studioworker.runtime.status.JobRecord;
import org.studioworker.runtime.status.SessionState;
import org.studioworker.runtime.status.StatusBoard;
import org.studioworker.runtime.status.Traffic;
import org.studioworker.spi.TaskKind;

final class WorkerMetricsTest {
  private static final InstantSource CLOCK =
      InstantSource.fixed(Instant.parse("2026-03-04T05:06:07Z"));

  private static final long GIB = 1024L * 1024 * 1024;

  private static final String PROMPT = "a lighthouse at dusk, oil on canvas";
  private static final String TOKEN =
      "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

  // Strict forms of the text format 0.0.4:
  // https://prometheus.io/docs/instrumenting/exposition_formats/
  private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
  private static final Pattern HELP =
      Pattern.compile("# HELP (" + NAME + ") ((?:[^\\\\\\n]|\\\\[\\\\n])*)");
  private static final Pattern TYPE =
      Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
  private static final String LABEL = "[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\"";
  private static final Pattern SAMPLE =
      Pattern.compile(
          "("
              + NAME
              + ")(?:\\{("
              + LABEL
              + "(?:,"
              + LABEL
              + ")*)\\})? ([-+]?(?:[0-9]+(?:\\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|Inf|NaN))");
  private static final Pattern ONE_LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"");

  /** The labels our own metrics may carry; anything else could leak what a job was. */
  private static final Set<String> ALLOWED_LABELS =
      Set.of("kind", "outcome", "state", "gpu", "name", "le");

  private final StatusBoard board = new StatusBoard(new LogRing(LogRing.DEFAULT_CAPACITY));
  private final LogShipQueue shipQueue = new LogShipQueue(3, CLOCK);
  private final Traffic traffic = new Traffic();
  private final AtomicReference<GpuSnapshot> gpus =
      new AtomicReference<>(
          new GpuSnapshot(
              "nvml",
              List.of(
                  new GpuDevice(
                      0, "NVIDIA H200", "GPU-1234", 141 * GIB, 100 * GIB, 41 * GIB, 7, 40),
                  new GpuDevice(1, "Test \"quoted\" GPU", null, 8 * GIB, null, null, null, null)),
              "570.86",
              null,
              CLOCK.instant()));
  private final WorkerMetrics metrics = new WorkerMetrics(board, shipQueue, gpus::get, traffic);

  /** One parsed exposition: samples by canonical key, families with their type. */
  private record Exposition(Map<String, Double> samples, Map<String, String> types, String text) {
    double value(String name, String... labels) {
      TreeMap<String, String> wanted = new TreeMap<>();
      for (int i = 0; i < labels.length; i += 2) {
        wanted.put(labels[i], labels[i + 1]);
      }
      String key = key(name, wanted);
      assertThat(samples).as("sample %s", key).containsKey(key);
      return samples.get(key);
    }
  }

  private static String key(String name, TreeMap<String, String> labels) {
    return labels.isEmpty() ? name : name + labels;
  }

  /** Parses every line strictly; a line of any other form fails the test. */
  private Exposition scrape() {
    String text = new String(metrics.scrape(), StandardCharsets.UTF_8);
    assertThat(text).endsWith("\n");
    Map<String, Double> samples = new LinkedHashMap<>();
    Map<String, String> types = new LinkedHashMap<>();
    Set<String> helped = new HashSet<>();
    String family = null;
    for (String line : text.substring(0, text.length() - 1).split("\n", -1)) {
      Matcher help = HELP.matcher(line);
      Matcher type = TYPE.matcher(line);
      Matcher sample = SAMPLE.matcher(line);
      if (help.matches()) {
        assertThat(helped.add(help.group(1))).as("one HELP for %s", help.group(1)).isTrue();
        assertThat(help.group(2)).isNotBlank();
      } else if (type.matches()) {
        family = type.group(1);
        assertThat(helped).as("HELP before TYPE of %s", family).contains(family);
        assertThat(types.put(family, type.group(2))).as("one TYPE for %s", family).isNull();
      } else if (sample.matches()) {
        String name = sample.group(1);
        assertThat(family).as("a TYPE before %s", line).isNotNull();
        assertThat(belongsTo(name, family, types.get(family)))
            .as("%s under %s", name, family)
            .isTrue();
        TreeMap<String, String> labels = new TreeMap<>();
        if (sample.group(2) != null) {
          Matcher label = ONE_LABEL.matcher(sample.group(2));
          while (label.find()) {
            assertThat(labels.put(label.group(1), label.group(2)))
                .as("label once: %s", line)
                .isNull();
          }
        }
        if (name.startsWith("studio_worker_")) {
          assertThat(ALLOWED_LABELS).as("labels of %s", line).containsAll(labels.keySet());
        }
        String value = sample.group(3);
        double parsed =
            switch (value) {
              case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
              case "-Inf" -> Double.NEGATIVE_INFINITY;
              default -> Double.parseDouble(value);
            };
        assertThat(samples.put(key(name, labels), parsed)).as("one sample: %s", line).isNull();
      } else {
        throw new AssertionError("not a line of the text format: <" + line + ">");
      }
    }
    return new Exposition(samples, types, text);
  }

  private static boolean belongsTo(String sample, String family, String type) {
    return switch (type) {
      case "histogram" ->
          sample.equals(family + "_bucket")
              || sample.equals(family + "_sum")
              || sample.equals(family + "_count");
      case "summary" ->
          sample.equals(family)
              || sample.equals(family + "_sum")
              || sample.equals(family + "_count");
      default -> sample.equals(family);
    };
  }

  private static JobRecord job(TaskKind kind, String outcome, Duration took) {
    Instant end = CLOCK.instant();
    return new JobRecord(
        "job-" + TOKEN.substring(0, 12),
        kind,
        "/srv/models/private-checkpoint.safetensors",
        PROMPT + " " + TOKEN,
        "studio",
        outcome,
        outcome.equals("failed") ? "engine said: bearer " + TOKEN : "",
        end.minus(took),
        end,
        took);
  }

  @Test
  void contentTypeIsTheTextFormat004() {
    assertThat(WorkerMetrics.CONTENT_TYPE).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
  }

  @Test
  void finishedJobsAreCountedByKindAndOutcomeWithTheirDurations() {
    board.finished(job(TaskKind.IMAGE, "completed", Duration.ofMillis(5)));
    board.finished(job(TaskKind.IMAGE, "completed", Duration.ofSeconds(3)));
    board.finished(job(TaskKind.IMAGE, "failed", Duration.ofMinutes(45)));
    board.finished(job(TaskKind.LLM, "cancelled", Duration.ofMillis(250)));
    board.finished(job(TaskKind.LLM, "lost in space", Duration.ofMillis(40)));

    Exposition out = scrape();

    assertThat(out.types()).containsEntry("studio_worker_jobs_finished_total", "counter");
    String finished = "studio_worker_jobs_finished_total";
    assertThat(out.value(finished, "kind", "image", "outcome", "completed")).isEqualTo(2);
    assertThat(out.value(finished, "kind", "image", "outcome", "failed")).isEqualTo(1);
    assertThat(out.value(finished, "kind", "llm", "outcome", "cancelled")).isEqualTo(1);
    assertThat(out.value(finished, "kind", "llm", "outcome", "other")).isEqualTo(1);
    // Every kind and outcome is there from the start, at zero.
    assertThat(out.value(finished, "kind", "video", "outcome", "completed")).isZero();
    assertThat(out.value(finished, "kind", "audio_stt", "outcome", "failed")).isZero();

    assertThat(out.types()).containsEntry("studio_worker_job_duration_seconds", "histogram");
    String bucket = "studio_worker_job_duration_seconds_bucket";
    assertThat(out.value(bucket, "kind", "image", "le", "0.01")).isEqualTo(1);
    assertThat(out.value(bucket, "kind", "image", "le", "2.5")).isEqualTo(1);
    assertThat(out.value(bucket, "kind", "image", "le", "5.0")).isEqualTo(2);
    assertThat(out.value(bucket, "kind", "image", "le", "1800.0")).isEqualTo(2);
    assertThat(out.value(bucket, "kind", "image", "le", "+Inf")).isEqualTo(3);
    assertThat(out.value("studio_worker_job_duration_seconds_count", "kind", "image")).isEqualTo(3);
    assertThat(out.value("studio_worker_job_duration_seconds_sum", "kind", "image"))
        .isCloseTo(0.005 + 3 + 2700, offset(1e-9));
    assertThat(out.value(bucket, "kind", "llm", "le", "0.05")).isEqualTo(1);
    assertThat(out.value(bucket, "kind", "llm", "le", "0.25")).isEqualTo(2);
    // 17 bounds and +Inf for each kind seen.
    assertThat(out.samples().keySet().stream().filter(k -> k.startsWith(bucket + "{")))
        .hasSize(2 * (WorkerMetrics.DURATION_BUCKETS.length + 1));
  }

  @Test
  void exactlyTheCurrentSessionStateIsOne() {
    List<SessionState> states =
        List.of(
            new SessionState.WaitingForApproval(),
            new SessionState.Connecting(1),
            new SessionState.Connected("w-1", "2026-03-04T05:06:07Z"),
            new SessionState.Reconnecting(2, Duration.ofSeconds(4), "closed by the studio"),
            new SessionState.AuthFailed("token " + TOKEN + " refused"),
            new SessionState.Fatal("protocol error"),
            new SessionState.Stopped());
    List<String> seen = new ArrayList<>();
    for (SessionState state : states) {
      board.session(state);
      Exposition out = scrape();

      String current = null;
      for (String name : WorkerMetrics.SESSION_STATES) {
        double value = out.value("studio_worker_session_state", "state", name);
        assertThat(value).isIn(0.0, 1.0);
        if (value == 1.0) {
          assertThat(current).as("only one state is 1").isNull();
          current = name;
        }
      }
      seen.add(current);
      assertThat(out.text()).doesNotContain(TOKEN);
    }
    assertThat(seen).containsExactlyElementsOf(WorkerMetrics.SESSION_STATES);
  }

  @Test
  void countersFollowTheBoardTheQueueAndTheTraffic() {
    board.session(new SessionState.Reconnecting(1, Duration.ofSeconds(1), "gone"));
    board.session(new SessionState.Connecting(1));
    board.session(new SessionState.Reconnecting(2, Duration.ofSeconds(2), "gone"));
    for (int i = 0; i < 3; i++) {
      board.heartbeatSent(CLOCK.instant());
    }
    board.heartbeatAcked(CLOCK.instant());
    board.heartbeatAcked(CLOCK.instant());
    for (int i = 0; i < 5; i++) {
      shipQueue.offer(new LogEntry(CLOCK.instant(), LogLevel.INFO, "test", "line " + i, null));
    }
    traffic.uploaded(1000);
    traffic.uploaded(234);
    traffic.uploadRetried();
    traffic.downloaded(5 * GIB);

    Exposition out = scrape();

    assertThat(out.value("studio_worker_reconnects_total")).isEqualTo(2);
    assertThat(out.value("studio_worker_heartbeats_sent_total")).isEqualTo(3);
    assertThat(out.value("studio_worker_heartbeats_acked_total")).isEqualTo(2);
    assertThat(out.value("studio_worker_log_ship_queue_entries")).isEqualTo(3);
    assertThat(out.value("studio_worker_log_ship_queue_capacity_entries")).isEqualTo(3);
    assertThat(out.value("studio_worker_log_entries_dropped_total")).isEqualTo(2);
    assertThat(out.value("studio_worker_upload_bytes_total")).isEqualTo(1234);
    assertThat(out.value("studio_worker_upload_retries_total")).isEqualTo(1);
    assertThat(out.value("studio_worker_model_download_bytes_total")).isEqualTo(5.0 * GIB);
    assertThat(out.types())
        .containsEntry("studio_worker_reconnects_total", "counter")
        .containsEntry("studio_worker_log_ship_queue_entries", "gauge")
        .containsEntry("studio_worker_model_download_bytes_total", "counter");
  }

  @Test
  void vramIsReadPerGpuAtEachScrape() {
    Exposition out = scrape();

    String total = "studio_worker_gpu_vram_total_bytes";
    String free = "studio_worker_gpu_vram_free_bytes";
    assertThat(out.value(total, "gpu", "0", "name", "NVIDIA H200")).isEqualTo(141.0 * GIB);
    assertThat(out.value(free, "gpu", "0", "name", "NVIDIA H200")).isEqualTo(100.0 * GIB);
    assertThat(out.value(total, "gpu", "1", "name", "Test \\\"quoted\\\" GPU"))
        .isEqualTo(8.0 * GIB);
    // The second GPU's driver cannot tell free memory: no sample rather than a made-up one.
    assertThat(out.samples()).doesNotContainKey(free + "{gpu=1, name=Test \\\"quoted\\\" GPU}");
    assertThat(out.text()).doesNotContain("GPU-1234");

    gpus.set(new GpuSnapshot("none", List.of(), null, "no GPU found", CLOCK.instant()));
    Exposition none = scrape();
    // A family without samples is left out whole, HELP and TYPE included.
    assertThat(none.types()).doesNotContainKeys(total, free);
    assertThat(none.samples().keySet()).noneMatch(k -> k.startsWith(total) || k.startsWith(free));
  }

  @Test
  void jvmBasicsAreThere() {
    Exposition out = scrape();

    assertThat(out.value("jvm_memory_used_bytes", "area", "heap")).isPositive();
    assertThat(out.value("jvm_threads_current")).isPositive();
    assertThat(out.value("process_start_time_seconds")).isPositive();
    assertThat(out.types()).containsKey("jvm_runtime_info");
  }

  @Test
  void noPromptJobIdModelOrTokenEverReachesTheOutput() {
    board.finished(job(TaskKind.IMAGE, "completed", Duration.ofSeconds(2)));
    board.finished(job(TaskKind.VIDEO, "failed", Duration.ofSeconds(90)));
    board.session(new SessionState.Fatal("the studio sent " + TOKEN));

    String text = scrape().text();

    assertThat(text)
        .doesNotContain("lighthouse")
        .doesNotContain(TOKEN.substring(0, 12))
        .doesNotContain("private-checkpoint")
        .doesNotContain("/srv/models")
        .doesNotContain("bearer");
    // No run that looks like a key or a hash: 16 hex digits, or 20 word characters with a digit.
    assertThat(Pattern.compile("[0-9a-fA-F]{16,}").matcher(text).find()).isFalse();
    Matcher words = Pattern.compile("[A-Za-z0-9_-]{20,}").matcher(text);
    while (words.find()) {
      assertThat(words.group()).as("token-like").doesNotContainPattern("[0-9]");
    }
  }

  @Test
  void twoDaemonsInOneJvmKeepTheirOwnCounts() {
    StatusBoard other = new StatusBoard(new LogRing(LogRing.DEFAULT_CAPACITY));
    WorkerMetrics second =
        new WorkerMetrics(other, new LogShipQueue(10, CLOCK), gpus::get, new Traffic());
    other.finished(job(TaskKind.AUDIO_TTS, "completed", Duration.ofSeconds(1)));

    String mine = "studio_worker_jobs_finished_total";
    assertThat(scrape().value(mine, "kind", "audio_tts", "outcome", "completed")).isZero();
    assertThat(new String(second.scrape(), StandardCharsets.UTF_8))
        .contains("studio_worker_jobs_finished_total{kind=\"audio_tts\",outcome=\"completed\"} 1");
    assertThatCode(metrics::scrape).doesNotThrowAnyException();
  }
}
