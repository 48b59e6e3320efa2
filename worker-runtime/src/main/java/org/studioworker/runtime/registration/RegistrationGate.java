package org.studioworker.runtime.registration;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.studioworker.protocol.Capabilities;
import org.studioworker.protocol.FrameCodec;
import org.studioworker.protocol.Registration;
import org.studioworker.runtime.config.ConfigException;
import org.studioworker.runtime.config.LiveConfig;
import org.studioworker.runtime.config.WorkerConfig;
import org.studioworker.runtime.lifecycle.StopSignal;
import org.studioworker.runtime.logs.Redactor;

/**
 * The headless registration gate (PROTOCOL.md §2): asks to join, then polls until an operator
 * approves or rejects the worker.
 *
 * <p>At most one HTTP call per {@link #tick()}; {@link #await} ticks on the registration cadence
 * and notices a stop within the stop-check interval. Every state change that the contract says to
 * persist is saved before the next call. Used from one thread.
 */
public final class RegistrationGate {
  private static final Logger log = LoggerFactory.getLogger("registration");

  /** How {@link #await} ended. */
  public sealed interface Result {}

  /** Approved: the saved config holds the credentials. */
  public record Approved(WorkerConfig config) implements Result {}

  /** The operator rejected the request. */
  public record Rejected(String reason) implements Result {}

  /** A stop was requested while waiting: a clean exit. */
  public record Stopped() implements Result {}

  private final LiveConfig live;
  private final RegistrationClient client;
  private final Supplier<Capabilities> capabilities;
  private final String userAgent;
  private final InstantSource clock;
  private final SecureRandom random;
  private final Consumer<RegistrationState> published;

  /** Guarded by the single calling thread. */
  private WorkerConfig config;

  /** Guarded by the single calling thread. */
  private RegistrationState state = new RegistrationState.Pristine();

  private final String resetCommand;

  /** True once a call must be given up; set by {@link #await}. Guarded by the calling thread. */
  private BooleanSupplier abandon = () -> false;

  /**
   * A gate over the worker's live config.
   *
   * @param published told of every state change (for {@code status} and the UI)
   * @param resetCommand the command that starts over after a rejection, for the log's hint
   */
  public RegistrationGate(
      LiveConfig live,
      URI apiBase,
      HttpClient http,
      FrameCodec codec,
      Duration requestTimeout,
      Supplier<Capabilities> capabilities,
      String userAgent,
      InstantSource clock,
      SecureRandom random,
      Consumer<RegistrationState> published,
      String resetCommand) {
    this.live = live;
    this.config = live.get();
    this.client = new RegistrationClient(http, apiBase, codec, requestTimeout);
    this.capabilities = capabilities;
    this.userAgent = userAgent;
    this.clock = clock;
    this.random = random;
    this.published = published;
    this.resetCommand = resetCommand;
    String workerId = config.workerId();
    if (workerId != null && config.authToken() != null) {
      state = new RegistrationState.Approved(workerId);
    }
  }

  /** The current state. */
  public RegistrationState state() {
    return state;
  }

  /** The config as last saved. */
  public WorkerConfig config() {
    return config;
  }

  /**
   * Ticks until approved, rejected or stopped.
   *
   * @throws ConfigException when the config cannot be saved (disk full, permissions)
   */
  public Result await(StopSignal stop, Duration pollInterval)
      throws ConfigException, InterruptedException {
    abandon = stop::isStopping;
    while (true) {
      if (stop.isStopping()) {
        log.info("stop requested while waiting for operator approval; exiting cleanly");
        return new Stopped();
      }
      RegistrationState now = tick();
      switch (now) {
        case RegistrationState.Approved a -> {
          return new Approved(config);
        }
        case RegistrationState.Rejected r -> {
          return new Rejected(r.reason());
        }
        case RegistrationState.Pristine p -> {
          // Asked and failed, or went stale: the next tick asks again.
        }
        case RegistrationState.Pending p -> {
          // Still waiting.
        }
      }
      if (stop.sleep(pollInterval)) {
        log.info("stop requested while waiting for operator approval; exiting cleanly");
        return new Stopped();
      }
    }
  }

  /** One step of the state machine: at most one HTTP call. */
  public RegistrationState tick() throws ConfigException, InterruptedException {
    if (state instanceof RegistrationState.Approved
        || state instanceof RegistrationState.Rejected) {
      return state;
    }
    String workerId = config.workerId();
    if (workerId != null && config.authToken() != null) {
      return move(new RegistrationState.Approved(workerId));
    }
    ensureIdentity();
    String requestId = config.registrationRequestId();
    String secret = config.registrationSecret();
    if (requestId == null || secret == null) {
      return ask();
    }
    return poll(requestId, secret);
  }

