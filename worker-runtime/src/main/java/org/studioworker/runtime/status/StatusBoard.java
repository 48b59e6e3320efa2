package org.studioworker.runtime.status;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.studioworker.runtime.logs.LogRing;
import org.studioworker.runtime.registration.RegistrationState;

/**
 * The one read model of the worker: session state, registration state, the current job, the recent
 * jobs, the log ring and heartbeat status. The CLI, a local API and a UI read it; the daemon's
 * parts write it.
 *
 * <p>Thread-safe; every read is a consistent snapshot of one field.
 */
public final class StatusBoard {
  /** The original worker's recent-jobs ring size. */
  public static final int RECENT_JOBS = 50;

  private final AtomicReference<SessionState> session =
      new AtomicReference<>(new SessionState.WaitingForApproval());
  private final AtomicReference<RegistrationState> registration =
      new AtomicReference<>(new RegistrationState.Pristine());
  private final AtomicReference<@Nullable CurrentJob> current = new AtomicReference<>();
  private final AtomicReference<@Nullable Instant> lastHeartbeat = new AtomicReference<>();
  private final AtomicReference<@Nullable Heartbeat> heartbeat = new AtomicReference<>();
  private final AtomicReference<@Nullable Instant> lastAck = new AtomicReference<>();
  private final AtomicLong heartbeats = new AtomicLong();
  private final AtomicLong acks = new AtomicLong();
  private final AtomicLong reconnects = new AtomicLong();
  private final CopyOnWriteArrayList<Consumer<JobRecord>> finishedListeners =
      new CopyOnWriteArrayList<>();
  private final AtomicBoolean paused = new AtomicBoolean();
  private final LogRing logs;
  private final ReentrantLock lock = new ReentrantLock();

  /** Guarded by {@link #lock}; studio jobs, newest first, at most {@link #RECENT_JOBS}. */
  private final ArrayDeque<JobRecord> recent = new ArrayDeque<>();

  /** Guarded by {@link #lock}; local jobs, newest first, at most {@link #RECENT_JOBS}. */
  private final ArrayDeque<JobRecord> local = new ArrayDeque<>();

  /** The {@link JobRecord#source} of a job that a program on this machine asked for. */
  public static final String LOCAL = "local";

  /** A board over the given log ring. */
  public StatusBoard(LogRing logs) {
    this.logs = logs;
  }

  public SessionState session() {
    return session.get();
  }

  /** Sets the session state; a move to {@link SessionState.Reconnecting} counts a reconnect. */
  public void session(SessionState state) {
    SessionState before = session.getAndSet(state);
    if (state instanceof SessionState.Reconnecting && !state.equals(before)) {
      reconnects.incrementAndGet();
    }
  }

  /** How many times the session went to reconnecting since start. */
  public long reconnectCount() {
    return reconnects.get();
  }

  public RegistrationState registration() {
    return registration.get();
  }

  public void registration(RegistrationState state) {
    registration.set(state);
  }

  /** The job in flight, if any. */
  public Optional<CurrentJob> currentJob() {
    return Optional.ofNullable(current.get());
  }

  public void currentJob(@Nullable CurrentJob job) {
    current.set(job);
  }

  /**
   * Records a finished job at the front of its ring (a {@link #LOCAL} job in {@link #localJobs},
   * any other in {@link #recentJobs}), then tells the listeners, whatever the source.
   */
  public void finished(JobRecord record) {
    lock.lock();
    try {
      ArrayDeque<JobRecord> ring = LOCAL.equals(record.source()) ? local : recent;
      ring.addFirst(record);
      while (ring.size() > RECENT_JOBS) {
        ring.removeLast();
      }
    } finally {
      lock.unlock();
    }
    for (Consumer<JobRecord> listener : finishedListeners) {
      listener.accept(record);
    }
  }

  /** Calls {@code listener} with every job finished from now on, on the job's thread. */
  public void onFinished(Consumer<JobRecord> listener) {
    finishedListeners.add(listener);
  }

  /** The recent studio jobs, newest first. */
  public List<JobRecord> recentJobs() {
    lock.lock();
    try {
      return List.copyOf(recent);
    } finally {
      lock.unlock();
    }
  }

  /** The recent local jobs ({@link #LOCAL}), newest first, at most {@link #RECENT_JOBS}. */
  public List<JobRecord> localJobs() {
    lock.lock();
    try {
      return List.copyOf(local);
    } finally {
      lock.unlock();
    }
  }

  /**
   * The outcome of the last heartbeat attempt.
   *
   * @param error why the send failed, or null when it went out
   */
  public record Heartbeat(Instant lastAttemptAt, @Nullable String error) {}

  public void heartbeatSent(Instant at) {
    lastHeartbeat.set(at);
    heartbeat.set(new Heartbeat(at, null));
    heartbeats.incrementAndGet();
  }

  /** A heartbeat could not be sent. */
  public void heartbeatFailed(Instant at, String why) {
    heartbeat.set(new Heartbeat(at, why));
  }

  /** The studio acknowledged a heartbeat. */
  public void heartbeatAcked(Instant at) {
    lastAck.set(at);
    acks.incrementAndGet();
  }

  /** The last heartbeat attempt, or null before the first. */
  public @Nullable Heartbeat heartbeat() {
    return heartbeat.get();
  }

  /** When the studio last acknowledged a heartbeat, or null. */
  public @Nullable Instant lastAck() {
    return lastAck.get();
  }

  public long heartbeatAckCount() {
    return acks.get();
  }

  public @Nullable Instant lastHeartbeat() {
    return lastHeartbeat.get();
  }

  public long heartbeatCount() {
    return heartbeats.get();
  }

  /** Whether the operator paused claiming. */
  public boolean isPaused() {
    return paused.get();
  }

  /**
   * Sets the operator's pause flag.
   *
   * @return the previous value
   */
  public boolean paused(boolean value) {
    return paused.getAndSet(value);
  }

  public LogRing logs() {
    return logs;
  }
}
