package org.studioworker.devstudio;

import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.studioworker.protocol.Capabilities;
import org.studioworker.protocol.Registration;

/**
 * Registration requests and the approved workers' credentials (PROTOCOL.md §2, studio side).
 *
 * <p>Only SHA-256 hashes of registration secrets and session tokens are used to authenticate, and
 * they are compared in constant time. One exception, on purpose: the raw token of an approved
 * request is kept with that request, because polls after approval must keep answering the same
 * credentials; it is never logged and never listed.
 *
 * <p>The latest {@code register-request} of an install owns its pending request: it keeps the
 * request id and the {@code since} time, but replaces the secret hash, so that a worker that lost
 * its secret and asked again can poll with the new one.
 *
 * <p>Thread-safe: every method holds this object's monitor, briefly; nothing blocks.
 */
final class Registrations {
  private static final Logger LOG = LoggerFactory.getLogger(Registrations.class);

  /** The most requests kept; decided ones are dropped first, oldest first. */
  static final int MAX_REQUESTS = 10_000;

  /** The most workers kept. */
  static final int MAX_WORKERS = 10_000;

  private enum State {
    PENDING,
    APPROVED,
    REJECTED
  }

  /** One request; mutable, guarded by the monitor of the enclosing object. */
  private static final class Request {
    final String requestId;
    final String installId;
    final Instant since;
    byte[] secretHash;
    Capabilities capabilities;
    String userAgent;
    State state = State.PENDING;
    String reason = "";
    @Nullable WorkerCredentials credentials;

    Request(
        String requestId,
        String installId,
        Instant since,
        byte[] secretHash,
        Capabilities capabilities,
        String userAgent) {
      this.requestId = requestId;
      this.installId = installId;
      this.since = since;
      this.secretHash = secretHash;
      this.capabilities = capabilities;
      this.userAgent = userAgent;
    }
  }

  /** What a poll finds. */
  sealed interface Poll {
    /** No such request. */
    record NotFound() implements Poll {}

    /** The bearer does not match the request's secret. */
    record Unauthorized() implements Poll {}

    /** The request's status. */
    record Found(Registration.Status status) implements Poll {}
  }

  private final StateSignal signal;
  private volatile boolean autoApprove;

  /** Where the workers are kept across restarts; null: memory only. */
  private final @Nullable WorkerStore store;

  /** Requests by id, oldest first; guarded by this. */
  private final LinkedHashMap<String, Request> requests = new LinkedHashMap<>();

  /** Pending request id by install id; guarded by this. */
  private final Map<String, String> pendingByInstall = new HashMap<>();

  /** SHA-256 of each worker's token, by worker id, oldest first; guarded by this. */
  private final LinkedHashMap<String, byte[]> tokenHashes = new LinkedHashMap<>();

  Registrations(StateSignal signal, boolean autoApprove) {
    this(signal, autoApprove, null);
  }

  /**
   * Registrations that keep the approved workers in {@code store}, starting with those it holds.
   *
   * @throws IllegalStateException when the store cannot be read
   */
  Registrations(StateSignal signal, boolean autoApprove, @Nullable WorkerStore store) {
    this.signal = signal;
    this.autoApprove = autoApprove;
    this.store = store;
    if (store != null) {
      tokenHashes.putAll(store.load());
      LOG.info("{} approved workers from {}", tokenHashes.size(), store.file());
    }
  }

  void setAutoApprove(boolean on) {
    autoApprove = on;
  }

  /**
   * Records a {@code register-request} and answers its request id.
   *
   * @throws IllegalArgumentException when the secret hash is not 64 lowercase hex characters
   * @throws IllegalStateException when the request table is full of pending requests
   */
  synchronized String request(Registration.Request body, Instant now) {
    byte[] hash = Secrets.parseSha256Hex(body.registrationSecretHash());
    String existing = pendingByInstall.get(body.installId());
    if (existing != null) {
      Request request = requests.get(existing);
      if (request != null && request.state == State.PENDING) {
        request.secretHash = hash;
        request.capabilities = body.capabilities();
        request.userAgent = body.userAgent();
        LOG.info("register-request again for install {}: still {}", body.installId(), existing);
        signal.changed();
        return existing;
      }
    }
    makeRoom();
    Request request =
        new Request(
            Secrets.newId("rr-"),
            body.installId(),
            now,
            hash,
            body.capabilities(),
            body.userAgent());
    requests.put(request.requestId, request);
    pendingByInstall.put(request.installId, request.requestId);
    LOG.info(
        "register-request {} from install {} ({}, {})",
        request.requestId,
        request.installId,
        body.capabilities().machineName(),
        body.userAgent());
    if (autoApprove) {
      approve(request.requestId);
    }
    signal.changed();
    return request.requestId;
  }

