package org.studioworker.runtime.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmBufferPoolMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmClassLoadingMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmGarbageCollectorMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmRuntimeInfoMetric;
import io.prometheus.metrics.instrumentation.jvm.JvmThreadsMetrics;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.studioworker.gpu.GpuDevice;
import org.studioworker.gpu.GpuSnapshot;
import org.studioworker.runtime.logs.LogShipQueue;
import org.studioworker.runtime.status.JobRecord;
import org.studioworker.runtime.status.SessionState;
import org.studioworker.runtime.status.StatusBoard;
import org.studioworker.runtime.status.Traffic;
import org.studioworker.spi.TaskKind;

/**
 * The worker's metrics in the Prometheus text format, for {@code GET /metrics}: jobs by kind and
 * outcome, job durations, session state, reconnects, heartbeats, the log ship queue, upload and
 * download traffic, VRAM per GPU, and JVM basics.
 *
 * <p>Each instance has its own registry, so several daemons in one JVM never share a count. Jobs
 * are counted from the moment of construction (it subscribes to the board's finished jobs);
 * everything else is read from its source at each scrape. Labels carry only a job kind, an outcome,
 * a session state, a GPU index and a GPU name: never a job id, a prompt, a model or a secret.
 *
 * <p>Thread-safe; {@link #scrape()} may run on several threads at once and blocks only for the
 * reads of the JVM's management beans and of {@code /proc/self}.
 */
public final class WorkerMetrics {
  /** The content type of {@link #scrape()}: the Prometheus text format 0.0.4. */
  public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

  /** The session state names, as {@code status} and the local API spell them. */
  static final List<String> SESSION_STATES =
      List.of(
          "waiting_for_approval",
          "connecting",
          "connected",
          "reconnecting",
          "auth_failed",
          "fatal",
          "stopped");

  /** The outcomes a finished job may have; any other is counted as {@code other}. */
  static final List<String> OUTCOMES = List.of("completed", "failed", "cancelled");

  /**
   * Job duration buckets in seconds. Why these? An llm answer takes tens of milliseconds, an image
   * seconds, a video up to half an hour: roughly 1-2.5-5 steps from 10 ms to 30 min, 17 buckets.
   */
  static final double[] DURATION_BUCKETS = {
    0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800
  };

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

  /**
   * Metrics over the daemon's parts.
   *
   * @param gpus the latest GPU reading; called at each scrape, so it must not block (an inventory's
   *     {@code snapshot}, not its {@code refresh})
   */
  public WorkerMetrics(
      StatusBoard board, LogShipQueue shipQueue, Supplier<GpuSnapshot> gpus, Traffic traffic) {
    jobs(board);
    session(board);
    logShipping(shipQueue);
    traffic(traffic);
    vram(gpus);
    jvm();
  }

