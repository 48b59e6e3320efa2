package org.studioworker.runtime.jobs;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Flow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.studioworker.runtime.config.StudioUrls;
import org.studioworker.runtime.http.BodyLimit;
import org.studioworker.runtime.http.StudioHttp;
import org.studioworker.runtime.status.Traffic;

/**
 * Uploads a binary result to the studio's multipart {@code complete} route (PROTOCOL.md §4.5).
 *
 * <p>Retries on 5xx and transport errors after each pause of the schedule (1 s, then 2 s), never on
 * 4xx. Every attempt is one bounded exchange: the request timeout plus one second per 256 KiB of
 * body, for sending the body and reading the whole reply (a studio that stalls mid-reply cannot
 * hold the job slot). Blocks the job's thread while uploading; an interrupt cancels the upload at
 * once. Thread-safe.
 *
 * <p>Never holds the result twice: the body is the multipart head, the result (the caller's array,
 * or the file read from disk as the connection pulls it) and the multipart tail, sent with its
 * exact {@code Content-Length}; a result of any size uploads within a small, flat heap.
 *
 * <p>Counts into {@link Traffic} the body bytes each attempt hands to the connection and each
 * retry.
 *
 * <p>A retry after an attempt that may have landed (a transport error, a timeout, a 5xx) can be
 * answered 409: the studio stored the first upload but its reply was lost. That, and a 409 or 410
 * at any attempt (the studio no longer assigns the job to this worker), is {@link Superseded}, not
 * a failure: a {@code fail} for a job the studio does not assign to us is a protocol violation.
 */
public final class ResultUploader {
  private static final Logger log = LoggerFactory.getLogger("jobs");

  /** Longest reply body read. */
  private static final int MAX_REPLY = 64 * 1024;

  /** How an upload ended. */
  public sealed interface Outcome {}

  /** Why 256 KiB/s? A slow uplink still fits; a stalled one is given up within minutes. */
  private static final int BYTES_PER_MILLI = 256;

  /** The studio stored the result. */
  public record Delivered(int attempts) implements Outcome {}

  /**
   * The studio already holds the result (an earlier attempt landed) or no longer assigns the job to
   * this worker; nothing more may be reported for it. {@code why} is safe to log.
   */
  public record Superseded(String why) implements Outcome {}

  /** The upload failed for good; {@code why} is safe to send and log. */
  public record Failed(String why) implements Outcome {}

  private final HttpClient http;
  private final URI apiBase;
  private final Duration requestTimeout;
  private final List<Duration> retryPauses;
  private final Traffic traffic;
  private final SecureRandom random = new SecureRandom();

  /** An uploader for one studio, counting what it sends into {@code traffic}. */
  public ResultUploader(
      HttpClient http,
      URI apiBase,
      Duration requestTimeout,
      List<Duration> retryPauses,
      Traffic traffic) {
    this.http = http;
    this.apiBase = apiBase;
    this.requestTimeout = requestTimeout;
    this.retryPauses = List.copyOf(retryPauses);
    this.traffic = traffic;
  }

  /** The MIME type of an extension, as the contract lists them. */
  public static String mimeType(String ext) {
    return switch (ext.toLowerCase(Locale.ROOT)) {
      case "png" -> "image/png";
      case "webp" -> "image/webp";
      case "gif" -> "image/gif";
      case "wav" -> "audio/wav";
      case "mp3" -> "audio/mpeg";
      case "mp4" -> "video/mp4";
      default -> "application/octet-stream";
    };
  }

  /**
   * Uploads one result held in memory.
   *
   * @param prompt the FULL prompt of the job
   * @throws InterruptedException when the job is cancelled while uploading or pausing
   */
  public Outcome upload(
      String workerId, String authToken, String jobId, String prompt, String ext, byte[] bytes)
      throws InterruptedException {
    return upload(workerId, authToken, jobId, prompt, ext, streamed(bytes));
  }

