package org.studioworker.runtime.notify;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.studioworker.runtime.lifecycle.LoopSchedule;
import org.studioworker.runtime.registration.RegistrationState;
import org.studioworker.runtime.status.SessionState;

/**
 * What the daemon tells systemd, and when: a loop the daemon forks as a background task, reading
 * the session's state each {@linkplain LoopSchedule#stopCheck() stop check} and sending one
 * datagram of whatever is due.
 *
 * <ul>
 *   <li>{@code READY=1}, once: at the first {@link SessionState.Connected}, or, for a worker not
 *       approved yet, once its local API is up ({@link #apiUp()}) and the studio has answered its
 *       registration request ({@link RegistrationState.Pending}). Why not {@link
 *       SessionState.WaitingForApproval} alone? It is also the state before anything was tried,
 *       registered or not (the same reasoning as the launcher's probation).
 *   <li>{@code STATUS=}{@link #summary(SessionState)}, whenever that text changes.
 *   <li>{@code WATCHDOG=1} every half {@code $WATCHDOG_USEC}, while the session shows signs of life
 *       (below). A hung session goes quiet, and systemd restarts the service one watchdog interval
 *       after the last ping.
 *   <li>{@code STOPPING=1} when a drain begins ({@link #stopping()}); nothing is sent after it.
 * </ul>
 *
 * <p><b>Signs of life.</b> The session is alive while it
 *
 * <ul>
 *   <li>is {@link SessionState.Connected} and the studio acknowledged a heartbeat within three
 *       heartbeat intervals (or the welcome came within that time). The session's own dead-socket
 *       check turns a silent socket into a reconnect well before that; acks missing on a socket
 *       that still carries frames mean a stuck heartbeat pump;
 *   <li>is {@link SessionState.Connecting} for no longer than one attempt can take (connect
 *       timeout, send timeout for {@code hello}, read-idle wait for {@code welcome}) plus the same
 *       three heartbeat intervals of slack;
 *   <li>is {@link SessionState.Reconnecting} for no longer than its own backoff delay plus that
 *       slack;
 *   <li>is {@link SessionState.WaitingForApproval}: no session runs, the registration gate only
 *       polls, and a restart would not bring the operator sooner;
 *   <li>has ended ({@link SessionState.AuthFailed}, {@link SessionState.Fatal}, {@link
 *       SessionState.Stopped}): the process is on its way out with an exit status that means
 *       something to the unit ({@code RestartPreventExitStatus=}); a watchdog kill would replace
 *       it.
 * </ul>
 *
 * <p>A worker that cannot reach the studio keeps pinging, because its reconnect attempts keep
 * changing the state: systemd restarting it would only start the same backoff again.
 *
 * <p>Thread-safe: {@link #apiUp()} and {@link #stopping()} may be called from any thread, and a
 * lock orders {@link #stopping()} after any datagram the loop is sending. No method blocks beyond
 * one non-blocking send.
 */
public final class SystemdNotifier implements Callable<Void> {
  /** How many heartbeat intervals may pass without an ack before the session counts as hung. */
  static final int ACK_INTERVALS = 3;

  /** What {@code STATUS=} says once the drain begins. */
  static final String STOPPING_STATUS = "stopping: no longer claiming jobs";

  private final SdNotify notify;
  private final Supplier<SessionState> session;
  private final Supplier<RegistrationState> registration;
  private final Supplier<@Nullable Instant> lastAck;
  private final @Nullable Duration pingEvery;
  private final Duration ackWindow;
  private final Duration attemptAllowance;
  private final Duration poll;
  private final InstantSource clock;
  private final BooleanSupplier done;

  private final AtomicBoolean apiUp = new AtomicBoolean();

  /** Orders {@link #stopping()} against a datagram {@link #tick()} is composing. */
  private final ReentrantLock lock = new ReentrantLock();

  /** Guarded by {@link #lock}; once true, nothing more is sent. */
  private boolean stopped;

