package org.studioworker.runtime.logs;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import java.util.Map;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.studioworker.protocol.LogEntry;
import org.studioworker.protocol.LogLevel;

/**
 * The Logback appender that turns every worker event at info and above into a {@link LogEntry} for
 * each attached ship queue and display ring.
 *
 * <p>Worker loggers are named by category ({@code session}, {@code jobs}): only names without a dot
 * are shipped, so a library's or an embedded studio's logs never reach the studio as the worker's.
 * The job id comes from the MDC key {@value #JOB_ID}; the lines of jobs also go to the sinks of
 * {@link #attachJobLines}. Text is redacted before it is queued. Called on the logging thread;
 * never blocks.
 */
public final class ShipAppender extends AppenderBase<ILoggingEvent> {
  /** The MDC key that carries the job id. */
  public static final String JOB_ID = "jobId";

  /**
   * The id prefix of local jobs (the local API's). Their lines stay on this machine: they go to the
   * log ring and the job's log, never to the studio, which has no business with what the person at
   * the machine runs.
   */
  public static final String LOCAL_JOB_PREFIX = "local-";

  /** Longest shipped message; a longer one is cut (a stack trace is not shipped whole). */
  static final int MAX_MESSAGE_CHARS = 4000;

  private record Sink(LogShipQueue queue, LogRing ring) {}

  private final java.util.concurrent.CopyOnWriteArrayList<Sink> sinks =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  /** Where the lines of jobs go (the per-job logs of {@code localjobs.JobArtifactStore}). */
  private final java.util.concurrent.CopyOnWriteArrayList<Consumer<LogEntry>> jobSinks =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  /** An appender with no sink attached yet. */
  public ShipAppender() {
    setName("ship");
  }

  /**
   * Feeds a queue and a ring from now on.
   *
   * @return closing it detaches them
   */
  public AutoCloseable attach(LogShipQueue queue, LogRing ring) {
    Sink sink = new Sink(queue, ring);
    sinks.add(sink);
    return () -> sinks.remove(sink);
  }

  /**
   * Feeds {@code sink} from now on with every event at info and above that carries a job id in the
   * MDC, whatever its logger (a library called on the job's thread counts), as the same redacted
   * entry that is shipped. Called on the logging thread; the sink must not block.
   *
   * @return closing it detaches the sink
   */
  public AutoCloseable attachJobLines(Consumer<LogEntry> sink) {
    jobSinks.add(sink);
    return () -> jobSinks.remove(sink);
  }

  @Override
  protected void append(ILoggingEvent event) {
    if (!event.getLevel().isGreaterOrEqual(Level.INFO)) {
      return;
    }
    boolean shipped = event.getLoggerName().indexOf('.') < 0 && !sinks.isEmpty();
    String job = jobId(event);
    boolean ofAJob = !jobSinks.isEmpty() && job != null;
    if (!shipped && !ofAJob) {
      return;
    }
    LogEntry entry = toEntry(event);
    if (shipped) {
      boolean local = job != null && job.startsWith(LOCAL_JOB_PREFIX);
      for (Sink sink : sinks) {
        if (!local) {
          sink.queue().offer(entry);
        }
        sink.ring().add(entry);
      }
    }
    if (ofAJob) {
      for (Consumer<LogEntry> sink : jobSinks) {
        sink.accept(entry);
      }
    }
  }

  private static @Nullable String jobId(ILoggingEvent event) {
    Map<String, String> mdc = event.getMDCPropertyMap();
    return mdc == null ? null : mdc.get(JOB_ID);
  }

  static LogEntry toEntry(ILoggingEvent event) {
    String message = event.getFormattedMessage();
    IThrowableProxy thrown = event.getThrowableProxy();
    if (thrown != null) {
      message = message + ": " + thrown.getClassName() + ": " + thrown.getMessage();
    }
    message = Redactor.redact(message);
    if (message.length() > MAX_MESSAGE_CHARS) {
      message = message.substring(0, MAX_MESSAGE_CHARS) + "…";
    }
    return new LogEntry(
        event.getInstant(), level(event.getLevel()), event.getLoggerName(), message, jobId(event));
  }

  static LogLevel level(Level level) {
    return switch (level.toInt()) {
      case Level.ERROR_INT -> LogLevel.ERROR;
      case Level.WARN_INT -> LogLevel.WARN;
      case Level.INFO_INT -> LogLevel.INFO;
      case Level.DEBUG_INT -> LogLevel.DEBUG;
      default -> LogLevel.TRACE;
    };
  }
}
