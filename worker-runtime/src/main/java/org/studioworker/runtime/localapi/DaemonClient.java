package org.studioworker.runtime.localapi;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.studioworker.protocol.LogLevel;
import org.studioworker.runtime.http.StudioHttp;
import org.studioworker.runtime.logs.Redactor;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The client of the running daemon's local API, for the command line and the desktop UI ({@code
 * docs/local-api-contract.md}): finds the daemon through {@code local-api.json} beside the config,
 * sends the bearer token from it, and turns every way of not getting an answer into a {@link
 * Problem} an operator can act on.
 *
 * <p>The discovery file is read again for every request, so that a client that outlives a daemon
 * ({@code logs -f}) finds its successor on a new port or with a new token. The token goes only to a
 * loopback address, is never part of a message, and is masked in anything printed.
 *
 * <p>Each call blocks for at most {@link #REQUEST_TIMEOUT}. Thread-safe: it holds no state but the
 * HTTP client, so a command and the desktop UI may share one across threads.
 */
public final class DaemonClient implements AutoCloseable {
  /**
   * Why 2 s? On loopback a live daemon accepts in well under a millisecond; a port that does not
   * refuse at once but never accepts is a daemon too stuck to answer anyway.
   */
  public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

  /** The whole exchange, body included; the largest answer (status) is tens of KB. */
  public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** Why 200? Enough for one error sentence; a whole HTML page is not worth printing. */
  private static final int MAX_ERROR_CHARS = 200;

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private final Path discoveryFile;
  private final BooleanSupplier abandon;
  private final HttpClient http = StudioHttp.client(CONNECT_TIMEOUT);

  /**
   * A client of the daemon of the config at {@code configPath}.
   *
   * @param abandon checked while a request is in flight; true gives the request up
   */
  public DaemonClient(Path configPath, BooleanSupplier abandon) {
    this.discoveryFile = Discovery.pathFor(configPath);
    this.abandon = abandon;
  }

  /** What asking the daemon gave: its answer, or why there is none. */
  public sealed interface Reply<T> {
    /** The daemon at {@code url} answered with {@code value}. */
    record Answer<T>(URI url, T value) implements Reply<T> {}

    /** No usable answer. */
    record Failure<T>(Problem problem) implements Reply<T> {}
  }

  /** Why there is no answer; {@link #message()} is one line, never the token. */
  public sealed interface Problem {
    String message();

    /** No discovery file: no daemon serves the local API for this config. */
    record NoDiscovery(Path file) implements Problem {
      @Override
      public String message() {
        return "no daemon is running for this config (no " + file + ")";
      }
    }

    /** The discovery file cannot be read, or names no loopback URL. */
    record BadDiscovery(String message) implements Problem {}

    /** Connection refused: the file is left from a daemon that did not stop cleanly. */
    record NotListening(URI url, Path file) implements Problem {
      @Override
      public String message() {
        return "the daemon is not running: nothing listens at "
            + url
            + " ("
            + file
            + " is stale, left by a daemon that did not stop cleanly)";
      }
    }

    /** The connection was made or tried, but no whole answer came (a timeout, a reset). */
    record NoAnswer(URI url, String why) implements Problem {
      @Override
      public String message() {
        return "no answer from the daemon at " + url + ": " + why;
      }
    }

    /** 401: whoever listens there does not take the token in the file. */
    record TokenRefused(URI url, Path file) implements Problem {
      @Override
      public String message() {
        return "the daemon at "
            + url
            + " refused the token in "
            + file
            + ": it is not that daemon's token (is the file stale, and another daemon holds the"
            + " port?)";
      }
    }

    /** Any other status but 2xx, with the {@code message} of the daemon's error body. */
    record ErrorAnswer(String route, int status, String text) implements Problem {
      @Override
      public String message() {
        return "the daemon answered " + route + " with " + status + ": " + text;
      }
    }

    /** A 2xx whose body is not the contract's JSON. */
    record BadAnswer(String route, String why) implements Problem {
      @Override
      public String message() {
        return "the daemon's answer to " + route + " is not the local API's: " + why;
      }
    }
  }

  /** One entry of the daemon's log ring. */
  public record LogLine(
      String ts, String level, String category, String message, @Nullable String jobId) {
    /**
     * The line as the daemon's console prints it ({@code logs/ConsoleLayout}): {@code <ts> <LEVEL>
     * <category>: [job <id>] <message>}, redacted.
     */
    public String render() {
      return ts
          + " "
          + String.format(Locale.ROOT, "%-5s", level)
          + " "
          + category
          + ": "
          + (jobId == null ? "" : "[job " + jobId + "] ")
          + Redactor.redact(message);
    }
  }

  /**
   * One answer of {@code GET /daemon/logs}.
   *
   * @param seq the sequence number of the daemon's newest entry
   */
  public record LogBatch(List<LogLine> entries, long seq) {
    /** Copies the list. */
    public LogBatch {
      entries = List.copyOf(entries);
    }
  }

  /** {@code GET /daemon/status}: the JSON object, read as is. */
  public Reply<JsonNode> status() throws InterruptedException {
    return send("GET", "/daemon/status", "GET /daemon/status", DaemonClient::object);
  }

  /** {@code GET /daemon/logs?after=<after>}. */
  public Reply<LogBatch> logs(long after) throws InterruptedException {
    return send("GET", "/daemon/logs?after=" + after, "GET /daemon/logs", DaemonClient::logBatch);
  }

  /** {@code POST /daemon/pause} or {@code /daemon/resume}; the answer is the new pause flag. */
  public Reply<Boolean> pause(boolean pause) throws InterruptedException {
    String path = pause ? "/daemon/pause" : "/daemon/resume";
    String route = "POST " + path;
    return send(
        "POST",
        path,
        route,
        body -> {
          JsonNode paused = object(body).get("paused");
          if (paused == null || !paused.isBoolean()) {
            throw new NotTheContract("no boolean \"paused\"");
          }
          if (paused.asBoolean() != pause) {
            throw new NotTheContract("\"paused\" is " + paused.asBoolean());
          }
          return paused.asBoolean();
        });
  }

  /**
   * {@code method path} with an optional JSON body; the answer is the JSON object the route sends
   * (for example {@code GET /daemon/config}, {@code PUT /daemon/config}, {@code GET
   * /jobs/<id>/log}).
   */
  public Reply<JsonNode> json(String method, String path, @Nullable JsonNode body)
      throws InterruptedException {
    String route = method + " " + routeOf(path);
    return switch (exchange(method, path, route, body, "application/json")) {
      case Reply.Failure<byte[]>(Problem problem) -> new Reply.Failure<>(problem);
      case Reply.Answer<byte[]>(URI url, byte[] bytes) -> {
        try {
          yield new Reply.Answer<>(
              url, object(JSON.readTree(new String(bytes, StandardCharsets.UTF_8))));
        } catch (JacksonException e) {
          yield new Reply.Failure<>(new Problem.BadAnswer(route, "not JSON"));
        } catch (NotTheContract e) {
          yield new Reply.Failure<>(new Problem.BadAnswer(route, String.valueOf(e.getMessage())));
        }
      }
    };
  }

  /** {@code GET path} for a body that is not JSON (a thumbnail's PNG). */
  public Reply<byte[]> bytes(String path) throws InterruptedException {
    return exchange("GET", path, "GET " + routeOf(path), null, "*/*");
  }

  /** The {@code pid} of a status answer, or null when it has none. */
  public static @Nullable Long pid(JsonNode status) {
    JsonNode pid = status.path("pid");
    return pid.isIntegralNumber() ? pid.asLong() : null;
  }

  /**
   * A timestamp of the local API as the console prints one ({@code 2026-12-01T23:20:10.123Z}): an
   * ISO-8601 string or epoch milliseconds; anything else as it came; {@code ?} when absent.
   */
  public static String time(@Nullable JsonNode ts) {
    if (ts == null || ts.isNull() || ts.isMissingNode()) {
      return "?";
    }
    if (ts.isIntegralNumber()) {
      return TIME.format(Instant.ofEpochMilli(ts.asLong()));
    }
    String text = ts.asString();
    try {
      return TIME.format(Instant.parse(text));
    } catch (DateTimeParseException notAnInstant) {
      try {
        return TIME.format(OffsetDateTime.parse(text));
      } catch (DateTimeParseException notAnOffsetTime) {
        return text;
      }
    }
  }

  @Override
  public void close() {
    http.close();
  }

  /** Reads the body of a 2xx answer; throws when it is not what the route answers. */
  @FunctionalInterface
  private interface Parser<T> {
    T parse(JsonNode body) throws NotTheContract;
  }

  /** A body that is JSON but not the route's. Carries a short reason, never the body. */
  private static final class NotTheContract extends Exception {
    private static final long serialVersionUID = 1L;

    NotTheContract(String why) {
      super(why, null, false, false);
    }
  }

  private <T> Reply<T> send(String method, String path, String route, Parser<T> parser)
      throws InterruptedException {
    return switch (exchange(method, path, route, null, "application/json")) {
      case Reply.Failure<byte[]>(Problem problem) -> new Reply.Failure<>(problem);
      case Reply.Answer<byte[]>(URI url, byte[] bytes) -> {
        JsonNode body;
        try {
          body = JSON.readTree(new String(bytes, StandardCharsets.UTF_8));
        } catch (JacksonException e) {
          yield new Reply.Failure<>(new Problem.BadAnswer(route, "not JSON"));
        }
        try {
          yield new Reply.Answer<>(url, parser.parse(body));
        } catch (NotTheContract e) {
          yield new Reply.Failure<>(new Problem.BadAnswer(route, String.valueOf(e.getMessage())));
        }
      }
    };
  }

  /**
   * One request to the daemon named by the discovery file; a 2xx answer's body as bytes, at most
   * what the route sends (the local API caps its answers; the largest, a thumbnail, is ~100 KB).
   */
  private Reply<byte[]> exchange(
      String method, String path, String route, @Nullable JsonNode body, String accept)
      throws InterruptedException {
    Optional<Discovery> found;
    try {
      found = Discovery.read(discoveryFile);
    } catch (IOException e) {
      return new Reply.Failure<>(new Problem.BadDiscovery(String.valueOf(e.getMessage())));
    }
    if (found.isEmpty()) {
      return new Reply.Failure<>(new Problem.NoDiscovery(discoveryFile));
    }
    Discovery daemon = found.get();
    URI url = daemon.url();
    if (!isLoopback(String.valueOf(url.getHost()))) {
      return new Reply.Failure<>(
          new Problem.BadDiscovery(
              discoveryFile
                  + " names "
                  + url
                  + ", which is not a loopback address; the token is sent only to this machine"));
    }
    // Should a daemon ever log its own token, what this client prints still masks it.
    Redactor.register(daemon.token());
    URI target = url.resolve(path);
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(target)
            .timeout(REQUEST_TIMEOUT)
            .header("Authorization", "Bearer " + daemon.token())
            .header("Accept", accept);
    if (body == null) {
      builder.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      builder
          .header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    }
    HttpResponse<byte[]> response;
    try {
      response =
          StudioHttp.exchange(
              http,
              builder.build(),
              HttpResponse.BodyHandlers.ofByteArray(),
              REQUEST_TIMEOUT,
              abandon);
    } catch (IOException e) {
      return new Reply.Failure<>(
          refused(e)
              ? new Problem.NotListening(url, discoveryFile)
              : new Problem.NoAnswer(url, StudioHttp.describe(e, target)));
    }
    int status = response.statusCode();
    if (status == 401) {
      return new Reply.Failure<>(new Problem.TokenRefused(url, discoveryFile));
    }
    if (status < 200 || status > 299) {
      return new Reply.Failure<>(
          new Problem.ErrorAnswer(
              route, status, errorText(new String(response.body(), StandardCharsets.UTF_8))));
    }
    return new Reply.Answer<>(url, response.body());
  }

  /** A path without its query, as errors name the route. */
  private static String routeOf(String path) {
    int query = path.indexOf('?');
    return query < 0 ? path : path.substring(0, query);
  }

  /** Whether the connection was refused outright (nothing listens), not timed out. */
  private static boolean refused(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof ConnectException
          && !String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT).contains("timed out")) {
        return true;
      }
    }
    return false;
  }

  /** The hosts the daemon binds, as a discovery file names them. */
  private static boolean isLoopback(String host) {
    String lower = host.toLowerCase(Locale.ROOT);
    return lower.equals("localhost") || lower.startsWith("127.") || lower.equals("[::1]");
  }

  /** The {@code message} of a {@code {"error","message"}} body, else the text itself, cut. */
  private static String errorText(String body) {
    try {
      JsonNode node = JSON.readTree(body);
      if (node != null && node.path("message").isString()) {
        return node.path("message").asString();
      }
    } catch (JacksonException notJson) {
      // Routes outside /daemon/* answer text; print it.
    }
    String text = body.strip().replaceAll("\\s+", " ");
    if (text.isEmpty()) {
      return "no message";
    }
    return text.length() > MAX_ERROR_CHARS ? text.substring(0, MAX_ERROR_CHARS) + "…" : text;
  }

  private static JsonNode object(JsonNode body) throws NotTheContract {
    if (!body.isObject()) {
      throw new NotTheContract("not a JSON object");
    }
    return body;
  }

  private static LogBatch logBatch(JsonNode body) throws NotTheContract {
    JsonNode entries = object(body).get("entries");
    JsonNode seq = body.get("seq");
    if (entries == null || !entries.isArray()) {
      throw new NotTheContract("no \"entries\" array");
    }
    if (seq == null || !seq.isIntegralNumber() || seq.asLong() < 0) {
      throw new NotTheContract("no \"seq\" number");
    }
    List<LogLine> lines = new ArrayList<>(entries.size());
    for (JsonNode entry : entries) {
      JsonNode message = entry.get("message");
      JsonNode level = entry.get("level");
      JsonNode category = entry.get("category");
      JsonNode jobId = entry.get("jobId");
      if (!entry.isObject()
          || message == null
          || !message.isString()
          || level == null
          || !level.isString()
          || category == null
          || !category.isString()
          || entry.get("ts") == null
          || (jobId != null && !jobId.isNull() && !jobId.isString())) {
        throw new NotTheContract("an entry without ts, level, category and message");
      }
      String levelName =
          LogLevel.fromWire(level.asString())
              .map(Enum::name)
              .orElse(level.asString().toUpperCase(Locale.ROOT));
      lines.add(
          new LogLine(
              time(entry.get("ts")),
              levelName,
              category.asString(),
              message.asString(),
              jobId == null || jobId.isNull() ? null : jobId.asString()));
    }
    return new LogBatch(lines, seq.asLong());
  }
}
