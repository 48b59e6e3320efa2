package org.studioworker.devstudio;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.MultiPart;
import org.eclipse.jetty.http.MultiPartFormData;
import org.eclipse.jetty.io.Content;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.studioworker.protocol.FrameCodec;
import org.studioworker.protocol.FrameDecodeException;
import org.studioworker.protocol.Registration;

/**
 * The routes a worker calls (PROTOCOL.md §1–2 and §4 step 5): {@code register-request}, the poll,
 * and the multipart {@code complete} upload. Each consults the fault counters first.
 *
 * <p>Thread-safe; the upload blocks while it reads the body. A stalled upload does not hold a Jetty
 * thread: the timer drops its connection when the hold is over.
 */
final class WorkerRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerRoutes.class);

  static final String PREFIX = "/graphics/api/workers";

  /** Why 30 s? The body is already in memory; parsing it is a formality that must not hang. */
  private static final long PARSE_TIMEOUT_SECONDS = 30;

  private final FrameCodec codec;
  private final DevJson json;
  private final Registrations registrations;
  private final SessionHub hub;
  private final Faults faults;
  private final RateLimiter rateLimiter;
  private final long maxBodyBytes;
  private final ScheduledExecutorService timer;

  WorkerRoutes(
      FrameCodec codec,
      DevJson json,
      Registrations registrations,
      SessionHub hub,
      Faults faults,
      RateLimiter rateLimiter,
      long maxBodyBytes,
      ScheduledExecutorService timer) {
    this.codec = codec;
    this.json = json;
    this.registrations = registrations;
    this.hub = hub;
    this.faults = faults;
    this.rateLimiter = rateLimiter;
    this.maxBodyBytes = maxBodyBytes;
    this.timer = timer;
  }

  List<Router.Route> routes() {
    return List.of(
        Router.Route.of("POST", PREFIX + "/register-request", this::registerRequest),
        Router.Route.of("GET", PREFIX + "/register-requests/([^/]+)", this::poll),
        Router.Route.of("GET", PREFIX + "/([^/]+)/connect", this::connectWithoutUpgrade),
        Router.Route.of("POST", PREFIX + "/([^/]+)/jobs/([^/]+)/complete", this::complete));
  }

  private void registerRequest(Exchange ex) {
    faults.registerRequestsSeen.incrementAndGet();
    if (faults.registerRequests503.take()) {
      throw new HttpProblem(503, "injected fault: service unavailable");
    }
    if (faults.registerRequests500.take()) {
      throw new HttpProblem(500, "injected fault");
    }
    if (!rateLimiter.tryAcquire(ex.remoteAddress(), System.nanoTime())) {
      throw new HttpProblem(429, "too many registration requests from this address; try later");
    }
    Registration.Request body;
    try {
      body = codec.decodeRegistrationRequest(ex.bodyText());
    } catch (FrameDecodeException e) {
      throw new HttpProblem(400, "bad register-request body: " + e.getMessage());
    }
    if (!Secrets.isSha256Hex(body.registrationSecretHash())) {
      throw new HttpProblem(
          400, "registrationSecretHash must be 64 lowercase hex characters (SHA-256)");
    }
    String requestId;
    try {
      requestId = registrations.request(body, Instant.now());
    } catch (IllegalStateException e) {
      throw new HttpProblem(503, e.getMessage());
    }
    ex.json(200, codec.encode(new Registration.Accepted(requestId, "pending")));
  }

  private void poll(Exchange ex) {
    faults.pollsSeen.incrementAndGet();
    if (faults.polls503.take()) {
      throw new HttpProblem(503, "injected fault: service unavailable");
    }
    if (faults.polls500.take()) {
      throw new HttpProblem(500, "injected fault");
    }
    if (faults.polls404.take()) {
      throw new HttpProblem(404, "no such registration request (injected fault)");
    }
    switch (registrations.poll(ex.param(1), ex.bearer())) {
      case Registrations.Poll.NotFound ignored ->
          throw new HttpProblem(404, "no such registration request");
      case Registrations.Poll.Unauthorized ignored ->
          throw new HttpProblem(401, "the bearer is not this request's registration secret");
      case Registrations.Poll.Found found -> ex.json(200, codec.encode(found.status()));
    }
  }

  private void connectWithoutUpgrade(Exchange ex) {
    throw new HttpProblem(400, "this route is a WebSocket upgrade (protocol studio-worker-v1)");
  }

  private void complete(Exchange ex) {
    faults.completesSeen.incrementAndGet();
    if (faults.completes503.take()) {
      throw new HttpProblem(503, "injected fault: service unavailable");
    }
    if (faults.completes500.take()) {
      throw new HttpProblem(500, "injected fault");
    }
    if (faults.completes400.take()) {
      throw new HttpProblem(400, "injected fault");
    }
    String workerId = ex.param(1);
    String jobId = ex.param(2);
    if (faults.completesStalled.take()) {
      stall(ex, jobId, faults.stallHold.get());
      return;
    }
    if (!registrations.authenticate(workerId, ex.bearer())) {
      throw new HttpProblem(401, "bad or missing worker token");
    }
    if (!hub.holds(workerId, jobId)) {
      hub.uploadRefused(workerId, jobId);
      throw new HttpProblem(409, "worker " + workerId + " does not hold job " + jobId);
    }
    Upload upload = parse(ex, jobId);
    if (!hub.completeUpload(
        workerId, jobId, upload.prompt, upload.ext, upload.bytes, upload.contentType)) {
      throw new HttpProblem(409, "worker " + workerId + " does not hold job " + jobId);
    }
    if (faults.completeRepliesLost.take()) {
      // The result is stored and acknowledged over the socket; only the HTTP reply is lost.
      LOG.info("upload of {} stored; dropping its connection without a reply (injected)", jobId);
      ex.abortConnection("injected fault: reply lost");
      return;
    }
    ex.json(200, json.write(json.object().put("jobId", jobId).put("status", "completed")));
  }

  /**
   * Reads the whole upload, answers 200 with the first bytes of a JSON body that never comes, and
   * drops the connection once the hold is over. Nothing is stored.
   */
  private void stall(Exchange ex, String jobId, Duration hold) {
    ex.body();
    byte[] first = "{\"jobId\":".getBytes(StandardCharsets.UTF_8);
    LOG.info("upload of {} stalled for {} ms (injected)", jobId, hold.toMillis());
    // Why 64? Any length past the bytes sent keeps the client waiting for the rest.
    ex.begin(200, "application/json", first.length + 64L, first);
    timer.schedule(
        () -> {
          LOG.info("stalled upload of {}: hold over, dropping the connection", jobId);
          ex.abortConnection("injected fault: stall over");
        },
        hold.toNanos(),
        TimeUnit.NANOSECONDS);
  }

  private record Upload(String prompt, String ext, byte[] bytes, String contentType) {}

  private Upload parse(Exchange ex, String jobId) {
    String contentType = ex.contentType();
    String boundary = contentType == null ? null : MultiPart.extractBoundary(contentType);
    if (contentType == null
        || !contentType.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/form-data")
        || boundary == null
        || boundary.isEmpty()) {
      throw new HttpProblem(400, "the body must be multipart/form-data with a boundary");
    }
    byte[] body = ex.body();
    MultiPartFormData.Parser parser = new MultiPartFormData.Parser(boundary);
    parser.setMaxMemoryFileSize(maxBodyBytes);
    parser.setMaxLength(maxBodyBytes);
    parser.setMaxParts(16);
    parser.setUseFilesForPartsWithoutFileName(false);
    try (MultiPartFormData.Parts parts =
        parser
            .parse(Content.Source.from(ByteBuffer.wrap(body)))
            .get(PARSE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      String prompt = text(parts, "prompt");
      String ext = text(parts, "ext");
      MultiPart.Part image = parts.getFirst("image");
      if (image == null) {
        throw new HttpProblem(400, "the file part \"image\" is missing");
      }
      String expected = jobId + "." + ext;
      if (!expected.equals(image.getFileName())) {
        throw new HttpProblem(
            400,
            "the file part \"image\" must be named " + expected + ", not " + image.getFileName());
      }
      String type = image.getHeaders().get(HttpHeader.CONTENT_TYPE);
      ByteBuffer content = Content.Source.asByteBuffer(image.getContentSource());
      byte[] bytes = new byte[content.remaining()];
      content.get(bytes);
      return new Upload(
          prompt, ext, bytes, type == null || type.isBlank() ? "application/octet-stream" : type);
    } catch (ExecutionException | TimeoutException | java.io.IOException e) {
      LOG.info("unreadable multipart upload for {}: {}", jobId, e.toString());
      throw new HttpProblem(400, "the multipart body does not parse");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HttpProblem(503, "interrupted");
    } catch (NoSuchElementException e) {
      throw new HttpProblem(400, e.getMessage());
    }
  }

  private static String text(MultiPartFormData.Parts parts, String name) {
    MultiPart.@Nullable Part part = parts.getFirst(name);
    if (part == null) {
      throw new NoSuchElementException("the text part \"" + name + "\" is missing");
    }
    return part.getContentAsString(StandardCharsets.UTF_8);
  }
}
