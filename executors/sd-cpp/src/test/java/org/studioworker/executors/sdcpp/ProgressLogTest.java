package org.studioworker.executors.sdcpp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

final class ProgressLogTest {
  @Test
  void passesOnAtMostOneLinePerIntervalAndCountsTheSkippedOnes() {
    List<String> logged = new ArrayList<>();
    AtomicLong now = new AtomicLong();
    ProgressLog log = new ProgressLog(logged::add, Duration.ofSeconds(2), now::get);

    log.accept("step 1/20");
    now.addAndGet(Duration.ofMillis(500).toNanos());
    log.accept("step 2/20");
    log.accept("   ");
    log.accept("step 3/20");
    now.addAndGet(Duration.ofMillis(1500).toNanos());
    log.accept("step 4/20");

    assertThat(logged).containsExactly("step 1/20", "step 4/20 (2 lines skipped)");
  }
}