  private void ensureIdentity() throws ConfigException {
    String installId = config.installId();
    String secret = config.registrationSecret();
    boolean changed = false;
    if (installId == null) {
      installId = UUID.randomUUID().toString();
      changed = true;
    }
    if (config.registrationRequestId() == null && secret == null) {
      byte[] bytes = new byte[32];
      random.nextBytes(bytes);
      secret = HexFormat.of().formatHex(bytes);
      changed = true;
    }
    if (changed) {
      save(config.withRegistration(installId, config.registrationRequestId(), secret));
    }
    Redactor.register(config.registrationSecret());
  }

  private RegistrationState ask() throws ConfigException, InterruptedException {
    String installId = java.util.Objects.requireNonNull(config.installId());
    String secret = java.util.Objects.requireNonNull(config.registrationSecret());
    Registration.Request body =
        new Registration.Request(installId, sha256Hex(secret), capabilities.get(), userAgent);
    RegistrationClient.Outcome outcome = client.request(body, abandon);
    switch (outcome) {
      case RegistrationClient.Requested requested -> {
        save(config.withRegistration(installId, requested.requestId(), secret));
        log.info("registration requested; an operator must approve this worker");
        return pending(requested.requestId());
      }
      case RegistrationClient.Unavailable unavailable -> {
        if (!abandon.getAsBoolean()) {
          log.warn("registration request failed: {}; retrying next tick", unavailable.why());
        }
        return move(new RegistrationState.Pristine());
      }
      case RegistrationClient.Polled polled -> throw new IllegalStateException("not a poll");
      case RegistrationClient.Stale stale -> throw new IllegalStateException("not a poll");
    }
  }

  private RegistrationState poll(String requestId, String secret)
      throws ConfigException, InterruptedException {
    RegistrationClient.Outcome outcome = client.poll(requestId, secret, abandon);
    return switch (outcome) {
      case RegistrationClient.Polled polled ->
          switch (polled.status()) {
            case Registration.Pending p -> pending(requestId);
            case Registration.Approved approved -> {
              Redactor.register(approved.authToken());
              save(config.withCredentials(approved.workerId(), approved.authToken()));
              log.info("approved by the operator: worker id {}", approved.workerId());
              yield move(new RegistrationState.Approved(approved.workerId()));
            }
            case Registration.Rejected rejected -> {
              save(config.withRegistration(config.installId(), null, null));
              String reason = rejected.reason();
              log.error(
                  "registration rejected by the operator{}; run `{}` and start again to ask anew",
                  reason.isEmpty() ? "" : ": " + reason,
                  resetCommand);
              yield move(new RegistrationState.Rejected(reason));
            }
          };
      case RegistrationClient.Stale stale -> {
        save(config.withRegistration(config.installId(), null, null));
        log.warn(
            "registration request {} is no longer known to the studio (HTTP {}); asking again",
            requestId,
            stale.httpStatus());
        yield move(new RegistrationState.Pristine());
      }
      case RegistrationClient.Unavailable unavailable -> {
        if (!abandon.getAsBoolean()) {
          log.warn("registration poll failed: {}; still waiting", unavailable.why());
        }
        yield pending(requestId);
      }
      case RegistrationClient.Requested requested ->
          throw new IllegalStateException("not a request");
    };
  }

  private RegistrationState pending(String requestId) {
    if (state instanceof RegistrationState.Pending p && p.requestId().equals(requestId)) {
      return state;
    }
    RegistrationState.Pending pending = new RegistrationState.Pending(requestId, clock.instant());
    log.info(
        "waiting for operator approval (request {}, since {})",
        requestId,
        FrameCodec.timestamp(pending.since()));
    return move(pending);
  }

  private RegistrationState move(RegistrationState next) {
    if (!next.equals(state)) {
      state = next;
      published.accept(next);
    }
    return state;
  }

  private void save(WorkerConfig next) throws ConfigException {
    // Only the registration keys are the gate's: applied to the newest file, so that an edit the
    // operator made while the worker waited for approval is kept.
    config =
        live.update(
            latest ->
                new WorkerConfig.Builder(latest)
                    .workerId(next.workerId())
                    .authToken(next.authToken())
                    .installId(next.installId())
                    .registrationRequestId(next.registrationRequestId())
                    .registrationSecret(next.registrationSecret())
                    .build());
  }

  /** SHA-256 of the text as 64 lowercase hex characters. */
  public static String sha256Hex(String text) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** For messages: the worker id, or "(unregistered)". */
  public static String describe(@Nullable String workerId) {
    return workerId == null ? "(unregistered)" : workerId;
  }
}
