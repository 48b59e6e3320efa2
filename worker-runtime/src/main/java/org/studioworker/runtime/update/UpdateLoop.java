package org.studioworker.runtime.update;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.studioworker.runtime.config.WorkerConfig;
import org.studioworker.runtime.lifecycle.StopSignal;

/**
 * The updater's background task: checks every {@code auto_update_interval_secs} on a tick (60 s, or
 * the interval when shorter), until a stop; and, once {@code started} holds (the studio welcomed
 * this process, {@link AutoUpdate#startedUp}), writes {@code state/started} so that the launcher
 * ends the probation of a new version.
 *
 * <p>Each tick it also follows another worker of the same installation: when {@code current} points
 * at a newer version than this one, it takes the job slot as soon as it is free and asks for the
 * restart ({@link Updater#followInstalled}).
 *
 * <p>Every wait goes through {@link StopSignal#await}, so a stop is noticed within its re-check
 * interval (100 ms). The first check runs on the first tick after start-up. Runs on one thread.
 */
final class UpdateLoop implements Callable<Void> {
  private static final Logger log = LoggerFactory.getLogger("update");

  /** The standard tick (PROTOCOL.md §5). */
  static final Duration TICK = Duration.ofSeconds(60);

  private final Updater updater;
  private final Installation installation;
  private final String version;
  private final StopSignal stop;
  private final Duration tick;
  private final InstantSource clock;
  private final Supplier<WorkerConfig> config;
  private final BooleanSupplier started;
  private final Consumer<UpdateDecision.Updated> onUpdated;

  UpdateLoop(
      Updater updater,
      Installation installation,
      String version,
      StopSignal stop,
      Duration tick,
      InstantSource clock,
      Supplier<WorkerConfig> config,
      BooleanSupplier started,
      Consumer<UpdateDecision.Updated> onUpdated) {
    this.updater = updater;
    this.installation = installation;
    this.version = version;
    this.stop = stop;
    this.tick = tick;
    this.clock = clock;
    this.config = config;
    this.started = started;
    this.onUpdated = onUpdated;
  }

  @Override
  public @Nullable Void call() throws InterruptedException {
    boolean marked = false;
    boolean toldFollow = false;
    @Nullable Instant lastCheck = null;
    while (!stop.isStopping()) {
      Duration interval = Duration.ofSeconds(config.get().autoUpdateIntervalSecs());
      Duration wait = interval.compareTo(tick) < 0 ? interval : tick;
      boolean unmarked = !marked;
      stop.await(wait, () -> stop.isStopping() || (unmarked && started.getAsBoolean()));
      if (stop.isStopping()) {
        return null;
      }
      if (!marked && started.getAsBoolean()) {
        marked = true;
        markStarted();
        continue;
      }
      if (!marked && installation.onProbation(version)) {
        // A version that has not proven itself installs nothing: the launcher may still roll it
        // back, and an update on top of it would be rolled back with it.
        continue;
      }
      // Each tick, not each interval: a readlink, so that the workers of one installation follow
      // the one that installed an update within a minute of their job's end.
      Optional<UpdateDecision.Updated> followed = updater.followInstalled();
      if (followed.isPresent()) {
        UpdateDecision.Updated u = followed.get();
        log.info(
            "{} was installed by another worker of this installation; restarting into it", u.to());
        onUpdated.accept(u);
        return null;
      }
      if (!toldFollow && updater.installedNewer().isPresent()) {
        toldFollow = true;
        log.info(
            "{} was installed by another worker of this installation; restarting into it when"
                + " idle",
            updater.installedNewer().get());
      }
      Instant now = clock.instant();
      if (lastCheck != null && Duration.between(lastCheck, now).compareTo(interval) < 0) {
        continue;
      }
      lastCheck = now;
      UpdateDecision decision = updater.tick();
      report(decision);
      if (decision instanceof UpdateDecision.Updated updated) {
        onUpdated.accept(updated);
        return null;
      }
    }
    return null;
  }

  private void markStarted() {
    try {
      installation.markStarted(version);
    } catch (IOException e) {
      log.warn("cannot record the start-up for the launcher: {}", e.getMessage());
    }
  }

  private static void report(UpdateDecision decision) {
    switch (decision) {
      case UpdateDecision.Disabled d -> log.debug("update check skipped: {}", d.why());
      case UpdateDecision.Busy b -> log.info("update check skipped: busy ({})", b.holder());
      case UpdateDecision.UpToDate u -> log.info("up to date: {} ({})", u.current(), u.note());
      case UpdateDecision.CheckError e -> log.warn("update check failed: {}", e.why());
      case UpdateDecision.Updated u ->
          log.info("updated {} -> {}; restarting into the new version", u.from(), u.to());
      case UpdateDecision.UpdateError e ->
          log.warn("update to {} refused: {}", e.target(), e.why());
    }
  }
}
