package org.studioworker.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.studioworker.runtime.logs.LogSetup;

/** The logging the command line sets up: the JDK's own debug lines never reach the console. */
final class CliLoggingTest {
  @AfterEach
  void restore() {
    LogSetup.install(Map.of(), "test");
  }

  @Test
  void theJdksSystemLoggerDebugLinesStayOffEvenWhenDebugIsAskedFor() {
    LogSetup.installConsole(Map.of("STUDIO_WORKER_LOG", "debug"));

    assertThat(LoggerFactory.getLogger("daemon").isDebugEnabled()).isTrue();
    // Runtime.exit() logs at debug with a stack trace; the security events a line per CA.
    assertThat(System.getLogger("java.lang.Runtime").isLoggable(System.Logger.Level.DEBUG))
        .isFalse();
    assertThat(System.getLogger("jdk.event.security").isLoggable(System.Logger.Level.DEBUG))
        .isFalse();
    assertThat(System.getLogger("jdk.event.security").isLoggable(System.Logger.Level.WARNING))
        .isTrue();
  }

  @Test
  void commandsLogWarningsAndAboveByDefaultAndTheDaemonInfo() {
    LogSetup.installConsole(Map.of());
    assertThat(LoggerFactory.getLogger("engines").isInfoEnabled()).isFalse();
    assertThat(LoggerFactory.getLogger("engines").isWarnEnabled()).isTrue();

    LogSetup.install(Map.of(), "test");
    assertThat(LoggerFactory.getLogger("daemon").isInfoEnabled()).isTrue();
    assertThat(System.getLogger("java.lang.Runtime").isLoggable(System.Logger.Level.DEBUG))
        .isFalse();
  }
}