  // Guarded by lock; only the loop's thread reads or writes them.
  private boolean readySent;
  private @Nullable String lastSummary;
  private @Nullable SessionState lastState;
  private Instant stateSince = Instant.EPOCH;
  private @Nullable Instant lastPing;

  private SystemdNotifier(Builder builder) {
    this.notify = builder.notify;
    this.session = Objects.requireNonNull(builder.session, "session");
    this.registration = Objects.requireNonNull(builder.registration, "registration");
    this.lastAck = Objects.requireNonNull(builder.lastAck, "lastAck");
    LoopSchedule schedule = Objects.requireNonNull(builder.schedule, "schedule");
    Duration watchdog = builder.watchdog;
    this.pingEvery = watchdog == null ? null : watchdog.dividedBy(2);
    this.ackWindow = schedule.heartbeat().multipliedBy(ACK_INTERVALS);
    this.attemptAllowance =
        schedule
            .connectTimeout()
            .plus(schedule.sendTimeout())
            .plus(schedule.readIdle())
            .plus(ackWindow);
    Duration step = schedule.stopCheck();
    if (pingEvery != null && pingEvery.dividedBy(2).compareTo(step) < 0) {
      // A ping must not wait a whole step past its time when the watchdog is short.
      step = pingEvery.dividedBy(2);
    }
    this.poll = step.isZero() ? Duration.ofMillis(1) : step;
    this.clock = builder.clock;
    this.done = builder.done;
  }

  /** A builder for a notifier that sends through {@code notify}. */
  public static Builder builder(SdNotify notify) {
    return new Builder(notify);
  }

  /**
   * The one-line summary of a session state, as {@code systemctl status} shows it; the CLI and the
   * local API may show the same words.
   */
  public static String summary(SessionState state) {
    return state.summary();
  }

  /**
   * The local API listens (or is turned off, so nothing is to wait for): a worker waiting for
   * approval may report {@code READY=1} from now on.
   */
  public void apiUp() {
    apiUp.set(true);
  }

  /**
   * A drain begins: sends {@code STOPPING=1} and a matching status at once, and nothing after.
   * Idempotent. Meant for the first stop signal; not for the restart after a self-update, which the
   * launcher performs inside a unit that keeps running.
   */
  public void stopping() {
    lock.lock();
    try {
      if (stopped) {
        return;
      }
      stopped = true;
      notify.send("STOPPING=1\n" + SdNotify.statusLine(STOPPING_STATUS));
    } finally {
      lock.unlock();
    }
  }

  /**
   * Runs the loop until {@code done} says so or the thread is interrupted. Returns at once when
   * {@link SdNotify} does nothing (no systemd listening).
   *
   * @throws InterruptedException when cancelled
   */
  @Override
  public @Nullable Void call() throws InterruptedException {
    if (!notify.isEnabled()) {
      return null;
    }
    while (!done.getAsBoolean()) {
      tick();
      Thread.sleep(poll);
    }
    return null;
  }

  /**
   * One look at the session: sends one datagram with every line that is due, if any. A datagram
   * that does not go out (systemd's socket full, or gone for a moment) leaves its lines due, so the
   * next look sends them again: a lost {@code READY=1} would fail the unit's start.
   *
   * @return what was sent, or null when nothing was due or the send failed
   */
  @Nullable String tick() {
    lock.lock();
    try {
      if (stopped) {
        return null;
      }
      Instant now = clock.instant();
      SessionState state = session.get();
      if (!state.equals(lastState)) {
        lastState = state;
        stateSince = now;
      }
      List<String> lines = new ArrayList<>(3);
      boolean ready = !readySent && startedUp(state);
      if (ready) {
        lines.add("READY=1");
      }
      String summary = summary(state);
      boolean changed = !summary.equals(lastSummary);
      if (changed) {
        lines.add(SdNotify.statusLine(summary));
      }
      Duration every = pingEvery;
      boolean ping =
          every != null
              && isAlive(state, now)
              && (lastPing == null || !now.isBefore(lastPing.plus(every)));
      if (ping) {
        lines.add("WATCHDOG=1");
      }
      if (lines.isEmpty()) {
        return null;
      }
      String datagram = String.join("\n", lines);
      if (!notify.send(datagram)) {
        return null;
      }
      readySent |= ready;
      if (changed) {
        lastSummary = summary;
      }
      if (ping) {
        lastPing = now;
      }
      return datagram;
    } finally {
      lock.unlock();
    }
  }

