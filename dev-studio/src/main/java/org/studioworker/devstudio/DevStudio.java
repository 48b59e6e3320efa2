package org.studioworker.devstudio;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.core.Configuration;
import org.eclipse.jetty.websocket.core.server.WebSocketUpgradeHandler;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.studioworker.protocol.ErrorCode;
import org.studioworker.protocol.FrameCodec;
import org.studioworker.protocol.LogEntry;
import org.studioworker.protocol.StudioFrame;
import org.studioworker.spi.Claim;
import org.studioworker.spi.ModelSource;
import org.studioworker.spi.Task;

/**
 * The reference studio: a real HTTP and WebSocket server that plays the studio side of the wire
 * contract (PROTOCOL.md §1–4), with its state in memory, plus operator, job and fault-injection
 * calls for tests.
 *
 * <pre>{@code
 * try (DevStudio studio = DevStudio.start(DevStudio.Options.defaults().withAutoApprove(true))) {
 *   URI base = studio.baseUrl();                      // http://127.0.0.1:<port>/
 *   WorkerCredentials worker = studio.createWorker(); // or let a worker register
 *   String jobId = studio.submitJob("model", 4.0, task, modelSource);
 *   studio.awaitJobStatus(jobId, JobStatus.COMPLETED, Duration.ofSeconds(10));
 * }
 * }</pre>
 *
 * <p>Thread-safe: every method may be called from any thread. Only {@code start}, {@link #close()}
 * and the {@code await…} methods block; every other call returns at once (sends are queued). A send
 * or fault aimed at a worker acts on that worker's newest socket and answers false when it has
 * none.
 *
 * <p>Bounded: the job table, the recorded frames and the shipped logs per worker, the registration
 * table, the rate-limit table and every request body have caps (see {@link Options}).
 *
 * <p>A restart is {@link #close()} and a new {@code start} on the same port; the new studio knows
 * only the workers named in {@link Options#knownWorkers()}. {@link #restart(Duration)} is a restart
 * that keeps everything: it drops every connection, stops listening for a while, and listens again
 * on the same port with the same jobs, workers and records.
 */
