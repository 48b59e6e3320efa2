package org.studioworker.runtime.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;

import java.time.Duration;
import org.junit.jupiter.api.Test;

final class BackoffTest {
  @Test
  void doublesFromOneSecondUpToThirtySeconds() {
    Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), () -> 0.0);

    assertThat(
            java.util.stream.IntStream.rangeClosed(1, 8)
                .mapToObj(n -> backoff.delay(n).toMillis())
                .toList())
        .containsExactly(1000L, 2000L, 4000L, 8000L, 16000L, 30000L, 30000L, 30000L);
  }

  @Test
  void jitterStaysWithinAFifthBelowTheCeiling() {
    qt().forAll(integers().between(1, 10_000), doubles().between(0.0, 0.999999))
        .checkAssert(
            (attempt, random) -> {
              Backoff backoff =
                  new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), () -> random);
              long ceiling = backoff.ceiling(attempt).toMillis();
              long delay = backoff.delay(attempt).toMillis();
              assertThat(ceiling).isBetween(1000L, 30_000L);
              assertThat(delay).isBetween((long) (ceiling * 0.8), ceiling);
            });
  }
}