  private boolean startedUp(SessionState state) {
    return state instanceof SessionState.Connected
        || (state instanceof SessionState.WaitingForApproval
            && apiUp.get()
            && registration.get() instanceof RegistrationState.Pending);
  }

  /** Whether the session shows signs of life at {@code now} (see the class comment). */
  boolean isAlive(SessionState state, Instant now) {
    return switch (state) {
      case SessionState.Connected c -> {
        Instant ack = lastAck.get();
        Instant latest = ack != null && ack.isAfter(stateSince) ? ack : stateSince;
        yield within(latest, ackWindow, now);
      }
      case SessionState.Connecting c -> within(stateSince, attemptAllowance, now);
      case SessionState.Reconnecting r -> within(stateSince, r.delay().plus(ackWindow), now);
      case SessionState.WaitingForApproval w -> true;
      case SessionState.AuthFailed a -> true;
      case SessionState.Fatal f -> true;
      case SessionState.Stopped s -> true;
    };
  }

  private static boolean within(Instant since, Duration window, Instant now) {
    return !now.isAfter(since.plus(window));
  }

  /**
   * The inputs of a {@link SystemdNotifier}. {@link #session}, {@link #registration}, {@link
   * #lastAck} and {@link #schedule} are required. Not thread-safe.
   */
  public static final class Builder {
    private final SdNotify notify;
    private @Nullable Supplier<SessionState> session;
    private @Nullable Supplier<RegistrationState> registration;
    private @Nullable Supplier<@Nullable Instant> lastAck;
    private @Nullable LoopSchedule schedule;
    private @Nullable Duration watchdog;
    private InstantSource clock = InstantSource.system();
    private BooleanSupplier done = () -> false;

    private Builder(SdNotify notify) {
      this.notify = Objects.requireNonNull(notify, "notify");
    }

    /** The session state ({@code StatusBoard::session}). */
    public Builder session(Supplier<SessionState> value) {
      this.session = value;
      return this;
    }

    /** The registration state ({@code StatusBoard::registration}). */
    public Builder registration(Supplier<RegistrationState> value) {
      this.registration = value;
      return this;
    }

    /** When the studio last acknowledged a heartbeat, or null ({@code StatusBoard::lastAck}). */
    public Builder lastAck(Supplier<@Nullable Instant> value) {
      this.lastAck = value;
      return this;
    }

    /** The daemon's intervals: heartbeat, connect, send and read-idle timeouts, stop check. */
    public Builder schedule(LoopSchedule value) {
      this.schedule = value;
      return this;
    }

    /**
     * The watchdog interval ({@link SdNotify#watchdogInterval}); empty, the default, sends no
     * {@code WATCHDOG=1}.
     */
    public Builder watchdog(Optional<Duration> value) {
      value.ifPresent(
          d -> {
            if (d.isNegative() || d.isZero()) {
              throw new IllegalArgumentException("the watchdog interval must be positive");
            }
          });
      this.watchdog = value.orElse(null);
      return this;
    }

    /**
     * The clock state changes are timed by and acks are compared on: the clock the board's ack
     * times come from, the system clock by default.
     */
    public Builder clock(InstantSource value) {
      this.clock = Objects.requireNonNull(value, "clock");
      return this;
    }

    /** Ends the loop when true; by default only an interrupt does. */
    public Builder done(BooleanSupplier value) {
      this.done = Objects.requireNonNull(value, "done");
      return this;
    }

    /**
     * The notifier.
     *
     * @throws NullPointerException when a required input is missing
     */
    public SystemdNotifier build() {
      return new SystemdNotifier(this);
    }
  }
}
