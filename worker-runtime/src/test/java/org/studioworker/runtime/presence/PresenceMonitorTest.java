package org.studioworker.runtime.presence;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The presence that samples give, and that nothing is read while only_when_idle is off. */
final class PresenceMonitorTest {
  private final AtomicBoolean on = new AtomicBoolean(true);
  private final SettableIdleSource source = new SettableIdleSource();
  private final AtomicInteger chosen = new AtomicInteger();
  private final PresenceMonitor monitor =
      new PresenceMonitor(
          on::get,
          () -> {
            chosen.incrementAndGet();
            return source;
          });

  @Test
  void underTwoMinutesIsActiveAndRefusesOffers() {
    source.set(Duration.ofMinutes(2).minusMillis(1));

    monitor.sample();

    assertThat(monitor.presence()).contains(Presence.ACTIVE);
    assertThat(monitor.refusal()).isEqualTo("only when idle: the person is using this computer");
  }

  @Test
  void twoMinutesOrMoreIsIdleAndTakesOffers() {
    source.set(Duration.ofMinutes(2));

    monitor.sample();

    assertThat(monitor.presence()).contains(Presence.IDLE);
    assertThat(monitor.refusal()).isNull();
  }

  @Test
  void anUnknownIdleTimeTakesOffers() {
    source.set(null);

    monitor.sample();

    assertThat(monitor.presence()).isEmpty();
    assertThat(monitor.refusal()).isNull();
  }

  @Test
  void offReadsNothingAndLetsGoOfTheSource() {
    source.set(Duration.ZERO);
    monitor.sample();
    assertThat(monitor.refusal()).isNotNull();

    on.set(false);
    monitor.sample();
    monitor.sample();

    assertThat(source.calls()).isEqualTo(1);
    assertThat(source.closes()).isEqualTo(1);
    assertThat(monitor.presence()).isEmpty();
    assertThat(monitor.refusal()).isNull();
  }

  @Test
  void theSourceIsChosenOncePerTurnOn() {
    source.set(Duration.ofMinutes(5));
    monitor.sample();
    monitor.sample();
    on.set(false);
    monitor.sample();
    on.set(true);
    monitor.sample();

    assertThat(chosen.get()).isEqualTo(2);
    assertThat(source.calls()).isEqualTo(3);
  }

  @Test
  void turningOffHidesTheLastPresenceAtOnce() {
    source.set(Duration.ZERO);
    monitor.sample();

    on.set(false);

    // Before the next sample: the offer path reads the key live.
    assertThat(monitor.refusal()).isNull();
    assertThat(monitor.presence()).isEmpty();
  }
}
