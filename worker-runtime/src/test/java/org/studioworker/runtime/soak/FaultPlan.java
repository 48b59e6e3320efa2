package org.studioworker.runtime.soak;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The soak's faults: when each one strikes and with what, drawn from a seed, so that a run can be
 * repeated. The kinds come in shuffled rounds (every kind once per round), so a short soak still
 * sees each of them.
 */
record FaultPlan(long seed, List<Step> steps) {

  /** What the soak does to the studio or to the worker's connection. */
  enum Kind {
    /** The worker's socket is dropped without a close frame. */
    DROP,
    /** The worker's socket goes half-open: the studio sends nothing and ignores what arrives. */
    HALF_OPEN,
    /** The studio restarts on the same port, keeping its state, after some downtime. */
    RESTART,
    /** The next few uploads answer 503. */
    STORM_503,
    /** The next upload gets headers and a few bytes of a reply, then nothing for the hold. */
    STALL,
    /** The next stored upload loses its reply. */
    LOST_REPLY
  }

  /**
   * One fault.
   *
   * @param at when, from the start of the steady state
   * @param count how many uploads a storm hits
   * @param downtime how long a restart keeps the port closed
   */
  record Step(Duration at, Kind kind, int count, Duration downtime) {
    @Override
    public String toString() {
      String what =
          switch (kind) {
            case STORM_503 -> kind + " x" + count;
            case RESTART -> kind + " down " + downtime.toMillis() + " ms";
            default -> kind.toString();
          };
      return String.format("%6.1f s %s", at.toMillis() / 1000.0, what);
    }
  }

  /**
   * Faults of the given kinds from {@code first} on, one every 1.5 to 4 s, until {@code length}.
   */
  static FaultPlan draw(long seed, Duration first, Duration length, List<Kind> kinds) {
    if (kinds.isEmpty()) {
      throw new IllegalArgumentException("at least one kind of fault");
    }
    Random random = new Random(seed);
    List<Step> steps = new ArrayList<>();
    List<Kind> round = new ArrayList<>();
    long at = first.toMillis();
    while (at < length.toMillis()) {
      if (round.isEmpty()) {
        round.addAll(kinds);
        Collections.shuffle(round, random);
      }
      Kind kind = round.removeFirst();
      steps.add(
          new Step(
              Duration.ofMillis(at),
              kind,
              1 + random.nextInt(4),
              Duration.ofMillis(500 + random.nextInt(1500))));
      at += 1500 + random.nextInt(2500);
    }
    return new FaultPlan(seed, List.copyOf(steps));
  }

  /** The kinds named in a comma-separated list ({@code DROP,STALL}); every kind when blank. */
  static List<Kind> kinds(String names) {
    if (names.isBlank()) {
      return Arrays.asList(Kind.values());
    }
    return Arrays.stream(names.split(","))
        .map(String::strip)
        .filter(n -> !n.isEmpty())
        .map(n -> Kind.valueOf(n.toUpperCase(java.util.Locale.ROOT)))
        .distinct()
        .toList();
  }
}