  /**
   * The bytes as the connection pulls them, a chunk at a time. Why not {@code ofByteArray}? It
   * copies the whole array into buffers of its own at every attempt.
   */
  private static HttpRequest.BodyPublisher streamed(byte[] bytes) {
    if (bytes.length == 0) {
      return HttpRequest.BodyPublishers.noBody();
    }
    return HttpRequest.BodyPublishers.fromPublisher(
        HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes)),
        bytes.length);
  }

  /**
   * Uploads one result from a file, streamed from disk: the body is the multipart head, the file,
   * and the multipart tail, with no copy of the file in memory. Each attempt reads the file again
   * from its start. Leaves the file where it is (its owner deletes it).
   *
   * @param prompt the FULL prompt of the job
   * @throws InterruptedException when the job is cancelled while uploading or pausing
   */
  public Outcome upload(
      String workerId, String authToken, String jobId, String prompt, String ext, Path file)
      throws InterruptedException {
    HttpRequest.BodyPublisher payload;
    try {
      // Opens nothing yet: each attempt opens the file when the connection starts pulling the body.
      payload = HttpRequest.BodyPublishers.ofFile(file);
    } catch (FileNotFoundException e) {
      return new Failed("the engine's result file is missing or cannot be read");
    }
    if (payload.contentLength() < 0) {
      return new Failed("the size of the engine's result file cannot be read");
    }
    return upload(workerId, authToken, jobId, prompt, ext, payload);
  }

  private Outcome upload(
      String workerId,
      String authToken,
      String jobId,
      String prompt,
      String ext,
      HttpRequest.BodyPublisher payload)
      throws InterruptedException {
    String boundary = "studio-worker-" + HexFormat.of().formatHex(randomBytes());
    byte[] head = head(boundary, jobId, prompt, ext);
    byte[] tail = tail(boundary);
    // Each publisher has a known length, and so has their concatenation: the request goes out with
    // its exact Content-Length. Every attempt subscribes again: the file is opened and read anew.
    HttpRequest.BodyPublisher body =
        HttpRequest.BodyPublishers.concat(
            HttpRequest.BodyPublishers.ofByteArray(head),
            payload,
            HttpRequest.BodyPublishers.ofByteArray(tail));
    long length = Math.max(0, body.contentLength());
    Duration deadline = requestTimeout.plusMillis(length / BYTES_PER_MILLI);
    HttpRequest request =
        HttpRequest.newBuilder(StudioUrls.complete(apiBase, workerId, jobId))
            // The client's own timeout runs until the reply's headers, the body's sending included:
            // a large body needs the whole deadline, which StudioHttp.exchange enforces anyway.
            .timeout(deadline)
            .header("Authorization", "Bearer " + authToken)
            .header("Content-Type", "multipart/form-data; boundary=" + boundary)
            .POST(counted(body))
            .build();
    String lastError = "not attempted";
    boolean mayHaveLanded = false;
    for (int attempt = 1; attempt <= retryPauses.size() + 1; attempt++) {
      if (attempt > 1) {
        Duration pause = retryPauses.get(attempt - 2);
        log.warn(
            "upload of job {} failed ({}); retry {} of {} in {} ms",
            jobId,
            lastError,
            attempt - 1,
            retryPauses.size(),
            pause.toMillis());
        Thread.sleep(pause);
        traffic.uploadRetried();
      }
      try {
        HttpResponse<String> response =
            StudioHttp.exchange(
                http, request, BodyLimit.ofString(MAX_REPLY), deadline, () -> false);
        int status = response.statusCode();
        if (status / 100 == 2) {
          return new Delivered(attempt);
        }
        lastError = "HTTP " + status;
        if (status == 409 || status == 410 || (status == 404 && mayHaveLanded)) {
          return new Superseded(
              mayHaveLanded
                  ? "the studio answered HTTP "
                      + status
                      + " to a retry: an earlier attempt landed and its reply was lost, or the job"
                      + " was given to another worker"
                  : "the studio no longer assigns this job to this worker (HTTP " + status + ")");
        }
        if (status / 100 == 4) {
          return new Failed("the studio refused the upload with HTTP " + status);
        }
        mayHaveLanded = true;
      } catch (IOException e) {
        lastError = StudioHttp.describe(e, request.uri());
        mayHaveLanded = true;
      }
    }
    return new Failed(
        "upload failed after " + (retryPauses.size() + 1) + " attempts: " + lastError);
  }

  /**
   * The body as the connection pulls it, counting each chunk: an attempt that never connects counts
   * nothing, one that breaks off counts what went out before.
   */
  private HttpRequest.BodyPublisher counted(HttpRequest.BodyPublisher body) {
    return new HttpRequest.BodyPublisher() {
      @Override
      public long contentLength() {
        return body.contentLength();
      }

      @Override
      public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
        body.subscribe(
            new Flow.Subscriber<ByteBuffer>() {
              @Override
              public void onSubscribe(Flow.Subscription subscription) {
                subscriber.onSubscribe(subscription);
              }

              @Override
              public void onNext(ByteBuffer chunk) {
                traffic.uploaded(chunk.remaining());
                subscriber.onNext(chunk);
              }

              @Override
              public void onError(Throwable error) {
                subscriber.onError(error);
              }

              @Override
              public void onComplete() {
                subscriber.onComplete();
              }
            });
      }
    };
  }

  private byte[] randomBytes() {
    byte[] bytes = new byte[12];
    random.nextBytes(bytes);
    return bytes;
  }

  /** The multipart body up to the file's bytes: the prompt and ext parts, the file part's head. */
  static byte[] head(String boundary, String jobId, String prompt, String ext) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(prompt.length() + 512);
    textPart(out, boundary, "prompt", prompt);
    textPart(out, boundary, "ext", ext);
    write(
        out,
        "--"
            + boundary
            + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\""
            + jobId.replaceAll("[\"\\\\\r\n]", "_")
            + "."
            + ext
            + "\"\r\nContent-Type: "
            + mimeType(ext)
            + "\r\n\r\n");
    return out.toByteArray();
  }

  /** The multipart body after the file's bytes. */
  static byte[] tail(String boundary) {
    return ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
  }

  private static void textPart(
      ByteArrayOutputStream out, String boundary, String name, String value) {
    write(
        out,
        "--"
            + boundary
            + "\r\nContent-Disposition: form-data; name=\""
            + name
            + "\"\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n"
            + value
            + "\r\n");
  }

  private static void write(ByteArrayOutputStream out, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    out.write(bytes, 0, bytes.length);
  }
}