  private void makeRoom() {
    if (requests.size() < MAX_REQUESTS) {
      return;
    }
    Iterator<Request> it = requests.values().iterator();
    while (it.hasNext()) {
      if (it.next().state != State.PENDING) {
        it.remove();
        return;
      }
    }
    throw new IllegalStateException("too many pending registration requests");
  }

  /** Answers a poll made with the raw secret as bearer. */
  synchronized Poll poll(String requestId, @Nullable String bearer) {
    Request request = requests.get(requestId);
    if (request == null) {
      return new Poll.NotFound();
    }
    if (!Secrets.matches(bearer, request.secretHash)) {
      return new Poll.Unauthorized();
    }
    return new Poll.Found(
        switch (request.state) {
          case PENDING -> new Registration.Pending();
          case APPROVED -> {
            WorkerCredentials credentials = request.credentials;
            if (credentials == null) {
              throw new IllegalStateException("an approved request holds credentials");
            }
            yield new Registration.Approved(credentials.workerId(), credentials.authToken());
          }
          case REJECTED -> new Registration.Rejected(request.reason);
        });
  }

  /**
   * Approves a pending request: mints a worker id and a token.
   *
   * @throws NoSuchElementException when there is no such request
   * @throws IllegalStateException when the request is not pending
   */
  synchronized WorkerCredentials approve(String requestId) {
    Request request = pendingRequest(requestId);
    WorkerCredentials credentials = mint();
    request.state = State.APPROVED;
    request.credentials = credentials;
    pendingByInstall.remove(request.installId, requestId);
    LOG.info("approved {} as worker {}", requestId, credentials.workerId());
    signal.changed();
    return credentials;
  }

  /**
   * Rejects a pending request with a reason.
   *
   * @throws NoSuchElementException when there is no such request
   * @throws IllegalStateException when the request is not pending
   */
  synchronized void reject(String requestId, String reason) {
    Request request = pendingRequest(requestId);
    request.state = State.REJECTED;
    request.reason = reason;
    pendingByInstall.remove(request.installId, requestId);
    LOG.info("rejected {}: {}", requestId, reason.isEmpty() ? "(no reason)" : reason);
    signal.changed();
  }

  private Request pendingRequest(String requestId) {
    Request request = requests.get(requestId);
    if (request == null) {
      throw new NoSuchElementException("no registration request " + requestId);
    }
    if (request.state != State.PENDING) {
      throw new IllegalStateException(
          "registration request " + requestId + " is already " + request.state.name());
    }
    return request;
  }

  /** The pending requests, oldest first. */
  synchronized List<PendingRequest> pending() {
    List<PendingRequest> out = new ArrayList<>();
    for (Request r : requests.values()) {
      if (r.state == State.PENDING) {
        out.add(new PendingRequest(r.requestId, r.installId, r.since, r.capabilities, r.userAgent));
      }
    }
    return out;
  }

  /** Mints a worker outside the registration flow. */
  synchronized WorkerCredentials mint() {
    WorkerCredentials credentials = new WorkerCredentials(Secrets.newId("w-"), Secrets.newToken());
    add(credentials);
    return credentials;
  }

  /** Knows a worker with these credentials (replacing the token of a known one). */
  synchronized void add(WorkerCredentials credentials) {
    if (tokenHashes.size() >= MAX_WORKERS && !tokenHashes.containsKey(credentials.workerId())) {
      String eldest = tokenHashes.keySet().iterator().next();
      tokenHashes.remove(eldest);
    }
    tokenHashes.put(credentials.workerId(), Secrets.sha256(credentials.authToken()));
    persist();
    signal.changed();
  }

  /** Forgets a worker; its token stops working. Answers whether it was known. */
  synchronized boolean delete(String workerId) {
    boolean known = tokenHashes.remove(workerId) != null;
    if (known) {
      persist();
    }
    signal.changed();
    return known;
  }

  /** Writes the workers to the store, if any; a failure is logged and the studio carries on. */
  private void persist() {
    if (store == null) {
      return;
    }
    try {
      store.save(tokenHashes);
    } catch (UncheckedIOException e) {
      LOG.error("{}; a restart will not know the workers approved since", e.getMessage(), e);
    }
  }

  /** Whether the worker is known and the token is its token. */
  synchronized boolean authenticate(String workerId, @Nullable String token) {
    byte[] hash = tokenHashes.get(workerId);
    // Hash something even for an unknown worker, so the answer takes about as long either way.
    return Secrets.matches(token, hash == null ? new byte[32] : hash) && hash != null;
  }
}
