package org.studioworker.spi.net;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.Flow;
import org.studioworker.spi.ExecutorException;

/**
 * Downloads a job's inputs (an init image, a mask, a reference picture), into memory or into a
 * folder, where each is named by the SHA-256 of its content and the extension its first bytes show.
 *
 * <p>Only https, or http to a loopback address (the reference studio), and at most {@code maxBytes}
 * a file. An inline {@code data:} URL (RFC 2397, base64 or percent-encoded; a local caller's image)
 * is decoded here with no network, the same cap applying to its decoded bytes; one whose encoded
 * length already implies more is refused before it is decoded, and messages show it only as {@code
 * data:<type>/<subtype>,…}. Every exchange is bounded: the headers must come within the request
 * timeout, and then a body that sends no byte for the idle timeout fails the download (the request
 * timeout alone covers only the headers, so a server that went quiet mid-body would hold the job
 * for ever). HTTP/1.1 only: on a cleartext request the JDK client would otherwise offer {@code
 * Upgrade: h2c}, which Node servers and some proxies refuse. Error messages name the URL without
 * its query, which may carry a signature. Blocks while downloading; the wait is interruptible.
 * Thread-safe.
 */
public final class InputDownloads {
  /** Why 32 MiB? A 4096×4096 RGBA PNG without compression is 64 MiB; real inputs are far below. */
  public static final long DEFAULT_MAX_BYTES = 32L << 20;

  /** Why 60 s? A slow link still sends a packet every few seconds; a minute of nothing is dead. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);

  private final HttpClient http;
  private final long maxBytes;
  private final Duration headerTimeout;
  private final Duration idleTimeout;

  /**
   * A downloader on {@code http}.
   *
   * @param http the client; {@link #client()} is the one to use outside tests
   * @param maxBytes the most bytes one download may have
   * @param headerTimeout how long a request waits for the response headers
   * @param idleTimeout how long the body may send nothing
   */
  public InputDownloads(
      HttpClient http, long maxBytes, Duration headerTimeout, Duration idleTimeout) {
    this.http = http;
    this.maxBytes = maxBytes;
    this.headerTimeout = headerTimeout;
    this.idleTimeout = idleTimeout;
  }

  /**
   * A downloader with its own {@link #client()}, 2 minutes for the headers, 60 s idle.
   *
   * @param maxBytes the most bytes one download may have; {@link #DEFAULT_MAX_BYTES} is 32 MiB
   * @return the downloader
   */
  public static InputDownloads create(long maxBytes) {
    return new InputDownloads(client(), maxBytes, Duration.ofMinutes(2), DEFAULT_IDLE_TIMEOUT);
  }

