package org.studioworker.runtime.localjobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The full prompts the store keeps: 16 KiB of UTF-8 each, whole code points, 128 jobs. */
final class JobPromptTest {
  private final JobArtifactStore store = new JobArtifactStore();

  @Test
  void aPromptIsKeptWhole() {
    String prompt = "a fox ".repeat(100);

    store.started("j-1", prompt);

    assertThat(store.prompt("j-1")).contains(prompt);
    assertThat(store.prompt("j-2")).isEmpty();
  }

  @Test
  void aLongPromptIsCutAt16KiBOfUtf8WithoutSplittingACodePoint() {
    // 3-byte characters: 16384 / 3 = 5461 whole ones fit (16383 bytes).
    String prompt = "€".repeat(10_000);

    store.started("j-1", prompt);

    String kept = store.prompt("j-1").orElseThrow();
    assertThat(kept).isEqualTo("€".repeat(5461));
    assertThat(kept.getBytes(StandardCharsets.UTF_8)).hasSize(16383);
  }

  @Test
  void aSurrogatePairIsNeverSplit() {
    String prompt = "a".repeat(JobArtifacts.MAX_PROMPT_BYTES - 2) + "🦊" + "b";

    store.started("j-1", prompt);

    assertThat(store.prompt("j-1")).contains("a".repeat(JobArtifacts.MAX_PROMPT_BYTES - 2));
  }

  @Test
  void exactlyTheCapIsKept() {
    String prompt = "x".repeat(JobArtifacts.MAX_PROMPT_BYTES);

    store.started("j-1", prompt);

    assertThat(store.prompt("j-1")).contains(prompt);
    assertThat(JobArtifactStore.cutUtf8(prompt + "y", JobArtifacts.MAX_PROMPT_BYTES))
        .isEqualTo(prompt);
  }

  @Test
  void onlyTheLast128JobsAreKept() {
    for (int i = 0; i < JobArtifacts.MAX_JOBS + 5; i++) {
      store.started("j-" + i, "prompt " + i);
    }

    assertThat(store.prompt("j-4")).isEmpty();
    assertThat(store.prompt("j-5")).contains("prompt 5");
    assertThat(store.prompt("j-" + (JobArtifacts.MAX_JOBS + 4)))
        .contains("prompt " + (JobArtifacts.MAX_JOBS + 4));
  }
}
