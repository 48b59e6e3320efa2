package org.studioworker.runtime.session;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.studioworker.protocol.CloseCodes;
import org.studioworker.protocol.ErrorCode;
import org.studioworker.protocol.FrameCodec;
import org.studioworker.protocol.FrameDecodeException;
import org.studioworker.protocol.StudioFrame;
import org.studioworker.protocol.WorkerFrame;
import org.studioworker.runtime.jobs.JobRunner;
import org.studioworker.runtime.lifecycle.Backoff;
import org.studioworker.runtime.lifecycle.LoopSchedule;
import org.studioworker.runtime.lifecycle.StopSignal;
import org.studioworker.runtime.logs.LogShipQueue;
import org.studioworker.runtime.status.SessionState;
import org.studioworker.runtime.status.StatusBoard;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The session with the studio: a loop of attempts (PROTOCOL.md §3–5).
 *
 * <p>One attempt = connect → {@code hello} → wait for {@code welcome} → heartbeat pump, log shipper
 * and reader, all owned by the attempt and all stopped when it ends, so a silent socket never
 * leaves a pump running. Between attempts: backoff from 1 s doubling to 30 s with jitter; the
 * counter resets once an attempt reached {@code welcome}.
 *
 * <p>{@link #run} blocks the calling thread until the session ends for good. The pumps run on
 * virtual threads of their own; every wait notices a stop within the stop-check interval.
 */
public final class Session {
  private static final Logger log = LoggerFactory.getLogger("session");

  /** How the session ended. */
  public sealed interface End {}

  /** Stopped on request, cleanly. */
  public record Stopped() implements End {}

  /** The studio refused the token; the worker must re-register. */
  public record AuthFailed(String why) implements End {}

  /** A fatal error from the studio; reconnecting would not help. */
  public record Fatal(String why) implements End {}

  /** {@code ws_reconnect_attempts} ran out. */
  public record GaveUp(int attempts, String why) implements End {}

  /** How one attempt ended. */
  private sealed interface AttemptEnd {}

  private record Final(End end) implements AttemptEnd {}

  private record Lost(String why, boolean welcomed) implements AttemptEnd {}

  /**
   * Settings of a session.
   *
   * @param drainTimeout read when needed: the config file may change it while the worker runs
   * @param resetCommand the command that re-registers this worker, named in the auth-failure hint
   *     ({@code studio-worker --config /etc/w.toml register --reset})
   */
  public record Settings(
      URI connectUri,
      String workerId,
      String authToken,
      int maxReconnectAttempts,
      Supplier<Duration> drainTimeout,
      int maxFrameChars,
      String resetCommand) {
    @Override
    public String toString() {
      return "Settings[connectUri="
          + connectUri
          + ", workerId="
          + workerId
          + ", authToken=<redacted>]";
    }
  }

  private final HttpClient http;
  private final Settings settings;
  private final FrameCodec codec;
  private final LoopSchedule schedule;
  private final StopSignal stop;
  private final CapabilitySource capabilities;
  private final JobRunner jobs;
  private final SessionLink link;
  private final StatusBoard board;
  private final Backoff backoff;
  private final BiConsumer<String, Throwable> crashed;
  private final LogShipper shipper;
  private final JsonMapper lenient = JsonMapper.builder().build();

  /** The capability summary last logged; the session's own thread only. */
  private @Nullable String lastSummary;

  /**
   * A session; nothing happens until {@link #run}.
   *
   * @param crashed told the name and error of a pump (heartbeat, log shipper) that failed
   *     unexpectedly; the daemon logs it, reports it and exits non-zero
   */
  public Session(
      HttpClient http,
      Settings settings,
      FrameCodec codec,
      LoopSchedule schedule,
      StopSignal stop,
      CapabilitySource capabilities,
      JobRunner jobs,
      SessionLink link,
      LogShipQueue logs,
      StatusBoard board,
      Backoff backoff,
      BiConsumer<String, Throwable> crashed) {
    this.http = http;
    this.settings = settings;
    this.codec = codec;
    this.schedule = schedule;
    this.stop = stop;
    this.capabilities = capabilities;
    this.jobs = jobs;
    this.link = link;
    this.board = board;
    this.backoff = backoff;
    this.crashed = crashed;
    this.shipper = new LogShipper(logs, codec);
  }

  /** Runs attempts until the session ends for good. */
  public End run() throws InterruptedException {
    int failed = 0;
    while (true) {
      if (shouldEnd()) {
        board.session(new SessionState.Stopped());
        return new Stopped();
      }
      AttemptEnd end = attempt(failed + 1);
      switch (end) {
        case Final f -> {
          board.session(stateOf(f.end()));
          return f.end();
        }
        case Lost lost -> {
          if (lost.welcomed()) {
            failed = 0;
          }
          failed++;
          int max = settings.maxReconnectAttempts();
          if (max > 0 && failed > max) {
            String why = "gave up after " + max + " reconnect attempts: " + lost.why();
            log.error("{}", why);
            board.session(new SessionState.Fatal(why));
            return new GaveUp(max, lost.why());
          }
          Duration delay = backoff.delay(failed);
          if (lost.welcomed()) {
            log.warn(
                "disconnected ({}); reconnect attempt {} in {} ms",
                lost.why(),
                failed,
                delay.toMillis());
          } else {
            log.warn(
                "session error: {}; reconnect attempt {} in {} ms",
                lost.why(),
                failed,
                delay.toMillis());
          }
          board.session(new SessionState.Reconnecting(failed, delay, lost.why()));
          stop.await(delay, this::endRequestedOrDrainOver);
        }
      }
    }
  }

  /**
   * Whether the session must end now, between or before attempts: an immediate stop, a drain with
   * no job left, or a drain whose deadline (counted from the first signal, reconnects or not) has
   * passed — then the job in flight is cancelled first.
   */
  private boolean shouldEnd() throws InterruptedException {
    if (!endRequestedOrDrainOver()) {
      return false;
    }
    if (stop.phase() != StopSignal.Phase.IMMEDIATE && jobs.isBusy()) {
      // Draining, a job in flight, and the deadline passed.
      log.warn(
          "drain timeout of {} s reached while disconnected: stopping job {}",
          settings.drainTimeout().get().toSeconds(),
          jobs.currentJobId().orElse("?"));
      jobs.cancelInFlight(schedule.sendTimeout());
    }
    return true;
  }

  /** {@link #shouldEnd} without its side effect, for a wait's condition. */
  private boolean endRequestedOrDrainOver() {
    return stop.phase() == StopSignal.Phase.IMMEDIATE
        || (stop.isStopping()
            && (!jobs.isBusy() || stop.stoppedLongerThan(settings.drainTimeout().get())));
  }

  private static SessionState stateOf(End end) {
    return switch (end) {
      case Stopped s -> new SessionState.Stopped();
      case AuthFailed a -> new SessionState.AuthFailed(a.why());
      case Fatal f -> new SessionState.Fatal(f.why());
      case GaveUp g -> new SessionState.Fatal(g.why());
    };
  }

  private AttemptEnd attempt(int number) throws InterruptedException {
    board.session(new SessionState.Connecting(number));
    log.info("connecting to {} (attempt {})", settings.connectUri(), number);
    // Once, and again only when it changed: a worker reconnecting all night repeats neither.
    String summary = capabilities.summary();
    if (!summary.equals(lastSummary)) {
      lastSummary = summary;
      log.info("{}", summary);
      String warning = capabilities.thresholdWarning();
      if (warning != null) {
        log.warn("{}", warning);
      }
    }
    WsConnection connection;
    try {
      connection =
          WsConnection.open(
              http,
              settings.connectUri(),
              settings.authToken(),
              schedule.connectTimeout(),
              settings.maxFrameChars(),
              this::endRequestedOrDrainOver);
    } catch (WsConnection.ConnectException e) {
      // The connect gives up when the session must end; a drain deadline that passed during it
      // ends the session the same way as between attempts: logged, the job in flight stopped.
      if (shouldEnd()) {
        return new Final(new Stopped());
      }
      // Only 401 is the studio refusing the token; a 403 comes as often from a proxy, a WAF or a
      // CDN in front of it, and throwing away a valid registration for it would be worse.
      if (e.httpStatus() == 401) {
        return authFailed("the studio refused this worker's token at connect (HTTP 401)");
      }
      return new Lost(e.getMessage() == null ? "connect failed" : e.getMessage(), false);
    }
    Pumps pumps = new Pumps();
    long generation = 0;
    try {
      String failure =
          connection.send(
              codec.encode(new WorkerFrame.Hello(settings.authToken(), capabilities.get())),
              schedule.sendTimeout());
      if (failure != null) {
        return new Lost("hello could not be sent: " + failure, false);
      }
      AttemptEnd beforeWelcome = awaitWelcome(connection);
      if (beforeWelcome != null) {
        return beforeWelcome;
      }
      generation = link.attach(connection);
      pumps.start("heartbeat", () -> heartbeats(connection, pumps));
      pumps.start("log-shipper", () -> shipLogs(connection, pumps.ended));
      return read(connection, generation, pumps);
    } finally {
      link.detach(connection);
      pumps.stop();
      // Batches this socket never confirmed may have gone into a half-open socket: send them again
      // on the next one (at least once).
      shipper.requeueUnconfirmed();
      if (generation != 0) {
        // A job accepted on this socket cannot report anywhere else: stop it now rather than let
        // it hold the job slot (and its engine's processes) for a result nobody will take.
        jobs.abandon(generation);
      }
      connection.abort();
    }
  }

  /** The pumps of one welcomed socket: started together, stopped and joined together. */
  private final class Pumps {
    final CountDownLatch ended = new CountDownLatch(1);

    /** When each heartbeat that went out began its send, oldest first; one is taken per ack. */
    final ConcurrentLinkedQueue<Long> beats = new ConcurrentLinkedQueue<>();

    private final List<Thread> threads = new ArrayList<>(2);

    void start(String name, Runnable body) {
      threads.add(
          Thread.ofVirtual()
              .name(name)
              .start(
                  () -> {
                    try {
                      body.run();
                    } catch (RuntimeException | Error e) {
                      if (ended.getCount() > 0) {
                        crashed.accept(name, e);
                      } else {
                        // Told to end: what it threw is the interrupt's doing, not a crash.
                        log.debug("{} ended with {}", name, e.toString());
                      }
                    }
                  }));
    }

    /**
     * Ends every pump and waits for each (bounded). Idempotent; never throws: an interrupt of the
     * caller does not cut the wait short (the attempt's clean-up must run to its end), it is kept
     * for the caller.
     */
    void stop() {
      ended.countDown();
      for (Thread pump : threads) {
        pump.interrupt();
      }
      boolean interrupted = false;
      long deadline = System.nanoTime() + schedule.sendTimeout().plusSeconds(1).toNanos();
      for (Thread pump : threads) {
        while (pump.isAlive() && System.nanoTime() - deadline < 0) {
          try {
            pump.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
          } catch (InterruptedException e) {
            interrupted = true;
          }
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Waits for {@code welcome}; returns null once welcomed, else how the attempt ended. */
  private @Nullable AttemptEnd awaitWelcome(WsConnection connection) throws InterruptedException {
    long deadline = System.nanoTime() + schedule.readIdle().toNanos();
    while (true) {
      if (stop.phase() == StopSignal.Phase.IMMEDIATE || (stop.isStopping() && !jobs.isBusy())) {
        connection.close("worker stopping", Duration.ofSeconds(2));
        return new Final(new Stopped());
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return new Lost(
            "no welcome within " + schedule.readIdle().toMillis() + " ms after hello", false);
      }
      WsConnection.Inbound event =
          connection.poll(Duration.ofNanos(Math.min(left, schedule.stopCheck().toNanos())));
      if (event == null) {
        continue;
      }
      if (event instanceof WsConnection.Text text) {
        StudioFrame frame;
        try {
          frame = codec.decodeStudioFrame(text.text());
        } catch (FrameDecodeException e) {
          log.warn("could not decode a frame from the studio before welcome: {}", e.getMessage());
          continue;
        }
        switch (frame) {
          case StudioFrame.Welcome welcome -> {
            board.session(new SessionState.Connected(welcome.workerId(), welcome.serverTime()));
            log.info("welcomed as {}, server time {}", welcome.workerId(), welcome.serverTime());
            return null;
          }
          case StudioFrame.Error error -> {
            return onError(connection, error);
          }
          default -> log.warn("ignoring a {} frame that arrived before welcome", frame.type());
        }
      } else {
        AttemptEnd end = onTransportEvent(event, false);
        if (end != null) {
          return end;
        }
      }
    }
  }

  /** The reader loop of a welcomed socket. */
  private AttemptEnd read(WsConnection connection, long generation, Pumps pumps)
      throws InterruptedException {
    boolean drainLogged = false;
    while (true) {
      StopSignal.Phase phase = stop.phase();
      if (phase == StopSignal.Phase.IMMEDIATE) {
        if (jobs.isBusy()) {
          log.warn("second stop request: failing the job in flight as retryable and exiting");
          jobs.cancelInFlight(schedule.sendTimeout());
        }
        return finish(connection, pumps);
      }
      if (phase == StopSignal.Phase.DRAINING) {
        if (!drainLogged) {
          drainLogged = true;
          if (jobs.isBusy()) {
            log.info(
                "draining: no new jobs; waiting up to {} s for job {} to finish",
                settings.drainTimeout().get().toSeconds(),
                jobs.currentJobId().orElse("?"));
          }
        }
        if (!jobs.isBusy()) {
          return finish(connection, pumps);
        }
        if (stop.stoppedLongerThan(settings.drainTimeout().get())) {
          log.warn(
              "drain timeout of {} s reached: failing job {} as retryable",
              settings.drainTimeout().get().toSeconds(),
              jobs.currentJobId().orElse("?"));
          jobs.cancelInFlight(schedule.sendTimeout());
          return finish(connection, pumps);
        }
      }
      long idle = System.nanoTime() - connection.lastActivityNanos();
      long limit = schedule.readIdle().toNanos();
      if (idle >= limit) {
        connection.abort();
        return new Lost(
            "no frame from the studio for "
                + TimeUnit.NANOSECONDS.toMillis(idle)
                + " ms; the socket is dead",
            true);
      }
      WsConnection.Inbound event =
          connection.poll(Duration.ofNanos(Math.min(limit - idle, schedule.stopCheck().toNanos())));
      if (event == null) {
        continue;
      }
      if (event instanceof WsConnection.Text text) {
        AttemptEnd end = onText(connection, generation, pumps, text.text());
        if (end != null) {
          return end;
        }
      } else {
        AttemptEnd end = onTransportEvent(event, true);
        if (end != null) {
          return end;
        }
      }
    }
  }

  private @Nullable AttemptEnd onText(
      WsConnection connection, long generation, Pumps pumps, String text)
      throws InterruptedException {
    StudioFrame frame;
    try {
      frame = codec.decodeStudioFrame(text);
    } catch (FrameDecodeException e) {
      onUndecodable(text, generation, e);
      return null;
    }
    switch (frame) {
      case StudioFrame.Offer offer -> jobs.onOffer(offer.claim(), generation);
      case StudioFrame.HeartbeatAck ack -> {
        // No log line: one arrives every heartbeat. It confirms the log batches sent before it.
        Long beat = pumps.beats.poll();
        if (beat != null) {
          shipper.heartbeatAcked(beat);
        }
        board.heartbeatAcked(java.time.Instant.now());
      }
      case StudioFrame.CompleteAck ack ->
          log.info("studio acknowledged job {} as complete", ack.jobId());
      case StudioFrame.FailAck ack -> log.info("studio acknowledged job {} as failed", ack.jobId());
      case StudioFrame.Welcome welcome ->
          log.warn("ignoring a second welcome (as {})", welcome.workerId());
      case StudioFrame.Error error -> {
        return onError(connection, error);
      }
    }
    return null;
  }

  /** A frame that does not decode: log it, and turn an offer down so the studio can requeue it. */
  private void onUndecodable(String text, long generation, FrameDecodeException e)
      throws InterruptedException {
    log.warn("could not decode a frame from the studio: {}; ignoring it", e.getMessage());
    if (!"offer".equals(e.frameType())) {
      return;
    }
    String jobId = null;
    try {
      JsonNode id = lenient.readTree(text).path("claim").path("jobId");
      jobId = id.isString() ? id.stringValue() : null;
    } catch (JacksonException ignored) {
      // Not even the job id can be read; the studio's claim times out on its side.
    }
    if (jobId != null) {
      String failure =
          link.send(
              new WorkerFrame.Reject(jobId, "offer could not be decoded: " + e.getMessage(), null),
              generation);
      if (failure != null) {
        log.warn("could not send reject for job {}: {}", jobId, failure);
      }
    }
  }

  private AttemptEnd onError(WsConnection connection, StudioFrame.Error error) {
    connection.abort();
    if (error.code() == ErrorCode.AUTH_FAILED) {
      return authFailed("the studio refused this worker's token (" + error.message() + ")");
    }
    String why = "the studio reported " + error.code().wireName() + ": " + error.message();
    log.error("{}; not reconnecting", why);
    return new Final(new Fatal(why));
  }

  private AttemptEnd authFailed(String why) {
    log.error("{}; run `{}`, then start the worker to register anew", why, settings.resetCommand());
    return new Final(new AuthFailed(why));
  }

  private @Nullable AttemptEnd onTransportEvent(WsConnection.Inbound event, boolean welcomed) {
    return switch (event) {
      case WsConnection.Binary binary -> {
        log.warn(
            "the studio sent a binary frame ({} bytes), which the protocol does not allow;"
                + " ignoring it",
            binary.size());
        yield null;
      }
      case WsConnection.Oversized oversized -> {
        log.warn(
            "the studio sent a frame of {} characters, over the limit of {}; ignoring it",
            oversized.size(),
            settings.maxFrameChars());
        yield null;
      }
      case WsConnection.Closed closed -> {
        if (closed.code() == CloseCodes.AUTH_FAILED) {
          yield authFailed("the studio closed the session with 4001 (auth failed)");
        }
        yield new Lost(
            "closed by the studio with code "
                + closed.code()
                + (closed.reason().isBlank() ? "" : " (" + closed.reason() + ")"),
            welcomed);
      }
      case WsConnection.Failed failed ->
          new Lost(
              "socket error: "
                  + failed.error().getClass().getSimpleName()
                  + (failed.error().getMessage() == null ? "" : ": " + failed.error().getMessage()),
              welcomed);
      case WsConnection.Text text -> null;
    };
  }

  /**
   * The clean end: stop the pumps (so that no batch is held by a shipper in mid-send), flush every
   * log entry queued until now, close with 1000.
   */
  private AttemptEnd finish(WsConnection connection, Pumps pumps) throws InterruptedException {
    log.info("shutting down: flushing the last log batch and closing the session");
    pumps.stop();
    flushAll(connection);
    connection.close("worker stopping", Duration.ofSeconds(2));
    return new Final(new Stopped());
  }

  private void heartbeats(WsConnection connection, Pumps pumps) {
    try {
      while (!pumps.ended.await(schedule.heartbeat().toNanos(), TimeUnit.NANOSECONDS)) {
        WorkerFrame.Heartbeat beat =
            new WorkerFrame.Heartbeat(capabilities.get(), jobs.currentJobId().orElse(null));
        long began = System.nanoTime();
        String failure = connection.send(codec.encode(beat), schedule.sendTimeout());
        if (failure != null) {
          log.warn("heartbeat could not be sent: {}", failure);
          board.heartbeatFailed(java.time.Instant.now(), failure);
        } else {
          pumps.beats.add(began);
          board.heartbeatSent(java.time.Instant.now());
        }
      }
    } catch (InterruptedException e) {
      // The attempt ended.
    }
  }

  private void shipLogs(WsConnection connection, CountDownLatch ended) {
    try {
      while (!ended.await(schedule.logFlush().toNanos(), TimeUnit.NANOSECONDS)) {
        shipper.flushOnce(text -> connection.send(text, schedule.sendTimeout()));
      }
    } catch (InterruptedException e) {
      // The attempt ended; what is left stays queued for the next one.
    }
  }

  private void flushAll(WsConnection connection) throws InterruptedException {
    shipper.flushAll(text -> connection.send(text, schedule.sendTimeout()));
  }
}
