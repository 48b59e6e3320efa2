package org.studioworker.runtime.update;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;
import org.studioworker.runtime.config.WorkerConfig;
import org.studioworker.runtime.jobs.JobGate;

/**
 * One update check, end to end: read the feed, pick a release, download and verify its build, then
 * — holding the job slot — install it.
 *
 * <p>On {@link UpdateDecision.Updated} the job slot stays held by the permit this updater keeps, so
 * that no offer is accepted before the process exits for the restart. Used from one thread.
 */
final class Updater {
  /** Why 4 MiB? GitHub's releases page of a busy project is a few hundred KB. */
  private static final int MAX_FEED_BYTES = 4 << 20;

  /** The holder {@link UpdateDecision.Busy} names while another worker holds the update lock. */
  static final String ANOTHER_WORKER = "another worker of this installation is updating";

  private final Supplier<WorkerConfig> config;
  private final SemVer current;
  private final Installation installation;
  private final JobGate gate;
  private final UpdateHttp http;
  private final ReleaseDownload download;

  /** The slot held from a successful install until the process exits; null before. */
  private JobGate.@org.jspecify.annotations.Nullable Permit held;

  Updater(
      Supplier<WorkerConfig> config,
      SemVer current,
      Installation installation,
      JobGate gate,
      UpdateHttp http,
      ReleaseDownload download) {
    this.config = config;
    this.current = current;
    this.installation = installation;
    this.gate = gate;
    this.http = http;
    this.download = download;
  }

  /** Runs one check and, when a newer build is verified and the worker idle, installs it. */
  UpdateDecision tick() throws InterruptedException {
    WorkerConfig settings = config.get();
    if (!settings.autoUpdateEnabled()) {
      return new UpdateDecision.Disabled("auto_update_enabled is false");
    }
    String feed = settings.autoUpdateFeed();
    if (feed == null || feed.isBlank()) {
      return new UpdateDecision.Disabled("no auto_update_feed is configured");
    }
    String busy = gate.holder();
    if (busy != null) {
      return new UpdateDecision.Busy(busy);
    }
    Optional<FileLock> lock;
    try {
      lock = UpdateLock.tryLock(installation);
    } catch (IOException e) {
      return new UpdateDecision.CheckError("cannot open the update lock: " + e.getMessage());
    }
    if (lock.isEmpty()) {
      return new UpdateDecision.Busy(ANOTHER_WORKER);
    }
    try {
      return checkAndInstall(settings, feed);
    } finally {
      release(lock.get());
    }
  }

  /** The round under the installation's update lock. */
  private UpdateDecision checkAndInstall(WorkerConfig settings, String feed)
      throws InterruptedException {
    // Read under the lock: another worker of this installation may have installed a release since
    // this one started, and it must not be downloaded or installed again.
    Optional<SemVer> installed = installedNewer();
    if (installed.isPresent()) {
      return restartInto(installed.get());
    }
    FeedChoice choice;
    try {
      choice =
          check(
              http,
              feed,
              current,
              settings.autoUpdatePrerelease(),
              installation,
              download.isDevelopment());
    } catch (UpdateException e) {
      return new UpdateDecision.CheckError(e.reason());
    }
    return switch (choice) {
      case FeedChoice.UpToDate u -> new UpdateDecision.UpToDate(u.current(), u.note());
      case FeedChoice.Available a -> install(a);
    };
  }

  private UpdateDecision install(FeedChoice.Available available) throws InterruptedException {
    Path staging = installation.staging();
    Path file;
    try {
      file = download.fetch(available.asset().url(), staging);
    } catch (UpdateException e) {
      return new UpdateDecision.UpdateError(available.target(), e.reason());
    }
    try {
      Optional<JobGate.Permit> permit = gate.tryReserve("update");
      if (permit.isEmpty()) {
        String holder = gate.holder();
        return new UpdateDecision.Busy(holder == null ? "a job" : holder);
      }
      try {
        installation.install(file, available.target());
      } catch (IOException e) {
        permit.get().close();
        return new UpdateDecision.UpdateError(
            available.target(), "the install failed: " + e.getMessage());
      }
      held = permit.get();
      return new UpdateDecision.Updated(available.current(), available.target());
    } finally {
      Installation.deleteTree(staging);
    }
  }

  /**
   * The cheap check each tick (a readlink, no lock, no network): when another worker of this
   * installation installed a version newer than this one, takes the job slot and asks for the
   * restart into it; empty while the slot is taken (a job runs) or {@code current} has not moved.
   */
  Optional<UpdateDecision.Updated> followInstalled() {
    if (held != null) {
      return Optional.empty();
    }
    Optional<SemVer> installed = installedNewer();
    if (installed.isEmpty()
        || !(restartInto(installed.get()) instanceof UpdateDecision.Updated u)) {
      return Optional.empty();
    }
    return Optional.of(u);
  }

  /** The version {@code current} points at, when it is newer than this process's. */
  Optional<SemVer> installedNewer() {
    return installation
        .currentVersion()
        .flatMap(SemVer::parse)
        .filter(installed -> installed.compareTo(current) > 0);
  }

  /** Takes the job slot for the restart into {@code installed}, as after an install of our own. */
  private UpdateDecision restartInto(SemVer installed) {
    Optional<JobGate.Permit> permit = gate.tryReserve("update");
    if (permit.isEmpty()) {
      String holder = gate.holder();
      return new UpdateDecision.Busy(holder == null ? "a job" : holder);
    }
    held = permit.get();
    return new UpdateDecision.Updated(current, installed);
  }

  private static void release(FileLock lock) {
    try {
      lock.release();
    } catch (IOException e) {
      // Not released: the other workers of this installation skip their rounds until this process
      // exits, when the system drops the lock.
    }
  }

  /** Whether an install succeeded and this updater holds the job slot until the exit. */
  boolean holdsSlot() {
    return held != null;
  }

  /**
   * Reads the feed at {@code feedUrl} and picks what to install.
   *
   * @param development whether this is a development build, which reads a loopback feed only
   */
  static FeedChoice check(
      UpdateHttp http,
      String feedUrl,
      SemVer current,
      boolean prereleases,
      Installation installation,
      boolean development)
      throws UpdateException, InterruptedException {
    return UpdateFeed.choose(
        UpdateFeed.parse(fetchFeed(http, feedUrl, development)),
        current,
        prereleases,
        installation.refused());
  }

  /** The feed's text: a small exchange, at most {@link #MAX_FEED_BYTES}, within the deadline. */
  static String fetchFeed(UpdateHttp http, String feedUrl, boolean development)
      throws UpdateException, InterruptedException {
    URI uri;
    try {
      uri = new URI(feedUrl);
    } catch (URISyntaxException e) {
      throw new UpdateException("auto_update_feed is not a URL");
    }
    ReleaseDownload.requireSafeUrl(uri, "the update feed", development);
    UpdateHttp.Reply reply = http.small(uri, "the update feed", "application/json", MAX_FEED_BYTES);
    if (reply.status() != 200) {
      throw new UpdateException("the update feed answered HTTP " + reply.status());
    }
    return new String(reply.body(), StandardCharsets.UTF_8);
  }
}