  /** The metrics now, in the text format of {@link #CONTENT_TYPE}. */
  public byte[] scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
    try {
      writeTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException("a byte array cannot fail to take bytes", e);
    }
    return out.toByteArray();
  }

  /** Writes the metrics now to {@code out}, in the text format of {@link #CONTENT_TYPE}. */
  public void writeTo(OutputStream out) throws IOException {
    writer.write(out, registry.scrape());
  }

  private void jobs(StatusBoard board) {
    Counter finished =
        Counter.builder()
            .name("studio_worker_jobs_finished_total")
            .help("Jobs finished since start, by kind and outcome.")
            .labelNames("kind", "outcome")
            .withoutExemplars()
            .register(registry);
    Histogram durations =
        Histogram.builder()
            .name("studio_worker_job_duration_seconds")
            .help("How long finished jobs ran, by kind.")
            .labelNames("kind")
            .classicOnly()
            .classicUpperBounds(DURATION_BUCKETS)
            .withoutExemplars()
            .register(registry);
    // Every series from the start, so that a rate over the first job is not lost.
    for (TaskKind kind : TaskKind.values()) {
      for (String outcome : OUTCOMES) {
        finished.labelValues(kind.wireName(), outcome);
      }
    }
    board.onFinished(
        (JobRecord job) -> {
          String kind = job.kind().wireName();
          String outcome = OUTCOMES.contains(job.outcome()) ? job.outcome() : "other";
          finished.labelValues(kind, outcome).inc();
          durations.labelValues(kind).observe(seconds(job.took()));
        });
  }

  private void session(StatusBoard board) {
    GaugeWithCallback.builder()
        .name("studio_worker_session_state")
        .help("The session state: 1 for the current state, 0 for the others.")
        .labelNames("state")
        .callback(
            callback -> {
              String now = stateName(board.session());
              for (String state : SESSION_STATES) {
                callback.call(state.equals(now) ? 1 : 0, state);
              }
            })
        .register(registry);
    counter(
        "studio_worker_reconnects_total",
        "Times the session went to reconnecting since start.",
        board::reconnectCount);
    counter(
        "studio_worker_heartbeats_sent_total",
        "Heartbeats sent to the studio since start.",
        board::heartbeatCount);
    counter(
        "studio_worker_heartbeats_acked_total",
        "Heartbeats the studio acknowledged since start.",
        board::heartbeatAckCount);
  }

  private void logShipping(LogShipQueue queue) {
    gauge(
        "studio_worker_log_ship_queue_entries",
        "Log entries waiting to be shipped to the studio.",
        queue::size);
    gauge(
        "studio_worker_log_ship_queue_capacity_entries",
        "The most log entries the ship queue holds before it drops the oldest.",
        queue::capacity);
    counter(
        "studio_worker_log_entries_dropped_total",
        "Log entries dropped unshipped because the ship queue was full, since start.",
        queue::droppedCount);
  }

  private void traffic(Traffic traffic) {
    counter(
        "studio_worker_upload_bytes_total",
        "Result body bytes sent to the studio, every attempt included, since start.",
        traffic::uploadBytes);
    counter(
        "studio_worker_upload_retries_total",
        "Result upload attempts after a failed one, since start.",
        traffic::uploadRetries);
    counter(
        "studio_worker_model_download_bytes_total",
        "Model file bytes downloaded since start.",
        traffic::downloadBytes);
  }

  private void vram(Supplier<GpuSnapshot> gpus) {
    GaugeWithCallback.builder()
        .name("studio_worker_gpu_vram_total_bytes")
        .help("Memory of each GPU.")
        .labelNames("gpu", "name")
        .callback(
            callback -> {
              for (GpuDevice device : gpus.get().devices()) {
                callback.call(device.totalBytes(), String.valueOf(device.index()), device.name());
              }
            })
        .register(registry);
    GaugeWithCallback.builder()
        .name("studio_worker_gpu_vram_free_bytes")
        .help("Free memory of each GPU whose driver tells it.")
        .labelNames("gpu", "name")
        .callback(
            callback -> {
              for (GpuDevice device : gpus.get().devices()) {
                Long free = device.freeBytes();
                if (free != null) {
                  callback.call(free, String.valueOf(device.index()), device.name());
                }
              }
            })
        .register(registry);
  }

  /**
   * The JVM basics: memory, threads, garbage collection, class loading, buffer pools, the runtime's
   * version, and the process (CPU, resident memory, start time, open files). Left out on purpose:
   * the allocation metrics, which add GC listeners that are never removed (one set per daemon of a
   * test JVM) and need {@code jdk.management}, which the packaged runtime does not link; and native
   * memory tracking, empty unless the JVM was started with it.
   */
  private void jvm() {
    JvmMemoryMetrics.builder().register(registry);
    JvmThreadsMetrics.builder().register(registry);
    JvmGarbageCollectorMetrics.builder().register(registry);
    JvmClassLoadingMetrics.builder().register(registry);
    JvmBufferPoolMetrics.builder().register(registry);
    JvmRuntimeInfoMetric.builder().register(registry);
    ProcessMetrics.builder().register(registry);
  }

  private void counter(String name, String help, Supplier<Number> value) {
    CounterWithCallback.builder()
        .name(name)
        .help(help)
        .callback(callback -> callback.call(value.get().doubleValue()))
        .register(registry);
  }

  private void gauge(String name, String help, Supplier<Number> value) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .callback(callback -> callback.call(value.get().doubleValue()))
        .register(registry);
  }

  /** The state's name, as {@code status} and the local API spell it. */
  static String stateName(SessionState state) {
    return switch (state) {
      case SessionState.WaitingForApproval w -> "waiting_for_approval";
      case SessionState.Connecting c -> "connecting";
      case SessionState.Connected c -> "connected";
      case SessionState.Reconnecting r -> "reconnecting";
      case SessionState.AuthFailed a -> "auth_failed";
      case SessionState.Fatal f -> "fatal";
      case SessionState.Stopped s -> "stopped";
    };
  }

  /** A duration in seconds; never negative, should the clock step back during a job. */
  private static double seconds(Duration took) {
    return took.isNegative() ? 0 : took.toNanos() / 1e9;
  }
}
