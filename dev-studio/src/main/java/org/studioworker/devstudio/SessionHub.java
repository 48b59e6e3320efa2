package org.studioworker.devstudio;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.studioworker.protocol.Capabilities;
import org.studioworker.protocol.CloseCodes;
import org.studioworker.protocol.ErrorCode;
import org.studioworker.protocol.FrameCodec;
import org.studioworker.protocol.FrameDecodeException;
import org.studioworker.protocol.LogEntry;
import org.studioworker.protocol.StudioFrame;
import org.studioworker.protocol.WorkerFrame;
import org.studioworker.spi.Claim;
import org.studioworker.spi.JsonText;

/**
 * The sessions and the jobs of the studio (PROTOCOL.md §3–4, studio side): who is connected, who
 * holds which job, and which job is offered to whom.
 *
 * <p>Rules beyond the contract, chosen here: a {@code reject} without a code puts the job back in
 * the queue and never offers it to that worker again (so a job that every worker turns down stays
 * queued); a {@code reject} of a job the worker does not hold is logged and ignored; a second
 * {@code accept} of a running job is ignored, and so is an {@code accept} that arrives after the
 * same worker's upload already completed the job (the upload travels on another connection and can
 * win the race); attempts count {@code fail} frames only, not rejects nor dropped sockets; a worker
 * whose last heartbeat named a job it does not hold gets no offer until a heartbeat without one; a
 * newer socket for a worker replaces the older one as soon as it is upgraded. Every result or
 * failure report is kept on its job with the studio's verdict; one from a worker that does not hold
 * the job changes nothing and is also kept as refused.
 *
 * <p>Thread-safe: one lock guards all state, including the session fields of every {@link
 * WorkerSocket}. Sends happen under the lock, so frames leave in the order the state changed; they
 * never block.
 */
final class SessionHub {
  private static final Logger LOG = LoggerFactory.getLogger(SessionHub.class);

  /** How many workers have frames and logs kept; the oldest are forgotten first. */
  static final int MAX_TRACKED_WORKERS = 1024;

  /** What a recorded hello shows instead of the token. */
  static final String REDACTED = "<redacted>";

  private final FrameCodec codec;
  private final Registrations registrations;
  private final StateSignal signal;
  private final DevStudio.Options options;
  private final ScheduledExecutorService timer;

  private final ReentrantLock lock = new ReentrantLock();

  /** Every socket that is open and not yet given up; guarded by lock. */
  private final Set<WorkerSocket> sockets = new LinkedHashSet<>();

  /** The newest socket of each worker; guarded by lock. */
  private final Map<String, WorkerSocket> current = new HashMap<>();

  /** Jobs in submission order; guarded by lock. */
  private final LinkedHashMap<String, Job> jobs = new LinkedHashMap<>();

  /** Frames in both directions, per worker; guarded by lock. */
  private final Map<String, BoundedList<WireFrame>> frames = boundedMap();

  /** Shipped log entries, per worker; guarded by lock. */
  private final Map<String, BoundedList<LogEntry>> logs = boundedMap();

  /** Why 10 000? Each is a worker bug or an injected fault's echo; more than that is a runaway. */
  static final int MAX_REFUSED_REPORTS = 10_000;

  /**
   * Every report refused because its sender did not hold the job, oldest first; guarded by lock.
   */
  private final BoundedList<JobReport> refusedReports = new BoundedList<>(MAX_REFUSED_REPORTS);

  // Guarded by lock.
  private boolean offersPaused;
  private int connections;
  private long welcomes;

  SessionHub(
      FrameCodec codec,
      Registrations registrations,
      StateSignal signal,
      DevStudio.Options options,
      ScheduledExecutorService timer) {
    this.codec = codec;
    this.registrations = registrations;
    this.signal = signal;
    this.options = options;
    this.timer = timer;
  }

