package org.studioworker.runtime.presence;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows whether the person at this computer is using it, while {@code only_when_idle} is on.
 *
 * <p>{@link #sample} is called by one loop (the daemon's, every heartbeat interval: 5 s); it reads
 * nothing, runs no process and holds no display while the key is off. The source is chosen at the
 * first sample after the key is turned on and released when it is turned off. {@link #presence} and
 * {@link #refusal} never block and may be called from any thread.
 */
public final class PresenceMonitor {
  private static final Logger log = LoggerFactory.getLogger("presence");

  /** The reason of the {@code paused} reject sent while the person is active (PROTOCOL.md §4). */
  public static final String ACTIVE_REASON = "only when idle: the person is using this computer";

  private final BooleanSupplier enabled;
  private final Supplier<IdleSource> sources;

  /** The last sample's answer, or null when unknown or off. */
  private volatile @Nullable Presence presence;

  /** The source in use while on, or null; the sampling thread only. */
  private @Nullable IdleSource source;

  /**
   * Whether the unknown warning was logged since the key was turned on; the sampling thread only.
   */
  private boolean warned;

  /** Samples taken, for the log's debug line and for tests. */
  private final AtomicInteger samples = new AtomicInteger();

  /**
   * A monitor.
   *
   * @param enabled reads {@code only_when_idle} live
   * @param sources chooses the idle source (blocks a few seconds at most); called once per turn-on
   */
  public PresenceMonitor(BooleanSupplier enabled, Supplier<IdleSource> sources) {
    this.enabled = enabled;
    this.sources = sources;
  }

  /** Whether {@code only_when_idle} is on. */
  public boolean onlyWhenIdle() {
    return enabled.getAsBoolean();
  }

  /** The person's presence as last sampled; empty while off or unknown. */
  public Optional<Presence> presence() {
    return enabled.getAsBoolean() ? Optional.ofNullable(presence) : Optional.empty();
  }

  /** The reject reason when an offer must be refused now, else null. */
  public @Nullable String refusal() {
    return presence().orElse(null) == Presence.ACTIVE ? ACTIVE_REASON : null;
  }

  /** Samples taken since start. */
  public int samples() {
    return samples.get();
  }

  /** One tick of the loop: reads the idle time when on, lets go of the source when off. */
  public void sample() {
    if (!enabled.getAsBoolean()) {
      release();
      return;
    }
    IdleSource now = source;
    if (now == null) {
      now = sources.get();
      source = now;
      warned = false;
      if (!(now instanceof UnknownIdleSource)) {
        log.info("only_when_idle: the idle time is read from {}", now.describe());
      }
    }
    samples.incrementAndGet();
    Optional<Duration> idle = now.idleTime();
    if (idle.isEmpty()) {
      presence = null;
      if (!warned) {
        warned = true;
        String why =
            now instanceof UnknownIdleSource unknown
                ? unknown.reason()
                : now.describe() + " gave no answer";
        log.warn(
            "only_when_idle is set but this machine's idle time cannot be read ({}); offers are"
                + " taken",
            why);
      }
      return;
    }
    Presence next = Presence.of(idle.get());
    if (next != presence) {
      log.info(
          "the person at this computer is {} (idle {} s)", next.wireName(), idle.get().toSeconds());
    }
    presence = next;
  }

  /** Lets go of the source and forgets the presence. The sampling thread only; never throws. */
  public void release() {
    presence = null;
    IdleSource held = source;
    source = null;
    if (held != null) {
      held.close();
    }
  }
}
