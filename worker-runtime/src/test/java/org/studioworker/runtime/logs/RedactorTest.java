package org.studioworker.runtime.logs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

final class RedactorTest {
  @Test
  void registeredSecretsAndBearerCredentialsAreMasked() {
    Redactor.register("registered-secret-123");

    assertThat(Redactor.redact("token registered-secret-123 leaked"))
        .isEqualTo("token <redacted> leaked");
    assertThat(Redactor.redact("Authorization: Bearer abc.DEF-123"))
        .isEqualTo("Authorization: Bearer <redacted>");
    assertThat(Redactor.redact("nothing secret here")).isEqualTo("nothing secret here");
  }
}
