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
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/**
 * Configures Logback for the worker: stderr console, the ship appender, and opt-in Sentry.
 *
 * <p>Called on the main thread before anything logs: {@link #installConsole} before the command
 * line is parsed, then {@link #install} by the commands that run the daemon. Each replaces whatever
 * Logback configured by itself, so no {@code logback.xml} is needed on the module path.
 */
public final class LogSetup {
  /** The one ship appender of the process; daemons attach their queues to it. */
  private static final ShipAppender SHIP = new ShipAppender();

  /** The prefixes of the loggers of the JDK and of libraries, capped by {@link #capOthers}. */
  private static final List<String> OTHERS =
      List.of("java", "javax", "jdk", "sun", "com.sun", "io.sentry", "org.eclipse.jetty");

  private LogSetup() {}

  /** The process's ship appender. */
  public static ShipAppender ship() {
    return SHIP;
  }

  /**
   * Installs the appenders of the daemon: the console, the ship appender and opt-in Sentry, at
   * {@code info} unless {@code STUDIO_WORKER_LOG} says otherwise.
   *
   * @param env the process environment ({@code JOURNAL_STREAM}, {@code SENTRY_DSN}, {@code
   *     SENTRY_ENVIRONMENT}, {@code STUDIO_WORKER_LOG})
   * @return a warning to log once logging works (an invalid DSN), or null
   */
  public static @Nullable String install(Map<String, String> env, String version) {
    LoggerContext context = console(env, Level.INFO);
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    SHIP.setContext(context);
    SHIP.start();
    root.addAppender(SHIP);
    return installSentry(env, context, root, version);
  }

  /**
   * Installs the console alone, for the command line before it is parsed: warnings and errors on
   * stderr, or what {@code STUDIO_WORKER_LOG} asks for; nothing shipped, no Sentry. Replaces
   * Logback's default, which logs everything, the JDK's own debug lines included, to stdout.
   */
  public static void installConsole(Map<String, String> env) {
    console(env, Level.WARN);
  }

  /**
   * Shows only errors on the console unless {@code STUDIO_WORKER_LOG} is set: for commands whose
   * answer already says what the warnings would (an engine that cannot run here, no GPU library).
   */
  public static void onlyErrors(Map<String, String> env) {
    String asked = env.get("STUDIO_WORKER_LOG");
    if (asked == null || asked.isBlank()) {
      LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
      context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.ERROR);
      capOthers(context, Level.ERROR);
    }
  }

  /** Resets Logback to one stderr console at {@code fallback} or {@code STUDIO_WORKER_LOG}. */
  private static LoggerContext console(Map<String, String> env, Level fallback) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Level level = level(env.get("STUDIO_WORKER_LOG"), fallback);
    root.setLevel(level);

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
    capOthers(context, level);
    return context;
  }

  /**
   * Loggers that are not ours stay at warn or above whatever the level: the JDK's own (its
   * System.Logger lines reach Logback through slf4j-jdk-platform-logging: {@code Runtime.exit()}
   * with a stack trace, a line per CA certificate in {@code jdk.event.security}), Sentry's and
   * Jetty's. Our own loggers have short category names.
   */
  private static void capOthers(LoggerContext context, Level level) {
    Level cap = level.isGreaterOrEqual(Level.WARN) ? level : Level.WARN;
    for (String name : OTHERS) {
      context.getLogger(name).setLevel(cap);
    }
  }

  private static Level level(@Nullable String name, Level fallback) {
    return name == null || name.isBlank() ? fallback : Level.toLevel(name, fallback);
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