public final class DevStudio implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DevStudio.class);

  /** How long close() lets the workers answer the 1001 close before the server stops. */
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(1);

  /**
   * How a studio is set up. Immutable; start from {@link #defaults()} and change with the {@code
   * with…} methods.
   *
   * @param host the address to bind; loopback by default
   * @param port the port to bind; 0 picks a free one
   * @param autoApprove approve every registration request as it arrives (demos)
   * @param silenceTimeout a socket that sends nothing for this long is closed and its job requeued
   * @param silenceCheckInterval how often the silence is checked
   * @param welcomeDelay how long the studio takes to check {@code hello} before it sends {@code
   *     welcome}; any frame arriving meanwhile is a protocol violation, as with the real studio
   * @param maxAttempts how many {@code fail} frames a job may collect before it fails for good
   * @param maxFrameChars the largest message accepted from a worker, in characters; a larger one is
   *     a protocol violation
   * @param registerRateLimit how many {@code register-request}s one source address may make in
   *     {@code registerRateWindow}
   * @param registerRateWindow the window of that limit
   * @param maxJobs the size of the job table; the oldest finished job makes room
   * @param maxRecordedFrames how many frames are recorded per worker, newest kept
   * @param maxRecordedChars how much of each recorded frame's text is kept
   * @param maxLogEntries how many shipped log entries are kept per worker, newest kept
   * @param maxBodyBytes the largest HTTP request body accepted
   * @param knownWorkers workers the studio knows from the start (a restart keeps its workers)
   * @param stateFile where the approved workers (ids and token hashes) are kept, so that a studio
   *     started again on the same file still knows them; null keeps them in memory only
   */
  public record Options(
      String host,
      int port,
      boolean autoApprove,
      Duration silenceTimeout,
      Duration silenceCheckInterval,
      Duration welcomeDelay,
      int maxAttempts,
      int maxFrameChars,
      int registerRateLimit,
      Duration registerRateWindow,
      int maxJobs,
      int maxRecordedFrames,
      int maxRecordedChars,
      int maxLogEntries,
      long maxBodyBytes,
      List<WorkerCredentials> knownWorkers,
      @Nullable Path stateFile) {

    /** Validates every value and copies the list. */
    public Options {
      Objects.requireNonNull(host, "host");
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port must be 0 to 65535");
      }
      positive("silenceTimeout", silenceTimeout);
      positive("silenceCheckInterval", silenceCheckInterval);
      Objects.requireNonNull(welcomeDelay, "welcomeDelay");
      if (welcomeDelay.isNegative()) {
        throw new IllegalArgumentException("welcomeDelay must not be negative");
      }
      positive("registerRateWindow", registerRateWindow);
      atLeastOne("maxAttempts", maxAttempts);
      atLeastOne("maxFrameChars", maxFrameChars);
      atLeastOne("registerRateLimit", registerRateLimit);
      atLeastOne("maxJobs", maxJobs);
      atLeastOne("maxRecordedFrames", maxRecordedFrames);
      atLeastOne("maxRecordedChars", maxRecordedChars);
      atLeastOne("maxLogEntries", maxLogEntries);
      if (maxBodyBytes < 1) {
        throw new IllegalArgumentException("maxBodyBytes must be at least 1");
      }
      knownWorkers = List.copyOf(knownWorkers);
    }

    /**
     * The defaults: 127.0.0.1 on a free port, manual approval, silence 30 s checked every 10 s, no
     * welcome delay, 3 attempts, frames up to {@link FrameCodec#MAX_FRAME_CHARS}, 10 register
     * requests per 60 s, 10 000 jobs, 10 000 frames of up to 1 MiB characters and 10 000 log
     * entries per worker, bodies up to 64 MiB.
     */
    public static Options defaults() {
      return new Options(
          "127.0.0.1",
          0,
          false,
          Duration.ofSeconds(30),
          Duration.ofSeconds(10),
          Duration.ZERO,
          3,
          FrameCodec.MAX_FRAME_CHARS,
          10,
          Duration.ofSeconds(60),
          10_000,
          10_000,
          1 << 20,
          10_000,
          64L << 20,
          List.of(),
          null);
    }

    /** A copy with another bind address. */
    public Options withHost(String value) {
      return new Options(
          value,
          port,
          autoApprove,
          silenceTimeout,
          silenceCheckInterval,
          welcomeDelay,
          maxAttempts,
          maxFrameChars,
          registerRateLimit,
          registerRateWindow,
          maxJobs,
          maxRecordedFrames,
          maxRecordedChars,
          maxLogEntries,
          maxBodyBytes,
          knownWorkers,
          stateFile);
    }

    /** A copy with another port (0: a free one). */
    public Options withPort(int value) {
      return new Options(
          host,
          value,
          autoApprove,
          silenceTimeout,
          silenceCheckInterval,
          welcomeDelay,
          maxAttempts,
          maxFrameChars,
          registerRateLimit,
          registerRateWindow,
          maxJobs,
          maxRecordedFrames,
          maxRecordedChars,
          maxLogEntries,
          maxBodyBytes,
          knownWorkers,
          stateFile);
    }

    /** A copy that approves registration requests at once, or not. */
    public Options withAutoApprove(boolean value) {
      return new Options(
          host,
          port,
          value,
          silenceTimeout,
          silenceCheckInterval,
          welcomeDelay,
          maxAttempts,
          maxFrameChars,
          registerRateLimit,
          registerRateWindow,
          maxJobs,
          maxRecordedFrames,
          maxRecordedChars,
          maxLogEntries,
          maxBodyBytes,
          knownWorkers,
          stateFile);
    }

    /**
     * A copy with another silence timeout; the check interval becomes a third of it (at least 10
     * ms) unless set afterwards.
     */
    public Options withSilenceTimeout(Duration value) {
      Duration check = value.dividedBy(3);
      if (check.compareTo(Duration.ofMillis(10)) < 0) {
        check = Duration.ofMillis(10);
      }
      return new Options(
          host,
          port,
          autoApprove,
          value,
          check,
          welcomeDelay,
          maxAttempts,
          maxFrameChars,
          registerRateLimit,
          registerRateWindow,
          maxJobs,
          maxRecordedFrames,
          maxRecordedChars,
          maxLogEntries,
          maxBodyBytes,
          knownWorkers,
          stateFile);
    }

    /** A copy with another silence check interval. */
    public Options withSilenceCheckInterval(Duration value) {
      return new Options(
          host,
          port,
          autoApprove,
          silenceTimeout,
          value,
          welcomeDelay,
          maxAttempts,
          maxFrameChars,
          registerRateLimit,
          registerRateWindow,
          maxJobs,
          maxRecordedFrames,
          maxRecordedChars,
          maxLogEntries,
          maxBodyBytes,
          knownWorkers,
          stateFile);
    }

    /** A copy with a delay between {@code hello} and {@code welcome}. */
    public Options withWelcomeDelay(Duration value) {
      return new Options(
          host,
          port,
          autoApprove,
          silenceTimeout,
          silenceCheckInterval,
          value,
          maxAttempts,
          maxFrameChars,
          registerRateLimit,
          registerRateWindow,
          maxJobs,
          maxRecordedFrames,
          maxRecordedChars,
          maxLogEntries,
          maxBodyBytes,
          knownWorkers,
          stateFile);
    }

    /** A copy with another maximum of attempts. */
    public Options withMaxAttempts(int value) {
      return new Options(
          host,
          port,
          autoApprove,
          silenceTimeout,
          silenceCheckInterval,
          welcomeDelay,
          value,
          maxFrameChars,
          registerRateLimit,
          registerRateWindow,
          maxJobs,
          maxRecordedFrames,
          maxRecordedChars,
          maxLogEntries,
          maxBodyBytes,
          knownWorkers,
          stateFile);
    }

    /** A copy with another cap on incoming messages, in characters. */
    public Options withMaxFrameChars(int value) {
      return new Options(
          host,
          port,
          autoApprove,
          silenceTimeout,
          silenceCheckInterval,
          welcomeDelay,
          maxAttempts,
          value,
          registerRateLimit,
          registerRateWindow,
          maxJobs,
          maxRecordedFrames,
          maxRecordedChars,
          maxLogEntries,
          maxBodyBytes,
          knownWorkers,
          stateFile);
    }

    /** A copy with another registration rate limit. */
    public Options withRegisterRateLimit(int limit, Duration window) {
      return new Options(
          host,
          port,
          autoApprove,
          silenceTimeout,
          silenceCheckInterval,
          welcomeDelay,
          maxAttempts,
          maxFrameChars,
          limit,
          window,
          maxJobs,
          maxRecordedFrames,
          maxRecordedChars,
          maxLogEntries,
          maxBodyBytes,
          knownWorkers,
          stateFile);
    }

    /** A copy with another job table size. */
    public Options withMaxJobs(int value) {
      return new Options(
          host,
          port,
          autoApprove,
          silenceTimeout,
          silenceCheckInterval,
          welcomeDelay,
          maxAttempts,
          maxFrameChars,
          registerRateLimit,
          registerRateWindow,
          value,
          maxRecordedFrames,
          maxRecordedChars,
          maxLogEntries,
          maxBodyBytes,
          knownWorkers,
          stateFile);
    }

    /** A copy with other caps on the frames recorded per worker. */
    public Options withFrameRecord(int frames, int charsPerFrame) {
      return new Options(
          host,
          port,
          autoApprove,
          silenceTimeout,
          silenceCheckInterval,
          welcomeDelay,
          maxAttempts,
          maxFrameChars,
          registerRateLimit,
          registerRateWindow,
          maxJobs,
          frames,
          charsPerFrame,
          maxLogEntries,
          maxBodyBytes,
          knownWorkers,
          stateFile);
    }

    /** A copy with another cap on the log entries kept per worker. */
    public Options withMaxLogEntries(int value) {
      return new Options(
          host,
          port,
          autoApprove,
          silenceTimeout,
          silenceCheckInterval,
          welcomeDelay,
          maxAttempts,
          maxFrameChars,
          registerRateLimit,
          registerRateWindow,
          maxJobs,
          maxRecordedFrames,
          maxRecordedChars,
          value,
          maxBodyBytes,
          knownWorkers,
          stateFile);
    }

    /** A copy with another cap on request bodies. */
    public Options withMaxBodyBytes(long value) {
      return new Options(
          host,
          port,
          autoApprove,
          silenceTimeout,
          silenceCheckInterval,
          welcomeDelay,
          maxAttempts,
          maxFrameChars,
          registerRateLimit,
          registerRateWindow,
          maxJobs,
          maxRecordedFrames,
          maxRecordedChars,
          maxLogEntries,
          value,
          knownWorkers,
          stateFile);
    }

    /**
     * A copy that keeps the approved workers in {@code file} (loaded at start, rewritten atomically
     * on every change); null: in memory only.
     */
    public Options withStateFile(@Nullable Path file) {
      return new Options(
          host,
          port,
          autoApprove,
          silenceTimeout,
          silenceCheckInterval,
          welcomeDelay,
          maxAttempts,
          maxFrameChars,
          registerRateLimit,
          registerRateWindow,
          maxJobs,
          maxRecordedFrames,
          maxRecordedChars,
          maxLogEntries,
          maxBodyBytes,
          knownWorkers,
          file);
    }

    /** A copy that knows one more worker from the start. */
    public Options withKnownWorker(WorkerCredentials worker) {
      List<WorkerCredentials> workers = new ArrayList<>(knownWorkers);
      workers.add(worker);
      return new Options(
          host,
          port,
          autoApprove,
          silenceTimeout,
          silenceCheckInterval,
          welcomeDelay,
          maxAttempts,
          maxFrameChars,
          registerRateLimit,
          registerRateWindow,
          maxJobs,
          maxRecordedFrames,
          maxRecordedChars,
          maxLogEntries,
          maxBodyBytes,
          workers,
          stateFile);
    }

    private static void positive(String name, Duration value) {
      Objects.requireNonNull(value, name);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + " must be positive");
      }
    }

    private static void atLeastOne(String name, long value) {
      if (value < 1) {
        throw new IllegalArgumentException(name + " must be at least 1");
      }
    }
  }

  private final Options options;
  private final Server server;
  private final ScheduledExecutorService timer;
  private final StateSignal signal;
  private final Registrations registrations;
  private final SessionHub hub;
  private final Faults faults;
  private final ServerConnector connector;
  private final URI baseUrl;
  private final AtomicBoolean closed = new AtomicBoolean();

  private DevStudio(Options options) {
    this.options = options;
    FrameCodec codec = new FrameCodec();
    DevJson json = new DevJson(codec);
    this.signal = new StateSignal();
    this.faults = new Faults();
    this.registrations =
        new Registrations(
            signal,
            options.autoApprove(),
            options.stateFile() == null ? null : new WorkerStore(options.stateFile()));
    options.knownWorkers().forEach(registrations::add);
    ScheduledThreadPoolExecutor scheduler =
        new ScheduledThreadPoolExecutor(
            1,
            runnable -> {
              Thread thread = new Thread(runnable, "dev-studio-timer");
              thread.setDaemon(true);
              return thread;
            });
    scheduler.setRemoveOnCancelPolicy(true);
    this.timer = scheduler;
    this.hub = new SessionHub(codec, registrations, signal, options, timer);

    List<Router.Route> routes = new ArrayList<>();
    routes.addAll(
        new WorkerRoutes(
                codec,
                json,
                registrations,
                hub,
                faults,
                new RateLimiter(options.registerRateLimit(), options.registerRateWindow()),
                options.maxBodyBytes(),
                timer)
            .routes());
    routes.addAll(new OperatorRoutes(json, registrations).routes());
    routes.addAll(new DevRoutes(codec, json, hub).routes());

    QueuedThreadPool threads = new QueuedThreadPool(64, 2);
    threads.setName("dev-studio");
    threads.setDaemon(true);
    this.server = new Server(threads);
    // No graceful wait on stop: idle keep-alive connections would hold it for a second or more.
    // Sockets are closed with 1001 by close() before the server stops.
    server.setStopTimeout(0);
    this.connector = new ServerConnector(server, 1, 1);
    connector.setHost(options.host());
    connector.setPort(options.port());
    connector.setReuseAddress(true);
    server.addConnector(connector);

    WebSocketUpgradeHandler upgrades = new WebSocketUpgradeHandler();
    upgrades.addMapping(ConnectNegotiator.PATH_SPEC, new ConnectNegotiator(registrations, hub));
    Configuration config = upgrades.getConfiguration();
    // Fragments are joined by WorkerSocket up to maxFrameChars; Jetty only splits big frames.
    config.setAutoFragment(true);
    config.setMaxFrameSize(64 * 1024);
    config.setMaxTextMessageSize(options.maxFrameChars() * 3L);
    config.setMaxBinaryMessageSize(options.maxFrameChars() * 3L);
    // The silence check closes quiet sockets; Jetty's idle timeout is only a backstop behind it.
    config.setIdleTimeout(options.silenceTimeout().multipliedBy(2).plusSeconds(30));
    upgrades.setHandler(new Router(routes, json, options.maxBodyBytes()));

    ContextHandler context = new ContextHandler("/");
    context.setHandler(upgrades);
    server.setHandler(context);

    try {
      server.start();
    } catch (IOException e) {
      stopQuietly();
      throw new UncheckedIOException(
          "dev-studio could not bind " + options.host() + ":" + options.port(), e);
    } catch (Exception e) {
      stopQuietly();
      throw new IllegalStateException("dev-studio did not start", e);
    }
    hub.start();
    String host = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
    this.baseUrl = URI.create("http://" + host + ":" + connector.getLocalPort() + "/");
    LOG.info(
        "dev-studio listening on {} (auto-approve {})",
        baseUrl,
        options.autoApprove() ? "on" : "off");
  }

  /**
   * Starts a studio and returns once it accepts connections.
   *
   * @throws UncheckedIOException when the address cannot be bound
   */
  public static DevStudio start(Options options) {
    return new DevStudio(options);
  }

  /** Starts a studio with {@link Options#defaults()}. */
  public static DevStudio start() {
    return start(Options.defaults());
  }

  /** The options this studio runs with. */
  public Options options() {
    return options;
  }

  /** The base URL, {@code http://127.0.0.1:<port>/}; a worker's {@code api_base_url}. */
  public URI baseUrl() {
    return baseUrl;
  }

  /** The port the studio listens on. */
  public int port() {
    return baseUrl.getPort();
  }

  /** The WebSocket URL of a worker's session. */
  public URI sessionUrl(String workerId) {
    return URI.create(
        "ws://" + baseUrl.getRawAuthority() + WorkerRoutes.PREFIX + "/" + workerId + "/connect");
  }

  /**
   * Stops the studio: every socket is closed with 1001 (going away), the workers get up to a second
   * to answer, then the server stops. Blocks for about that long at most; never throws; idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    List<WorkerSocket> closing = hub.closeAll();
    long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
    for (WorkerSocket socket : closing) {
      socket.awaitClosed(deadline - System.nanoTime());
    }
    stopQuietly();
    LOG.info("dev-studio on {} stopped", baseUrl);
  }

  private void stopQuietly() {
    try {
      server.stop();
    } catch (Exception e) {
      LOG.warn("dev-studio did not stop cleanly: {}", e.toString());
    }
    timer.shutdownNow();
  }

  // ---------------------------------------------------------------- registration and operator

  /** The registration requests waiting for the operator, oldest first. */
  public List<PendingRequest> pendingRequests() {
    return registrations.pending();
  }

  /**
   * Blocks until at least one registration request is pending and returns the oldest.
   *
   * @throws IllegalStateException after the timeout
   */
  public PendingRequest awaitPendingRequest(Duration timeout) {
    return signal.await(
        "a pending registration request",
        timeout,
        () -> {
          List<PendingRequest> pending = registrations.pending();
          return pending.isEmpty() ? null : pending.getFirst();
        });
  }

  /**
   * Approves a pending request; the worker gets the credentials on its next poll.
   *
   * @return the new worker's credentials
   * @throws NoSuchElementException when there is no such request
   * @throws IllegalStateException when it is not pending
   */
  public WorkerCredentials approve(String requestId) {
    return registrations.approve(requestId);
  }

  /**
   * Rejects a pending request with a reason (may be empty).
   *
   * @throws NoSuchElementException when there is no such request
   * @throws IllegalStateException when it is not pending
   */
  public void reject(String requestId, String reason) {
    registrations.reject(requestId, reason);
  }

  /** Turns the approval of every new registration request at once on or off. */
  public void setAutoApprove(boolean on) {
    registrations.setAutoApprove(on);
  }

  /** Mints a worker without the registration flow, for tests that start from an approved config. */
  public WorkerCredentials createWorker() {
    return registrations.mint();
  }

  /** Knows a worker with these credentials (for example one approved by an earlier studio). */
  public void addWorker(WorkerCredentials worker) {
    registrations.add(worker);
  }

  /**
   * Deletes a worker: its socket, if any, gets {@code error{worker_deleted}} and close 4004, and
   * its token stops working. Answers whether it was known.
   */
  public boolean deleteWorker(String workerId) {
    boolean known = registrations.delete(workerId);
    hub.deleted(workerId);
    return known;
  }

  // ---------------------------------------------------------------- jobs

  /** Queues a job with no game and no asset name; answers its id. */
  public String submitJob(String model, double vramGbEstimate, Task task, ModelSource source) {
    return submitJob("", "", model, vramGbEstimate, task, source);
  }

  /**
   * Queues a job and offers it at once if a worker is eligible; answers its id.
   *
   * @throws IllegalStateException when the job table is full of unfinished jobs
   */
  public String submitJob(
      String gameId,
      String assetName,
      String model,
      double vramGbEstimate,
      Task task,
      ModelSource source) {
    return hub.submit(new Claim("new", gameId, assetName, model, vramGbEstimate, task, source));
  }

  /** A snapshot of a job, or empty when there is no such job. */
  public Optional<JobSnapshot> job(String jobId) {
    return hub.job(jobId);
  }

  /** Snapshots of every job, in submission order. */
  public List<JobSnapshot> jobs() {
    return hub.jobs();
  }

  /** The stored result of a job, or empty when it has none. */
  public Optional<StoredResult> result(String jobId) {
    return hub.result(jobId);
  }

  /**
   * Blocks until the job satisfies the condition and returns that snapshot.
   *
   * @throws IllegalStateException after the timeout
   */
  public JobSnapshot awaitJob(String jobId, Predicate<JobSnapshot> condition, Duration timeout) {
    return signal.await(
        "job " + jobId, timeout, () -> hub.job(jobId).filter(condition).orElse(null));
  }

  /** Blocks until the job has this status and returns that snapshot. */
  public JobSnapshot awaitJobStatus(String jobId, JobStatus status, Duration timeout) {
    return signal.await(
        "job " + jobId + " to be " + status.wireName(),
        timeout,
        () -> hub.job(jobId).filter(job -> job.status() == status).orElse(null));
  }

  /** Stops or resumes offering jobs to every worker. */
  public void pauseOffers(boolean paused) {
    hub.pauseOffers(paused);
  }

  // ---------------------------------------------------------------- workers

  /** The newest socket of every connected worker, in connection order. */
  public List<WorkerSnapshot> connectedWorkers() {
    return hub.connectedWorkers();
  }

  /**
   * Blocks until the worker has a welcomed socket and returns it.
   *
   * @throws IllegalStateException after the timeout
   */
  public WorkerSnapshot awaitConnected(String workerId, Duration timeout) {
    return signal.await(
        "worker " + workerId + " to be welcomed",
        timeout,
        () -> hub.worker(workerId).filter(WorkerSnapshot::welcomed).orElse(null));
  }

  /** The log entries the worker shipped, oldest first (the newest {@code maxLogEntries}). */
  public List<LogEntry> logs(String workerId) {
    return hub.logs(workerId);
  }

  /**
   * Every frame recorded for the worker over all its sockets, in both directions, oldest first (the
   * newest {@code maxRecordedFrames}).
   */
  public List<WireFrame> frames(String workerId) {
    return hub.frames(workerId);
  }

  /** The frames received from the worker, oldest first. */
  public List<WireFrame> framesFrom(String workerId) {
    return hub.frames(workerId).stream()
        .filter(frame -> frame.direction() == WireFrame.Direction.RECEIVED)
        .toList();
  }

  /**
   * Blocks until a recorded frame of the worker satisfies the condition and returns the first.
   *
   * @throws IllegalStateException after the timeout
   */
  public WireFrame awaitFrame(String workerId, Predicate<WireFrame> condition, Duration timeout) {
    return signal.await(
        "a frame of worker " + workerId,
        timeout,
        () -> hub.frames(workerId).stream().filter(condition).findFirst().orElse(null));
  }

  // ---------------------------------------------------------------- fault injection

  /** The next {@code n} {@code register-request}s answer 500. */
  public void failNextRegisterRequests(int n) {
    faults.registerRequests500.arm(n);
  }

  /** The next {@code n} polls answer 500 (checked before the 404 fault). */
  public void failNextPolls(int n) {
    faults.polls500.arm(n);
  }

  /** The next {@code n} polls answer 404, as for a request the studio forgot. */
  public void notFoundNextPolls(int n) {
    faults.polls404.arm(n);
  }

  /** The next {@code n} multipart completes answer 500 (checked before the 400 fault). */
  public void failNextCompletes(int n) {
    faults.completes500.arm(n);
  }

  /** The next {@code n} multipart completes answer 400. */
  public void rejectNextCompletes(int n) {
    faults.completes400.arm(n);
  }

  /** The next {@code n} {@code register-request}s answer 503 (checked before the 500 fault). */
  public void unavailableNextRegisterRequests(int n) {
    faults.registerRequests503.arm(n);
  }

  /** The next {@code n} polls answer 503 (checked before the 500 fault). */
  public void unavailableNextPolls(int n) {
    faults.polls503.arm(n);
  }

  /** The next {@code n} multipart completes answer 503 (checked before the 500 fault). */
  public void unavailableNextCompletes(int n) {
    faults.completes503.arm(n);
  }

  /**
   * The next {@code n} multipart completes stall (checked after the 5xx and 400 faults): the studio
   * reads the upload, answers 200 with the headers and the first bytes of a body, sends nothing
   * more for {@code hold}, then drops the connection. Nothing is stored, so the worker still holds
   * the job and may upload it again. The hold applies to every stall not yet started.
   */
  public void stallNextCompletes(int n, Duration hold) {
    if (hold.isNegative() || hold.isZero()) {
      throw new IllegalArgumentException("hold must be positive");
    }
    faults.stallHold.set(hold);
    faults.completesStalled.arm(n);
  }

  /**
   * The reply of the next {@code n} multipart completes that the studio stores is lost: the job is
   * completed exactly as on a normal upload ({@code completeAck} on the socket, the next offer may
   * follow), then the connection is dropped without an HTTP reply. A retry of the same upload gets
   * 409, as for any job the worker no longer holds, and is recorded as a refused report.
   */
  public void loseNextCompleteReplies(int n) {
    faults.completeRepliesLost.arm(n);
  }

  /**
   * Every result or failure report the studio refused because its sender did not hold the job
   * (retried uploads after a lost reply, late or second reports), oldest first, the newest {@value
   * SessionHub#MAX_REFUSED_REPORTS}. An honest worker facing no fault sends none.
   */
  public List<JobReport> refusedReports() {
    return hub.refusedReports();
  }

  /**
   * How many requests each HTTP fault has hit so far, by name ({@code "complete 503"}, {@code
   * "complete stalled"}, …), in a fixed order.
   */
  public Map<String, Integer> injectedFaults() {
    return faults.injected();
  }

  /** How many {@code register-request}s arrived, faulted ones included. */
  public int registerRequestsReceived() {
    return faults.registerRequestsSeen.get();
  }

  /** How many polls arrived, faulted ones included. */
  public int pollsReceived() {
    return faults.pollsSeen.get();
  }

  /** How many multipart completes arrived, faulted ones included. */
  public int completesReceived() {
    return faults.completesSeen.get();
  }

  /**
   * Restarts the studio keeping its state, as a studio whose state lives in a database would: every
   * socket is dropped without a close frame (held jobs are requeued), every HTTP connection is cut
   * (a stalled upload too), nothing listens for {@code downtime} (connects are refused), then the
   * studio listens again on the same port with the same jobs, workers, records and faults. Blocks
   * for the downtime.
   *
   * @throws IllegalStateException when the port cannot be bound again
   */
  public void restart(Duration downtime) {
    LOG.info("dev-studio on {}: restarting ({} ms down)", baseUrl, downtime.toMillis());
    hub.dropAll();
    try {
      connector.stop();
    } catch (Exception e) {
      LOG.warn("dev-studio connector did not stop cleanly: {}", e.toString());
    }
    try {
      Thread.sleep(downtime);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    connector.setPort(baseUrl.getPort());
    try {
      connector.start();
    } catch (Exception e) {
      throw new IllegalStateException("dev-studio could not listen again on " + baseUrl, e);
    }
    LOG.info("dev-studio on {}: listening again", baseUrl);
  }

  /** Drops every socket without a close frame, as a studio crash would; held jobs are requeued. */
  public void dropAllSessions() {
    hub.dropAll();
  }

  /** Drops the worker's socket without a close frame; answers whether it had one. */
  public boolean dropSession(String workerId) {
    return hub.drop(workerId);
  }

  /**
   * Makes the studio act as if the worker's socket were half-open: it sends nothing more (no {@code
   * heartbeatAck}, no offers, no pongs, no close frame) and ignores (but records, marked ignored)
   * what arrives, so the worker must notice by its own read-idle rule. The studio's silence check,
   * or a newer socket of the worker, drops the socket without a close frame and requeues its job.
   * Answers whether the worker had a socket.
   */
  public boolean goSilent(String workerId) {
    return hub.setSilent(workerId, true);
  }

  /** Undoes {@link #goSilent(String)}. */
  public boolean resumeTalking(String workerId) {
    return hub.setSilent(workerId, false);
  }

  /** Sends any text as one text frame (malformed JSON, an unknown type, a huge frame…). */
  public boolean sendRawText(String workerId, String text) {
    return hub.sendRawText(workerId, text);
  }

  /** Sends one binary frame, which the contract forbids. */
  public boolean sendRawBinary(String workerId, byte[] bytes) {
    return hub.sendRawBinary(workerId, bytes);
  }

  /**
   * Sends a studio frame outside the normal flow; an {@code error} frame is followed by its close
   * code and the worker's job is requeued.
   */
  public boolean sendFrame(String workerId, StudioFrame frame) {
    return hub.sendFrame(workerId, frame);
  }

  /** Sends {@code error{code, message}} and closes with {@link ErrorCode#closeCode()}. */
  public boolean sendError(String workerId, ErrorCode code, String message) {
    return hub.sendFrame(workerId, new StudioFrame.Error(code, message));
  }

  @Override
  public String toString() {
    return "DevStudio[" + baseUrl + "]";
  }
}