  private static <V> Map<String, V> boundedMap() {
    return new LinkedHashMap<>() {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > MAX_TRACKED_WORKERS;
      }
    };
  }

  /** Starts the silence check. */
  void start() {
    long every = options.silenceCheckInterval().toNanos();
    timer.scheduleWithFixedDelay(this::closeSilentSockets, every, every, TimeUnit.NANOSECONDS);
  }

  // ---------------------------------------------------------------- socket events

  /** A socket for a worker whose token was checked at the upgrade. */
  WorkerSocket newSocket(String workerId) {
    lock.lock();
    try {
      return new WorkerSocket(this, workerId, ++connections, options.maxFrameChars());
    } finally {
      lock.unlock();
    }
  }

  void opened(WorkerSocket socket) {
    lock.lock();
    try {
      sockets.add(socket);
      WorkerSocket older = current.put(socket.workerId, socket);
      LOG.info("worker {} connected (connection {})", socket.workerId, socket.connection);
      if (older != null && older.phase != WorkerSocket.Phase.CLOSED) {
        LOG.info(
            "worker {}: connection {} replaces connection {}",
            socket.workerId,
            socket.connection,
            older.connection);
        fail(older, ErrorCode.DUPLICATE_WORKER, "a newer connection for this worker replaced it");
      }
      signal.changed();
    } finally {
      lock.unlock();
    }
  }

  void closed(WorkerSocket socket, int code, @Nullable String reason) {
    lock.lock();
    try {
      if (socket.phase != WorkerSocket.Phase.CLOSED) {
        LOG.info(
            "worker {} disconnected (connection {}, close {}{})",
            socket.workerId,
            socket.connection,
            code,
            reason == null || reason.isEmpty() ? "" : " " + reason);
        detach(socket);
      }
    } finally {
      lock.unlock();
    }
  }

  void binary(WorkerSocket socket, int size) {
    lock.lock();
    try {
      if (ignored(socket, "binary", "binary message of " + size + " bytes")) {
        return;
      }
      record(socket, WireFrame.Direction.RECEIVED, "binary", size + " bytes", false);
      fail(socket, ErrorCode.PROTOCOL_VIOLATION, "binary frames are not part of the protocol");
    } finally {
      lock.unlock();
    }
  }

  void oversized(WorkerSocket socket, long size) {
    lock.lock();
    try {
      if (ignored(socket, "?", "oversized message")) {
        return;
      }
      record(socket, WireFrame.Direction.RECEIVED, "?", "oversized message", false);
      fail(
          socket,
          ErrorCode.PROTOCOL_VIOLATION,
          "frame of " + size + " is over the limit of " + options.maxFrameChars() + " characters");
    } finally {
      lock.unlock();
    }
  }

  void internalError(WorkerSocket socket) {
    lock.lock();
    try {
      fail(socket, ErrorCode.INTERNAL_ERROR, "the studio failed to handle a frame");
    } finally {
      lock.unlock();
    }
  }

  /** One text message from a worker. */
  void text(WorkerSocket socket, String text) {
    lock.lock();
    try {
      WorkerFrame frame;
      try {
        frame = codec.decodeWorkerFrame(text);
      } catch (FrameDecodeException e) {
        if (ignored(socket, "?", text)) {
          return;
        }
        record(socket, WireFrame.Direction.RECEIVED, "?", text, false);
        fail(socket, ErrorCode.PROTOCOL_VIOLATION, "frame does not decode: " + e.getMessage());
        return;
      }
      // The token of a hello is checked, never kept: the record holds a redacted copy.
      String shown =
          frame instanceof WorkerFrame.Hello hello
              ? codec.encode(new WorkerFrame.Hello(REDACTED, hello.capabilities()))
              : text;
      if (ignored(socket, frame.type(), shown)) {
        return;
      }
      record(socket, WireFrame.Direction.RECEIVED, frame.type(), shown, false);
      switch (socket.phase) {
        case AWAITING_HELLO -> {
          if (frame instanceof WorkerFrame.Hello hello) {
            hello(socket, hello);
          } else {
            fail(
                socket,
                ErrorCode.PROTOCOL_VIOLATION,
                "the first frame must be hello, not " + frame.type());
          }
        }
        case CHECKING_HELLO ->
            fail(socket, ErrorCode.PROTOCOL_VIOLATION, frame.type() + " before welcome");
        case LIVE -> live(socket, frame);
        case CLOSED -> {
          // Given up already; the close is on its way.
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** Whether the message is to be ignored (socket given up, or studio silent); records it if so. */
  private boolean ignored(WorkerSocket socket, String type, String text) {
    if (socket.phase == WorkerSocket.Phase.CLOSED) {
      return true;
    }
    if (socket.silent) {
      record(socket, WireFrame.Direction.RECEIVED, type, text, true);
      return true;
    }
    return false;
  }

  private void hello(WorkerSocket socket, WorkerFrame.Hello hello) {
    if (!registrations.authenticate(socket.workerId, hello.authToken())) {
      LOG.warn("worker {}: hello with a token that does not match", socket.workerId);
      fail(socket, ErrorCode.AUTH_FAILED, "the token in hello is not this worker's token");
      return;
    }
    socket.capabilities = hello.capabilities();
    Duration delay = options.welcomeDelay();
    if (delay.isZero()) {
      welcome(socket);
      return;
    }
    socket.phase = WorkerSocket.Phase.CHECKING_HELLO;
    timer.schedule(
        () -> {
          lock.lock();
          try {
            if (socket.phase == WorkerSocket.Phase.CHECKING_HELLO) {
              welcome(socket);
            }
          } finally {
            lock.unlock();
          }
        },
        delay.toNanos(),
        TimeUnit.NANOSECONDS);
  }

  private void welcome(WorkerSocket socket) {
    socket.phase = WorkerSocket.Phase.LIVE;
    socket.welcomeOrder = ++welcomes;
    String serverTime = FrameCodec.timestamp(Instant.now());
    send(socket, new StudioFrame.Welcome(socket.workerId, serverTime));
    Capabilities caps = socket.capabilities;
    LOG.info(
        "worker {} welcomed (connection {}): {} {}",
        socket.workerId,
        socket.connection,
        caps == null ? "?" : caps.machineName(),
        caps == null ? "" : caps.taskKinds());
    signal.changed();
    dispatch();
  }

  private void live(WorkerSocket socket, WorkerFrame frame) {
    switch (frame) {
      case WorkerFrame.Hello ignored ->
          fail(socket, ErrorCode.PROTOCOL_VIOLATION, "hello sent twice");
      case WorkerFrame.Heartbeat heartbeat -> {
        socket.capabilities = heartbeat.capabilities();
        socket.lastHeartbeatAt = Instant.now();
        socket.reportedJobId = heartbeat.currentJobId();
        socket.holdUntilHeartbeat = false;
        send(socket, new StudioFrame.HeartbeatAck());
        signal.changed();
        dispatch();
      }
      case WorkerFrame.Accept accept -> {
        Job job = held(socket, accept.jobId());
        if (job == null && uploadedBy(accept.jobId(), socket.workerId)) {
          // The accept travels on the socket, the result on an HTTP connection of its own: a fast
          // job's upload can win the race. The job is done; the late accept changes nothing.
          LOG.info(
              "worker {}: accept of {} arrived after its upload completed it; ignored",
              socket.workerId,
              accept.jobId());
        } else if (job == null) {
          notHeld(socket, "accept", accept.jobId());
        } else if (job.status == JobStatus.RUNNING) {
          LOG.info("worker {}: second accept of {} ignored", socket.workerId, job.jobId);
        } else {
          job.status = JobStatus.RUNNING;
          LOG.info("worker {} accepted {}", socket.workerId, job.jobId);
          signal.changed();
        }
      }
      case WorkerFrame.Reject reject -> reject(socket, reject);
      case WorkerFrame.CompleteJson complete -> {
        Job job = held(socket, complete.jobId());
        if (job == null) {
          refused(complete.jobId(), JobReport.Kind.COMPLETE_JSON, socket.workerId);
          notHeld(socket, "completeJson", complete.jobId());
          return;
        }
        JsonText result = complete.result();
        job.result = result;
        job.prompt = complete.prompt();
        job.bytes = result.json().getBytes(StandardCharsets.UTF_8);
        job.contentType = "application/json";
        report(job, JobReport.Kind.COMPLETE_JSON, socket.workerId, JobReport.Verdict.COMPLETED);
        job.status = JobStatus.COMPLETED;
        LOG.info("worker {} completed {} (JSON result)", socket.workerId, job.jobId);
        finished(socket, job, new StudioFrame.CompleteAck(job.jobId));
      }
      case WorkerFrame.Fail failure -> {
        Job job = held(socket, failure.jobId());
        if (job == null) {
          refused(failure.jobId(), JobReport.Kind.FAIL, socket.workerId);
          notHeld(socket, "fail", failure.jobId());
          return;
        }
        job.attempts++;
        job.error = failure.error();
        if (failure.retryable() && job.attempts < options.maxAttempts()) {
          report(job, JobReport.Kind.FAIL, socket.workerId, JobReport.Verdict.REQUEUED);
          job.requeue();
          LOG.info(
              "worker {} failed {} (attempt {} of {}), requeued: {}",
              socket.workerId,
              job.jobId,
              job.attempts,
              options.maxAttempts(),
              failure.error());
        } else {
          report(job, JobReport.Kind.FAIL, socket.workerId, JobReport.Verdict.FAILED);
          job.status = JobStatus.FAILED;
          LOG.info(
              "worker {} failed {} for good ({}): {}",
              socket.workerId,
              job.jobId,
              failure.retryable() ? "out of attempts" : "not retryable",
              failure.error());
        }
        finished(socket, job, new StudioFrame.FailAck(job.jobId));
      }
      case WorkerFrame.LogBatch batch -> {
        BoundedList<LogEntry> list =
            logs.computeIfAbsent(socket.workerId, id -> new BoundedList<>(options.maxLogEntries()));
        batch.entries().forEach(list::add);
        signal.changed();
      }
      case WorkerFrame.ReadyForMore ignored ->
          LOG.info(
              "worker {} sent readyForMore; ignored (offers follow completions)", socket.workerId);
    }
  }

  private void reject(WorkerSocket socket, WorkerFrame.Reject reject) {
    Job job = held(socket, reject.jobId());
    if (job == null) {
      LOG.info(
          "worker {}: reject of {} that it does not hold, ignored",
          socket.workerId,
          reject.jobId());
      return;
    }
    socket.heldJobId = null;
    job.requeue();
    if (reject.code() != null) {
      // Busy or paused: no attempt counted, and no offer to this worker before its next heartbeat.
      socket.holdUntilHeartbeat = true;
    } else {
      job.excluded.add(socket.workerId);
    }
    LOG.info(
        "worker {} rejected {} ({}): {}",
        socket.workerId,
        job.jobId,
        reject.code() == null ? "no code" : reject.code().wireName(),
        reject.reason());
    signal.changed();
    dispatch();
  }

  /** Whether the worker's upload completed the job (so that a late accept is no violation). */
  private boolean uploadedBy(String jobId, String workerId) {
    Job job = jobs.get(jobId);
    return job != null
        && job.status == JobStatus.COMPLETED
        && job.reports.snapshot().stream()
            .anyMatch(
                r ->
                    r.workerId().equals(workerId)
                        && r.kind() == JobReport.Kind.UPLOAD
                        && r.verdict() == JobReport.Verdict.COMPLETED);
  }

  private @Nullable Job held(WorkerSocket socket, String jobId) {
    if (!jobId.equals(socket.heldJobId)) {
      return null;
    }
    Job job = jobs.get(jobId);
    return job != null && job.isHeldBy(socket.workerId) ? job : null;
  }

  /** Records a report that the studio accepted, before the job's status changes. */
  private static void report(Job job, JobReport.Kind kind, String workerId, JobReport.Verdict v) {
    job.reports.add(new JobReport(job.jobId, kind, workerId, v, job.status, Instant.now()));
  }

  /** Records a report refused because its sender did not hold the job; changes nothing else. */
  private void refused(String jobId, JobReport.Kind kind, String workerId) {
    Job job = jobs.get(jobId);
    JobReport report =
        new JobReport(
            jobId,
            kind,
            workerId,
            JobReport.Verdict.REFUSED,
            job == null ? null : job.status,
            Instant.now());
    if (job != null) {
      job.reports.add(report);
    }
    refusedReports.add(report);
    LOG.warn(
        "worker {}: {} report for {} refused (job {}): the worker does not hold it",
        workerId,
        kind.name().toLowerCase(java.util.Locale.ROOT),
        jobId,
        job == null ? "unknown" : job.status.wireName());
    signal.changed();
  }

  private void notHeld(WorkerSocket socket, String type, String jobId) {
    LOG.warn("worker {}: {} for job {} that it does not hold", socket.workerId, type, jobId);
    fail(
        socket,
        ErrorCode.PROTOCOL_VIOLATION,
        type + " for job " + jobId + " that this worker does not hold");
  }

  /** The worker is done with the job: acknowledge, free the worker, offer the next job. */
  private void finished(WorkerSocket socket, Job job, StudioFrame ack) {
    socket.heldJobId = null;
    if (job.jobId.equals(socket.reportedJobId)) {
      socket.reportedJobId = null;
    }
    send(socket, ack);
    signal.changed();
    dispatch();
  }

  // ---------------------------------------------------------------- dispatch

  /** Offers queued jobs, oldest first, to eligible workers, earliest welcomed first. */
  private void dispatch() {
    if (offersPaused) {
      return;
    }
    for (Job job : jobs.values()) {
      if (job.status != JobStatus.QUEUED) {
        continue;
      }
      WorkerSocket worker =
          current.values().stream()
              .filter(socket -> eligible(socket, job))
              .min(Comparator.comparingLong(socket -> socket.welcomeOrder))
              .orElse(null);
      if (worker != null) {
        offer(worker, job);
      }
    }
  }

  private static boolean eligible(WorkerSocket socket, Job job) {
    Capabilities caps = socket.capabilities;
    Claim claim = job.claim;
    return socket.phase == WorkerSocket.Phase.LIVE
        && !socket.silent
        && socket.heldJobId == null
        && !socket.holdUntilHeartbeat
        && socket.reportedJobId == null
        && caps != null
        && caps.autoEnabled()
        && caps.taskKinds().contains(claim.task().kind())
        && caps.vramThresholdGb() >= claim.vramGbEstimate()
        && !job.excluded.contains(socket.workerId);
  }

  private void offer(WorkerSocket socket, Job job) {
    job.status = JobStatus.OFFERED;
    job.workerId = socket.workerId;
    socket.heldJobId = job.jobId;
    LOG.info("offering {} ({}) to worker {}", job.jobId, job.claim.task().kind(), socket.workerId);
    send(socket, new StudioFrame.Offer(job.claim));
    signal.changed();
  }

  // ---------------------------------------------------------------- giving up on a socket

  /** Sends an error frame (unless silent) and closes with the error's close code. */
  private void fail(WorkerSocket socket, ErrorCode code, String message) {
    if (socket.phase == WorkerSocket.Phase.CLOSED) {
      return;
    }
    LOG.info(
        "worker {}: {} ({}), closing connection {} with {}",
        socket.workerId,
        code.wireName(),
        message,
        socket.connection,
        code.closeCode());
    send(socket, new StudioFrame.Error(code, message));
    detach(socket);
    closeOrAbort(socket, code.closeCode(), message);
  }

  /** A silent socket is one the studio treats as half-open: no close frame goes through it. */
  private static void closeOrAbort(WorkerSocket socket, int code, String reason) {
    if (socket.silent) {
      socket.abort();
    } else {
      socket.close(code, reason);
    }
  }

  /** Forgets the socket and puts back the job it held. */
  private void detach(WorkerSocket socket) {
    if (socket.phase == WorkerSocket.Phase.CLOSED) {
      return;
    }
    socket.phase = WorkerSocket.Phase.CLOSED;
    sockets.remove(socket);
    current.remove(socket.workerId, socket);
    String jobId = socket.heldJobId;
    socket.heldJobId = null;
    if (jobId != null) {
      Job job = jobs.get(jobId);
      if (job != null && job.isHeldBy(socket.workerId)) {
        job.requeue();
        LOG.info("worker {} lost its connection holding {}; requeued", socket.workerId, jobId);
      }
    }
    signal.changed();
    dispatch();
  }

  private void closeSilentSockets() {
    lock.lock();
    try {
      long now = System.nanoTime();
      long limit = options.silenceTimeout().toNanos();
      for (WorkerSocket socket : List.copyOf(sockets)) {
        if (now - socket.lastFrameNanos > limit) {
          LOG.warn(
              "worker {}: no frame for {} ms, closing connection {}",
              socket.workerId,
              options.silenceTimeout().toMillis(),
              socket.connection);
          detach(socket);
          closeOrAbort(
              socket,
              CloseCodes.NORMAL,
              "no frame for " + options.silenceTimeout().toMillis() + " ms");
        }
      }
    } catch (RuntimeException e) {
      LOG.error("silence check failed", e);
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------- sending and recording

  private void send(WorkerSocket socket, StudioFrame frame) {
    if (socket.silent) {
      return;
    }
    String text = codec.encode(frame);
    record(socket, WireFrame.Direction.SENT, frame.type(), text, false);
    socket.sendText(text);
  }

  private void record(
      WorkerSocket socket,
      WireFrame.Direction direction,
      String type,
      String text,
      boolean ignored) {
    String kept =
        text.length() > options.maxRecordedChars()
            ? text.substring(0, options.maxRecordedChars())
            : text;
    frames
        .computeIfAbsent(socket.workerId, id -> new BoundedList<>(options.maxRecordedFrames()))
        .add(
            new WireFrame(
                socket.workerId, socket.connection, direction, Instant.now(), type, kept, ignored));
  }

  // ---------------------------------------------------------------- jobs, from the API

  String submit(Claim template) {
    lock.lock();
    try {
      if (jobs.size() >= options.maxJobs()) {
        Iterator<Job> it = jobs.values().iterator();
        boolean freed = false;
        while (it.hasNext()) {
          if (it.next().status.isTerminal()) {
            it.remove();
            freed = true;
            break;
          }
        }
        if (!freed) {
          throw new IllegalStateException(
              "the job table is full (" + options.maxJobs() + " unfinished jobs)");
        }
      }
      String jobId = Secrets.newId("job-");
      Claim claim =
          new Claim(
              jobId,
              template.gameId(),
              template.assetName(),
              template.model(),
              template.vramGbEstimate(),
              template.task(),
              template.modelSource());
      jobs.put(jobId, new Job(jobId, claim, Instant.now()));
      LOG.info("job {} queued ({}, model {})", jobId, claim.task().kind(), claim.model());
      signal.changed();
      dispatch();
      return jobId;
    } finally {
      lock.unlock();
    }
  }

  Optional<JobSnapshot> job(String jobId) {
    lock.lock();
    try {
      Job job = jobs.get(jobId);
      return job == null ? Optional.empty() : Optional.of(job.snapshot());
    } finally {
      lock.unlock();
    }
  }

  List<JobSnapshot> jobs() {
    lock.lock();
    try {
      return jobs.values().stream().map(Job::snapshot).toList();
    } finally {
      lock.unlock();
    }
  }

  Optional<StoredResult> result(String jobId) {
    lock.lock();
    try {
      Job job = jobs.get(jobId);
      if (job == null || job.bytes == null || job.contentType == null) {
        return Optional.empty();
      }
      return Optional.of(new StoredResult(job.bytes, job.contentType));
    } finally {
      lock.unlock();
    }
  }

  /** Whether the worker holds the job now (the multipart route checks this before reading). */
  boolean holds(String workerId, String jobId) {
    lock.lock();
    try {
      Job job = jobs.get(jobId);
      return job != null && job.isHeldBy(workerId);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stores a binary result uploaded by the worker holding the job, acknowledges it over the
   * worker's socket and offers the next job. Answers false when the worker does not hold the job.
   */
  boolean completeUpload(
      String workerId, String jobId, String prompt, String ext, byte[] bytes, String contentType) {
    lock.lock();
    try {
      Job job = jobs.get(jobId);
      if (job == null || !job.isHeldBy(workerId)) {
        refused(jobId, JobReport.Kind.UPLOAD, workerId);
        return false;
      }
      report(job, JobReport.Kind.UPLOAD, workerId, JobReport.Verdict.COMPLETED);
      job.bytes = bytes;
      job.contentType = contentType;
      job.prompt = prompt;
      job.ext = ext;
      job.status = JobStatus.COMPLETED;
      LOG.info(
          "worker {} completed {} ({} bytes of {})", workerId, jobId, bytes.length, contentType);
      WorkerSocket socket = current.get(workerId);
      if (socket != null && jobId.equals(socket.heldJobId)) {
        finished(socket, job, new StudioFrame.CompleteAck(jobId));
      } else {
        signal.changed();
        dispatch();
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Records an upload refused before its body was read, because the worker does not hold the job.
   */
  void uploadRefused(String workerId, String jobId) {
    lock.lock();
    try {
      refused(jobId, JobReport.Kind.UPLOAD, workerId);
    } finally {
      lock.unlock();
    }
  }

  List<JobReport> refusedReports() {
    lock.lock();
    try {
      return refusedReports.snapshot();
    } finally {
      lock.unlock();
    }
  }

  void pauseOffers(boolean paused) {
    lock.lock();
    try {
      offersPaused = paused;
      LOG.info(paused ? "offers paused" : "offers resumed");
      signal.changed();
      dispatch();
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------- workers, from the API

  List<WorkerSnapshot> connectedWorkers() {
    lock.lock();
    try {
      List<WorkerSnapshot> out = new ArrayList<>();
      for (WorkerSocket s : current.values()) {
        out.add(snapshot(s));
      }
      out.sort(Comparator.comparingInt(WorkerSnapshot::connection));
      return out;
    } finally {
      lock.unlock();
    }
  }

  Optional<WorkerSnapshot> worker(String workerId) {
    lock.lock();
    try {
      WorkerSocket socket = current.get(workerId);
      return socket == null ? Optional.empty() : Optional.of(snapshot(socket));
    } finally {
      lock.unlock();
    }
  }

  private static WorkerSnapshot snapshot(WorkerSocket s) {
    return new WorkerSnapshot(
        s.workerId,
        s.connection,
        s.connectedAt,
        s.phase == WorkerSocket.Phase.LIVE,
        s.capabilities,
        s.lastHeartbeatAt,
        s.heldJobId,
        s.silent);
  }

  List<LogEntry> logs(String workerId) {
    lock.lock();
    try {
      BoundedList<LogEntry> list = logs.get(workerId);
      return list == null ? List.of() : list.snapshot();
    } finally {
      lock.unlock();
    }
  }

  List<WireFrame> frames(String workerId) {
    lock.lock();
    try {
      BoundedList<WireFrame> list = frames.get(workerId);
      return list == null ? List.of() : list.snapshot();
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------- faults, from the API

  /** Drops every socket without a close frame, as a studio crash would. */
  void dropAll() {
    lock.lock();
    try {
      for (WorkerSocket socket : List.copyOf(sockets)) {
        LOG.info("dropping worker {} (connection {})", socket.workerId, socket.connection);
        detach(socket);
        socket.abort();
      }
    } finally {
      lock.unlock();
    }
  }

  boolean drop(String workerId) {
    lock.lock();
    try {
      WorkerSocket socket = current.get(workerId);
      if (socket == null) {
        return false;
      }
      LOG.info("dropping worker {} (connection {})", workerId, socket.connection);
      detach(socket);
      socket.abort();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Closes every socket with 1001 (going away), for a clean shutdown; answers those sockets. */
  List<WorkerSocket> closeAll() {
    lock.lock();
    try {
      List<WorkerSocket> closing = List.copyOf(sockets);
      for (WorkerSocket socket : closing) {
        detach(socket);
        socket.close(1001, "studio shutting down");
      }
      return closing;
    } finally {
      lock.unlock();
    }
  }

  boolean setSilent(String workerId, boolean silent) {
    lock.lock();
    try {
      WorkerSocket socket = current.get(workerId);
      if (socket == null) {
        return false;
      }
      socket.silent = silent;
      if (!silent) {
        socket.lastFrameNanos = System.nanoTime();
      }
      LOG.info("worker {}: studio {}", workerId, silent ? "goes silent" : "talks again");
      signal.changed();
      dispatch();
      return true;
    } finally {
      lock.unlock();
    }
  }

  boolean sendRawText(String workerId, String text) {
    lock.lock();
    try {
      WorkerSocket socket = current.get(workerId);
      if (socket == null) {
        return false;
      }
      record(socket, WireFrame.Direction.SENT, "raw", text, false);
      socket.sendText(text);
      return true;
    } finally {
      lock.unlock();
    }
  }

  boolean sendRawBinary(String workerId, byte[] bytes) {
    lock.lock();
    try {
      WorkerSocket socket = current.get(workerId);
      if (socket == null) {
        return false;
      }
      record(socket, WireFrame.Direction.SENT, "binary", bytes.length + " bytes", false);
      socket.sendBinary(bytes);
      return true;
    } finally {
      lock.unlock();
    }
  }

  boolean sendFrame(String workerId, StudioFrame frame) {
    lock.lock();
    try {
      WorkerSocket socket = current.get(workerId);
      if (socket == null) {
        return false;
      }
      if (frame instanceof StudioFrame.Error error) {
        fail(socket, error.code(), error.message());
      } else {
        String text = codec.encode(frame);
        record(socket, WireFrame.Direction.SENT, frame.type(), text, false);
        socket.sendText(text);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Closes the worker's socket with worker_deleted, when it has one. */
  void deleted(String workerId) {
    lock.lock();
    try {
      WorkerSocket socket = current.get(workerId);
      if (socket != null) {
        fail(socket, ErrorCode.WORKER_DELETED, "the operator deleted this worker");
      }
    } finally {
      lock.unlock();
    }
  }
}
