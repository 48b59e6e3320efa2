package org.studioworker.runtime.registration;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.studioworker.protocol.FrameCodec;
import org.studioworker.protocol.FrameDecodeException;
import org.studioworker.protocol.Registration;
import org.studioworker.runtime.config.StudioUrls;
import org.studioworker.runtime.http.BodyLimit;
import org.studioworker.runtime.http.StudioHttp;

/**
 * The two registration calls over HTTP. Each call blocks up to the request timeout, for the whole
 * exchange (a reply that stalls mid-body counts), and gives up within 250 ms when {@code abandon}
 * turns true.
 *
 * <p>Thread-safe. The raw secret goes only into the poll's {@code Authorization} header.
 */
final class RegistrationClient {
  /** Longest reply body read; a real one is under 1 KiB. */
  private static final int MAX_BODY = 64 * 1024;

  /** The result of one call. */
  sealed interface Outcome {}

  /** {@code register-request} answered with a request id. */
  record Requested(String requestId) implements Outcome {}

  /** A poll answered with a status. */
  record Polled(Registration.Status status) implements Outcome {}

  /** 404 or 401 on a poll: the request is gone. */
  record Stale(int httpStatus) implements Outcome {}

  /** Transport error, 5xx, or another answer worth retrying later; {@code why} is safe to log. */
  record Unavailable(String why) implements Outcome {}

  private final HttpClient http;
  private final URI apiBase;
  private final FrameCodec codec;
  private final Duration timeout;

  RegistrationClient(HttpClient http, URI apiBase, FrameCodec codec, Duration timeout) {
    this.http = http;
    this.apiBase = apiBase;
    this.codec = codec;
    this.timeout = timeout;
  }

  Outcome request(Registration.Request body, BooleanSupplier abandon) throws InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(StudioUrls.registerRequest(apiBase))
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .header("User-Agent", body.userAgent())
            .POST(HttpRequest.BodyPublishers.ofString(codec.encode(body)))
            .build();
    HttpResponse<String> response;
    try {
      response = StudioHttp.exchange(http, request, BodyLimit.ofString(MAX_BODY), timeout, abandon);
    } catch (IOException e) {
      return new Unavailable(transport(e));
    }
    int status = response.statusCode();
    if (status / 100 != 2) {
      return new Unavailable("register-request answered HTTP " + status);
    }
    try {
      return new Requested(codec.decodeRegistrationAccepted(response.body()).requestId());
    } catch (FrameDecodeException e) {
      return new Unavailable("register-request reply did not decode: " + e.getMessage());
    }
  }

  Outcome poll(String requestId, String secret, BooleanSupplier abandon)
      throws InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(StudioUrls.registerPoll(apiBase, requestId))
            .timeout(timeout)
            .header("Authorization", "Bearer " + secret)
            .GET()
            .build();
    HttpResponse<String> response;
    try {
      response = StudioHttp.exchange(http, request, BodyLimit.ofString(MAX_BODY), timeout, abandon);
    } catch (IOException e) {
      return new Unavailable(transport(e));
    }
    int status = response.statusCode();
    if (status == 404 || status == 401) {
      return new Stale(status);
    }
    if (status / 100 != 2) {
      return new Unavailable("registration poll answered HTTP " + status);
    }
    try {
      return new Polled(codec.decodeRegistrationStatus(response.body()));
    } catch (FrameDecodeException e) {
      return new Unavailable("registration poll reply did not decode: " + e.getMessage());
    }
  }

  private String transport(IOException e) {
    return e instanceof StudioHttp.AbandonedException
        ? "the worker is stopping"
        : "cannot reach the studio: " + StudioHttp.describe(e, apiBase);
  }
}