  /**
   * The client: HTTP/1.1, redirects only to as secure or more, 15 s to connect.
   *
   * @return a new client
   */
  public static HttpClient client() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NORMAL)
        .connectTimeout(Duration.ofSeconds(15))
        .build();
  }

  /**
   * Downloads {@code url} into memory and returns its bytes.
   *
   * @param what what the input is for ({@code initImageUrl}), for messages
   * @param url an https URL, or http to a loopback address; a redirect must land on one too; or a
   *     {@code data:} URL
   * @return the body, never empty
   * @throws ExecutorException when the URL is refused or the download fails, stalls, answers other
   *     than 200, is empty or is too large; when a data URL is malformed ({@code <what> is not a
   *     valid data: URL}), empty or too large
   * @throws InterruptedException when the job is cancelled while downloading
   */
  public byte[] fetch(String what, String url) throws ExecutorException, InterruptedException {
    if (DataUrl.is(url)) {
      byte[] data = DataUrl.decode(what, url, maxBytes);
      if (data.length == 0) {
        throw new ExecutorException(what + " " + DataUrl.shown(url) + " is empty");
      }
      return data;
    }
    URI uri = checked(what, url);
    String shown = shown(uri);
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(headerTimeout).GET().build();
    byte[] body;
    try {
      HttpResponse<Flow.Publisher<List<ByteBuffer>>> response =
          http.send(request, HttpResponse.BodyHandlers.ofPublisher());
      // Subscribed at once, so that every way out below (close) cancels the exchange.
      try (BodyStream in = BodyStream.of(response.body(), idleTimeout, maxBytes)) {
        URI landed = response.uri();
        if (!landed.equals(uri)) {
          checked(what, landed.toString());
        }
        if (response.statusCode() != 200) {
          throw new ExecutorException(
              what + " " + shown + " answered HTTP " + response.statusCode());
        }
        OptionalLong length = response.headers().firstValueAsLong("Content-Length");
        if (length.isPresent() && length.getAsLong() > maxBytes) {
          throw tooLarge(what, shown);
        }
        body = in.readAllBounded();
      }
    } catch (BodyStream.TooLargeException e) {
      throw tooLarge(what, shown);
    } catch (BodyStream.StalledException e) {
      throw new ExecutorException(
          what + " " + shown + " stalled: no data for " + shown(idleTimeout) + " mid-download", e);
    } catch (InterruptedIOException e) {
      // The job was cancelled: the interrupt, which BodyStream kept set, becomes the exception.
      Thread.interrupted();
      throw new InterruptedException("the job was cancelled while downloading " + what);
    } catch (IOException e) {
      throw new ExecutorException(
          "could not download " + what + " " + shown + ": " + e.getClass().getSimpleName(), e);
    }
    if (body.length == 0) {
      throw new ExecutorException(what + " " + shown + " is empty");
    }
    return body;
  }

  /**
   * Downloads {@code url} into {@code folder} as {@code <sha256>.<ext>} and returns the file; a
   * file of that name already there is kept as it is.
   *
   * @param what what the input is for ({@code initImageUrl}), for messages
   * @param url an https URL, or http to a loopback address; a redirect must land on one too; or a
   *     {@code data:} URL
   * @param folder where to store it; created when missing
   * @return the stored file
   * @throws ExecutorException when the URL is refused, the download fails, stalls, answers other
   *     than 200, is empty or is too large, or the file cannot be written
   * @throws InterruptedException when the job is cancelled while downloading
   */
  public Path fetch(String what, String url, Path folder)
      throws ExecutorException, InterruptedException {
    byte[] body = fetch(what, url);
    Path file = folder.resolve(sha256(body) + "." + extension(body));
    try {
      Files.createDirectories(folder);
      if (!Files.exists(file)) {
        Files.write(file, body);
      }
    } catch (IOException e) {
      throw new ExecutorException("could not store " + what + " in " + folder, e);
    }
    return file;
  }

  /**
   * The extension the first bytes show: png, jpg, webp, gif, bmp, or img when unknown.
   *
   * @param data the file's content, or its first bytes (12 are enough)
   * @return the extension, without a dot
   */
  public static String extension(byte[] data) {
    if (startsWith(data, 0x89, 'P', 'N', 'G')) {
      return "png";
    }
    if (startsWith(data, 0xFF, 0xD8, 0xFF)) {
      return "jpg";
    }
    if (data.length >= 12
        && startsWith(data, 'R', 'I', 'F', 'F')
        && data[8] == 'W'
        && data[9] == 'E'
        && data[10] == 'B'
        && data[11] == 'P') {
      return "webp";
    }
    if (startsWith(data, 'G', 'I', 'F', '8')) {
      return "gif";
    }
    if (startsWith(data, 'B', 'M')) {
      return "bmp";
    }
    return "img";
  }

  private static boolean startsWith(byte[] data, int... prefix) {
    if (data.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if ((data[i] & 0xFF) != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private ExecutorException tooLarge(String what, String shown) {
    return new ExecutorException(
        what + " " + shown + " is larger than the limit of " + (maxBytes >> 10) + " KiB");
  }

  /** The URI, if it is https, or http to a loopback address. */
  private static URI checked(String what, String url) throws ExecutorException {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new ExecutorException(what + " is not a valid URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      throw new ExecutorException(what + " has no host: " + shown(uri));
    }
    if (scheme.equals("https")) {
      return uri;
    }
    if (scheme.equals("http") && isLoopback(host)) {
      return uri;
    }
    throw new ExecutorException(
        what
            + " must be an https URL (http only on a loopback address) or a data: URL, not "
            + shown(uri));
  }

  private static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException | SecurityException e) {
      return false;
    }
  }

  /** A timeout for a message: {@code 60 s}, or {@code 300 ms} below a second. */
  private static String shown(Duration timeout) {
    return timeout.toMillis() >= 1000 && timeout.toMillis() % 1000 == 0
        ? timeout.toSeconds() + " s"
        : timeout.toMillis() + " ms";
  }

  /**
   * The URL without user info, query or fragment, which may carry a signature: the form for
   * messages and logs. A {@code data:} URL shows only its media type, {@code data:<type>,…}.
   *
   * @param uri the URL
   * @return scheme, host, port and path; for a data URL, {@code data:} and its media type
   */
  public static String shown(URI uri) {
    if ("data".equalsIgnoreCase(uri.getScheme())) {
      return DataUrl.shown("data:" + uri.getRawSchemeSpecificPart());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme() + "://";
    String authority = uri.getRawAuthority() == null ? "" : uri.getRawAuthority();
    int at = authority.lastIndexOf('@');
    if (at >= 0) {
      authority = authority.substring(at + 1);
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    return scheme + authority + path;
  }

  private static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
