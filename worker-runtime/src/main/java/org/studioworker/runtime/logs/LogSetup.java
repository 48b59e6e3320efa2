package org.studioworker.runtime.logs;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import io.sentry.Sentry;
import io.sentry.SentryEvent;
import io.sentry.SentryLevel;
import io.sentry.logback.SentryAppender;
import io.sentry.protocol.Message;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/**
 * Configures Logback for the worker: stderr console, the ship appender, and opt-in Sentry.
 *
 * <p>Called once at start, on the main thread, before anything logs.
 */
public final class LogSetup {
  /** The one ship appender of the process; daemons attach their queues to it. */
  private static final ShipAppender SHIP = new ShipAppender();

  private LogSetup() {}

  /** The process's ship appender. */
  public static ShipAppender ship() {
    return SHIP;
  }

  /**
   * Installs the appenders.
   *
   * @param env the process environment ({@code JOURNAL_STREAM}, {@code SENTRY_DSN}, {@code
   *     SENTRY_ENVIRONMENT}, {@code STUDIO_WORKER_LOG})
   * @return a warning to log once logging works (an invalid DSN), or null
   */
  public static @Nullable String install(Map<String, String> env, String version) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(level(env.get("STUDIO_WORKER_LOG")));

    ConsoleLayout layout = new ConsoleLayout(env.containsKey("JOURNAL_STREAM"));
    layout.setContext(context);
    layout.start();
    LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
    encoder.setContext(context);
    encoder.setLayout(layout);
    encoder.start();
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(context);
    console.setName("console");
    console.setTarget("System.err");
    console.setEncoder(encoder);
    console.start();
    root.addAppender(console);

    SHIP.setContext(context);
    SHIP.start();
    root.addAppender(SHIP);
    // Quiet third-party chatter below warn; our own loggers have short category names.
    context.getLogger("io.sentry").setLevel(Level.WARN);
    context.getLogger("org.eclipse.jetty").setLevel(Level.WARN);
    return installSentry(env, context, root, version);
  }

  private static Level level(@Nullable String name) {
    return name == null || name.isBlank() ? Level.INFO : Level.toLevel(name, Level.INFO);
  }

  private static @Nullable String installSentry(
      Map<String, String> env, LoggerContext context, Logger root, String version) {
    String dsn = env.get("SENTRY_DSN");
    if (dsn == null || dsn.isBlank()) {
      return null;
    }
    String environment = env.getOrDefault("SENTRY_ENVIRONMENT", "production");
    try {
      Sentry.init(
          options -> {
            options.setDsn(dsn.strip());
            options.setEnvironment(environment);
            options.setRelease("studio-worker@" + version);
            options.setSendDefaultPii(false);
            options.setBeforeSend((event, hint) -> scrub(event));
            options.setBeforeBreadcrumb(
                (breadcrumb, hint) -> {
                  String message = breadcrumb.getMessage();
                  if (message != null) {
                    breadcrumb.setMessage(Redactor.redact(message));
                  }
                  return breadcrumb;
                });
          });
    } catch (RuntimeException e) {
      // The DSN carries a key of its own: say that it is invalid without echoing it.
      return "SENTRY_DSN is not a valid Sentry DSN; crash reports are off";
    }
    SentryAppender sentry = new SentryAppender();
    sentry.setContext(context);
    sentry.setName("sentry");
    sentry.setMinimumEventLevel(Level.ERROR);
    sentry.setMinimumBreadcrumbLevel(Level.WARN);
    sentry.start();
    root.addAppender(sentry);
    return null;
  }

  private static SentryEvent scrub(SentryEvent event) {
    Message message = event.getMessage();
    if (message != null) {
      if (message.getFormatted() != null) {
        message.setFormatted(Redactor.redact(message.getFormatted()));
      }
      if (message.getMessage() != null) {
        message.setMessage(Redactor.redact(message.getMessage()));
      }
      if (message.getParams() != null) {
        // The raw arguments of the log call travel too: a secret passed as {} would be in them.
        message.setParams(message.getParams().stream().map(Redactor::redact).toList());
      }
    }
    if (event.getExceptions() != null) {
      event
          .getExceptions()
          .forEach(
              e -> {
                if (e.getValue() != null) {
                  e.setValue(Redactor.redact(e.getValue()));
                }
              });
    }
    event.setLevel(event.getLevel() == null ? SentryLevel.ERROR : event.getLevel());
    return event;
  }

  /** Shows only warnings and errors of the loggers under {@code prefix} on the console. */
  public static void quiet(String prefix) {
    ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(prefix).setLevel(Level.WARN);
  }

  /** Flushes and closes Sentry, if it was started. Never throws. */
  public static void close() {
    try {
      Sentry.close();
    } catch (RuntimeException ignored) {
      // Shutdown paths never throw.
    }
    try {
      ((LoggerContext) LoggerFactory.getILoggerFactory()).stop();
    } catch (RuntimeException ignored) {
      // Same.
    }
  }
}
