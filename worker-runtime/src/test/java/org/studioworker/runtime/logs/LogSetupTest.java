package org.studioworker.runtime.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

final class LogSetupTest {
  @AfterEach
  void restore() {
    LogSetup.install(Map.of(), "test");
  }

  @Test
  void invalidSentryDsnIsAWarningThatDoesNotEchoTheDsn() {
    String warning = LogSetup.install(Map.of("SENTRY_DSN", "nonsense-key-4f1e9a"), "test");

    assertThat(warning).contains("SENTRY_DSN").doesNotContain("nonsense-key-4f1e9a");
  }

  @Test
  void noDsnMeansNoCrashReportsAndNoWarning() {
    assertThat(LogSetup.install(Map.of(), "test")).isNull();
  }
}
