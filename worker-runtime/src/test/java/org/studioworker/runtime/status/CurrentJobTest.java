package org.studioworker.runtime.status;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

final class CurrentJobTest {
  @Test
  void shortPromptIsKeptWhole() {
    assertThat(CurrentJob.preview("a castle")).isEqualTo("a castle");
    assertThat(CurrentJob.preview("x".repeat(200))).isEqualTo("x".repeat(200));
  }

  @Test
  void longPromptIsCutAt200CodePointsWithAnEllipsis() {
    assertThat(CurrentJob.preview("x".repeat(201))).isEqualTo("x".repeat(200) + "…");
  }

  @Test
  void cutCountsCodePointsNotCharsAndNeverSplitsAPair() {
    String emoji = "\uD83D\uDE00"; // one code point, two chars
    String preview = CurrentJob.preview(emoji.repeat(250));

    assertThat(preview).isEqualTo(emoji.repeat(200) + "…");
    assertThat(preview.codePointCount(0, preview.length())).isEqualTo(201);
  }
}
