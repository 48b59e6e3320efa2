package org.studioworker.runtime.logs;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.LayoutBase;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * One line per event on stderr, readable in a terminal and in {@code journalctl}.
 *
 * <p>Under systemd (stderr connected to the journal, {@code JOURNAL_STREAM} set) each line starts
 * with a {@code <N>} syslog priority and carries no timestamp, since the journal adds its own; in a
 * terminal it starts with an ISO timestamp. Text is redacted.
 */
public final class ConsoleLayout extends LayoutBase<ILoggingEvent> {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  /** Longest stack trace printed, in frames. */
  private static final int MAX_FRAMES = 30;

  private final boolean journal;

  /** A layout for the journal ({@code true}) or a terminal. */
  public ConsoleLayout(boolean journal) {
    this.journal = journal;
  }

  @Override
  public String doLayout(ILoggingEvent event) {
    StringBuilder out = new StringBuilder(128);
    if (journal) {
      out.append('<').append(priority(event.getLevel())).append('>');
    } else {
      out.append(TIME.format(event.getInstant())).append(' ');
    }
    out.append(String.format("%-5s", event.getLevel())).append(' ');
    out.append(event.getLoggerName()).append(": ");
    String jobId = event.getMDCPropertyMap().get(ShipAppender.JOB_ID);
    if (jobId != null) {
      out.append("[job ").append(jobId).append("] ");
    }
    out.append(Redactor.redact(event.getFormattedMessage()));
    IThrowableProxy thrown = event.getThrowableProxy();
    int frames = 0;
    boolean first = true;
    while (thrown != null) {
      out.append(first ? "\n  " : "\n  caused by ");
      first = false;
      out.append(thrown.getClassName())
          .append(": ")
          .append(Redactor.redact(String.valueOf(thrown.getMessage())));
      for (StackTraceElementProxy frame : thrown.getStackTraceElementProxyArray()) {
        if (frames++ >= MAX_FRAMES) {
          break;
        }
        out.append("\n    at ").append(frame.getStackTraceElement());
      }
      thrown = thrown.getCause();
    }
    return out.append('\n').toString();
  }

  private static int priority(Level level) {
    // Why these numbers? syslog priorities: 3 err, 4 warning, 6 info, 7 debug.
    return switch (level.toInt()) {
      case Level.ERROR_INT -> 3;
      case Level.WARN_INT -> 4;
      case Level.INFO_INT -> 6;
      default -> 7;
    };
  }
}
