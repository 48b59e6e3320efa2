package org.studioworker.runtime.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running worker's config: one source that every part reads each time it needs a value, kept in
 * step with the file so that an operator's edit ({@code set-threshold}, an editor, the local API)
 * reaches the live worker without a restart.
 *
 * <p>{@link #refresh} notices a changed file (its modification time, size and inode) and takes the
 * keys that can change while the worker runs: the VRAM threshold and margin, the drain timeout,
 * {@code auto_start}, {@code start_minimised}, {@code only_when_idle} and the auto-update keys.
 * Each change is logged with its old and new value; a changed key that needs a restart (the studio
 * URL, the models root, the reconnect limit, the local API settings, the credentials) is logged
 * once as such and keeps its running value. A file that cannot be read keeps the running config and
 * is logged once per change of the file. Secrets are never logged, only that they changed.
 *
 * <p>Thread-safe: {@link #get} never blocks; {@link #refresh} and {@link #update} serialise on one
 * lock and read at most one small file.
 */
public final class LiveConfig {
  private static final Logger log = LoggerFactory.getLogger("config");

  /** One live-editable key: its name in the file, how to read it, how to set it. */
  private record Editable(
      String name, Function<WorkerConfig, @Nullable Object> value, Merge merge) {}

  @FunctionalInterface
  private interface Merge {
    WorkerConfig.Builder apply(WorkerConfig.Builder to, WorkerConfig from);
  }

  private static final List<Editable> EDITABLE =
      List.of(
          new Editable(
              "vram_threshold_gb",
              WorkerConfig::vramThresholdGb,
              (to, from) -> to.vramThresholdGb(from.vramThresholdGb())),
          new Editable(
              "vram_margin_gb",
              WorkerConfig::vramMarginGb,
              (to, from) -> to.vramMarginGb(from.vramMarginGb())),
          new Editable(
              "drain_timeout_secs",
              WorkerConfig::drainTimeoutSecs,
              (to, from) -> to.drainTimeoutSecs(from.drainTimeoutSecs())),
          new Editable(
              "auto_start", WorkerConfig::autoStart, (to, from) -> to.autoStart(from.autoStart())),
          new Editable(
              "start_minimised",
              WorkerConfig::startMinimised,
              (to, from) -> to.startMinimised(from.startMinimised())),
          new Editable(
              "only_when_idle",
              WorkerConfig::onlyWhenIdle,
              (to, from) -> to.onlyWhenIdle(from.onlyWhenIdle())),
          new Editable(
              "auto_update_enabled",
              WorkerConfig::autoUpdateEnabled,
              (to, from) -> to.autoUpdateEnabled(from.autoUpdateEnabled())),
          new Editable(
              "auto_update_interval_secs",
              WorkerConfig::autoUpdateIntervalSecs,
              (to, from) -> to.autoUpdateIntervalSecs(from.autoUpdateIntervalSecs())),
          new Editable(
              "auto_update_feed",
              WorkerConfig::autoUpdateFeed,
              (to, from) -> to.autoUpdateFeed(from.autoUpdateFeed())),
          new Editable(
              "auto_update_prerelease",
              WorkerConfig::autoUpdatePrerelease,
              (to, from) -> to.autoUpdatePrerelease(from.autoUpdatePrerelease())));

  /** Keys read once at start; {@code secret} ones are never shown. */
  private record Fixed(
      String name, Function<WorkerConfig, @Nullable Object> value, boolean secret) {}

  private static final List<Fixed> FIXED =
      List.of(
          new Fixed("api_base_url", WorkerConfig::apiBaseUrl, false),
          new Fixed("models_root", WorkerConfig::modelsRoot, false),
          new Fixed("ws_reconnect_attempts", WorkerConfig::wsReconnectAttempts, false),
          new Fixed("local_api_port", WorkerConfig::localApiPort, false),
          new Fixed("worker_id", WorkerConfig::workerId, false),
          new Fixed("auth_token", WorkerConfig::authToken, true),
          new Fixed("local_api_token", WorkerConfig::localApiToken, true));

  private final ConfigStore store;
  private final AtomicReference<WorkerConfig> current;
  private final ReentrantLock lock = new ReentrantLock();

  /** Guarded by {@link #lock}: the file as last seen, to tell a change; null when unreadable. */
  private @Nullable Object seen;

  /** Guarded by {@link #lock}: the file's contents as last applied (restart keys included). */
  private WorkerConfig inFile;

  /** A live config over {@code store}, starting from {@code initial} (the config just loaded). */
  public LiveConfig(ConfigStore store, WorkerConfig initial) {
    this.store = store;
    this.current = new AtomicReference<>(initial);
    this.inFile = initial;
    this.seen = stamp();
  }

  /** The config now. Never blocks. */
  public WorkerConfig get() {
    return current.get();
  }

  /**
   * Applies the worker's own change (a registration step, an approval) to the newest contents of
   * the file and to the running config, and saves the file: an operator's edit made meanwhile is
   * kept, and the change is not mistaken for an operator's.
   *
   * @return the running config after the change
   * @throws ConfigException when the file cannot be read or written
   */
  public WorkerConfig update(UnaryOperator<WorkerConfig> change) throws ConfigException {
    lock.lock();
    try {
      refresh();
      WorkerConfig file = change.apply(inFile);
      store.save(file);
      inFile = file;
      seen = stamp();
      WorkerConfig running = change.apply(current.get());
      current.set(running);
      return running;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes the file's live-editable keys if it changed since the last look. Cheap when it did not
   * (one {@code stat}); never throws.
   *
   * @return what changed, as {@code key old -> new} texts (secrets as {@code <redacted>})
   */
  public List<String> refresh() {
    lock.lock();
    try {
      Object now = stamp();
      if (Objects.equals(now, seen)) {
        return List.of();
      }
      seen = now;
      WorkerConfig file;
      try {
        file = store.load();
      } catch (ConfigException e) {
        log.warn("{}; the worker keeps running with the settings it has", e.getMessage());
        return List.of();
      }
      WorkerConfig running = current.get();
      WorkerConfig.Builder next = new WorkerConfig.Builder(running);
      List<String> changed = new ArrayList<>();
      for (Editable key : EDITABLE) {
        Object before = key.value().apply(running);
        Object after = key.value().apply(file);
        if (!Objects.equals(before, after)) {
          key.merge().apply(next, file);
          changed.add(key.name() + " " + shown(before) + " -> " + shown(after));
        }
      }
      for (Fixed key : FIXED) {
        Object before = key.value().apply(inFile);
        Object after = key.value().apply(file);
        if (!Objects.equals(before, after)) {
          log.warn(
              "config file {}: {} changed{}; restart the worker to use it",
              store.path(),
              key.name(),
              key.secret() ? "" : " (" + shown(before) + " -> " + shown(after) + ")");
        }
      }
      inFile = file;
      if (!changed.isEmpty()) {
        current.set(next.build());
        log.info("config file {} changed: {}", store.path(), String.join(", ", changed));
      }
      return List.copyOf(changed);
    } finally {
      lock.unlock();
    }
  }

  /**
   * What differs between two configs, as {@code key old -> new} texts: the live-editable keys, then
   * the keys read once at start, each of those marked as needing a restart; secrets only by name.
   */
  public static List<String> changes(WorkerConfig before, WorkerConfig after) {
    List<String> out = new ArrayList<>();
    for (Editable key : EDITABLE) {
      Object was = key.value().apply(before);
      Object now = key.value().apply(after);
      if (!Objects.equals(was, now)) {
        out.add(key.name() + " " + shown(was) + " -> " + shown(now));
      }
    }
    for (Fixed key : FIXED) {
      Object was = key.value().apply(before);
      Object now = key.value().apply(after);
      if (!Objects.equals(was, now)) {
        out.add(
            key.name()
                + (key.secret() ? " changed" : " " + shown(was) + " -> " + shown(now))
                + " (used after a restart)");
      }
    }
    return out;
  }

  private static String shown(@Nullable Object value) {
    return value == null ? "(unset)" : value.toString();
  }

  /** What tells a change of the file: inode, size and modification time; null when absent. */
  private @Nullable Object stamp() {
    try {
      BasicFileAttributes attributes =
          Files.readAttributes(store.path(), BasicFileAttributes.class);
      return List.of(
          String.valueOf(attributes.fileKey()),
          attributes.size(),
          attributes.lastModifiedTime().toMillis());
    } catch (IOException e) {
      return null;
    }
  }
}
