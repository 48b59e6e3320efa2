package org.studioworker.runtime.jobs;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The single job slot, shared by everything that could start GPU work: the session's offers, the
 * updater's install, a local entry point.
 *
 * <p>{@link #tryReserve} never blocks; the permit is released by try-with-resources, on every path,
 * exactly once. Thread-safe.
 */
public final class JobGate {
  /** Who holds the slot, or null when free. */
  private final AtomicReference<@Nullable String> holder = new AtomicReference<>();

  /** A held slot. Closing it releases the slot; closing twice does nothing. */
  public final class Permit implements AutoCloseable {
    private final String owner;
    private final AtomicBoolean open = new AtomicBoolean(true);

    private Permit(String owner) {
      this.owner = owner;
    }

    /** Who holds it. */
    public String owner() {
      return owner;
    }

    @Override
    public void close() {
      if (open.compareAndSet(true, false)) {
        holder.compareAndSet(owner, null);
      }
    }
  }

  /**
   * Takes the slot for {@code owner} (a job id, {@code update}) if it is free.
   *
   * @return the permit, or empty when the slot is taken
   */
  public Optional<Permit> tryReserve(String owner) {
    return holder.compareAndSet(null, owner) ? Optional.of(new Permit(owner)) : Optional.empty();
  }

  /** Whether the slot is taken. */
  public boolean isBusy() {
    return holder.get() != null;
  }

  /** Who holds the slot, or null. */
  public @Nullable String holder() {
    return holder.get();
  }
}
