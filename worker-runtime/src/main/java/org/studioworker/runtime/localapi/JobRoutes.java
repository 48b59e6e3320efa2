package org.studioworker.runtime.localapi;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.studioworker.runtime.jobs.ResultFiles;
import org.studioworker.runtime.localapi.LocalApiServer.Access;
import org.studioworker.runtime.localapi.LocalApiServer.Handler;
import org.studioworker.runtime.localapi.LocalApiServer.Reply;
import org.studioworker.runtime.localapi.LocalApiServer.Request;
import org.studioworker.runtime.localapi.LocalApiServer.Route;
import org.studioworker.runtime.localapi.LocalApiServer.Sink;
import org.studioworker.runtime.localjobs.JobArtifacts;
import org.studioworker.runtime.localjobs.LocalJobs;
import org.studioworker.runtime.localjobs.LocalJobs.Outcome;
import org.studioworker.runtime.status.JobRecord;
import org.studioworker.spi.ChatMessage;
import org.studioworker.spi.ChatStream;
import org.studioworker.spi.JobResult;
import org.studioworker.spi.JsonText;
import org.studioworker.spi.Task;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The local job routes of LOCAL_API.md ("Local jobs"): {@code POST /image}, {@code
 * /v1/chat/completions}, {@code /tts}, {@code /stt}, {@code /video}, and {@code GET /jobs}, {@code
 * /jobs/{id}/log}, {@code /jobs/{id}/thumbnail}. Each job route turns its JSON body into a {@link
 * Task} with the contract's defaults, refuses inputs that are not inline {@code data:} URLs (the
 * worker never fetches a URL a local caller names), runs it through {@link LocalJobs#run} on the
 * request's thread and answers its {@link Outcome}. Errors are text, as the contract gives them;
 * the {@code /jobs/…} misses are JSON.
 */
public final class JobRoutes {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** What a job id in a path may be. */
  private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");

  private static final Pattern EXT = Pattern.compile("[A-Za-z0-9]{1,16}");

  static final String BUSY = "worker is busy with another job (studio or local); retry shortly";

  static final String DEADLINE = "deadline passed: the caller stopped waiting";

  private final LocalJobs jobs;
  private final JobArtifacts artifacts;
  private final InstantSource clock;

  /** Routes over the local job service and what jobs leave behind. */
  public JobRoutes(LocalJobs jobs, JobArtifacts artifacts) {
    this(jobs, artifacts, InstantSource.system());
  }

  JobRoutes(LocalJobs jobs, JobArtifacts artifacts, InstantSource clock) {
    this.jobs = jobs;
    this.artifacts = artifacts;
    this.clock = clock;
  }

  /** The route table, every route behind the token; {@code /image} takes bodies up to 64 MiB. */
  public Map<String, Route> table() {
    Map<String, Route> routes = new LinkedHashMap<>();
    routes.put(
        "/image",
        new Route(
            Access.TOKEN,
            LocalApiServer.MAX_IMAGE_BODY_BYTES,
            Map.of("POST", job(JobRoutes::image))));
    routes.put("/v1/chat/completions", token(Map.of("POST", this::chat)));
    routes.put("/tts", token(Map.of("POST", job(JobRoutes::tts))));
    routes.put("/stt", token(Map.of("POST", job(JobRoutes::stt))));
    routes.put("/video", token(Map.of("POST", job(JobRoutes::video))));
    routes.put("/jobs", token(Map.of("GET", r -> list())));
    routes.put("/jobs/{id}/log", token(Map.of("GET", this::log)));
    routes.put("/jobs/{id}/thumbnail", token(Map.of("GET", this::thumbnail)));
    return routes;
  }

  private static Route token(Map<String, Handler> methods) {
    return new Route(Access.TOKEN, LocalApiServer.MAX_BODY_BYTES, methods);
  }

  /** A refusal of the request: answered 400 with its message as is. */
  static final class Refused extends Exception {
    Refused(String message) {
      super(message, null, false, false);
    }

    static Refused input(String what) {
      return new Refused("bad input: " + what);
    }
  }

  /** A job as a route reads it from the body. */
  private record Job(@Nullable String model, Task task, @Nullable Instant deadline) {}

  @FunctionalInterface
  private interface Parser {
    Job parse(Body body) throws Refused;
  }

  /** A job route that answers once the job ended. */
  private Handler job(Parser parser) {
    return request -> {
      Job job;
      try {
        job = parser.parse(Body.of(request.body(), clock));
      } catch (Refused e) {
        return Reply.text(400, String.valueOf(e.getMessage()));
      }
      Outcome outcome;
      try {
        outcome = jobs.run(job.model(), job.task(), null, job.deadline());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Reply.text(503, "the worker is stopping");
      }
      return answer(outcome);
    };
  }

  private static Job image(Body body) throws Refused {
    Task.Image task =
        body.task(
            () ->
                new Task.Image(
                    body.requiredString("prompt"),
                    body.string("negativePrompt"),
                    body.dataUrl("initImageUrl"),
                    body.dataUrl("maskUrl"),
                    body.dataUrl("refImageUrl"),
                    body.number("denoise"),
                    null,
                    null,
                    body.whole("width", Task.DEFAULT_SIZE),
                    body.whole("height", Task.DEFAULT_SIZE),
                    body.whole("steps", Task.Image.DEFAULT_STEPS),
                    body.longNumber("seed"),
                    body.ext(Task.Image.DEFAULT_EXT)));
    return body.job(task);
  }

  private static Job tts(Body body) throws Refused {
    String voice = body.string("voice");
    Task.AudioTts task =
        body.task(
            () ->
                new Task.AudioTts(
                    body.requiredString("text"),
                    voice == null ? Task.AudioTts.DEFAULT_VOICE : voice,
                    body.number("speed"),
                    body.string("language"),
                    body.ext(Task.AudioTts.DEFAULT_EXT)));
    return body.job(task);
  }

  private static Job stt(Body body) throws Refused {
    String input = body.dataUrl("inputUrl");
    if (input == null) {
      throw Refused.input("missing field `inputUrl`");
    }
    Task.AudioStt task =
        body.task(() -> new Task.AudioStt(input, body.string("language"), null, null, null, null));
    return body.job(task);
  }

  private static Job video(Body body) throws Refused {
    Double seconds = body.number("seconds");
    Task.Video task =
        body.task(
            () ->
                new Task.Video(
                    body.requiredString("prompt"),
                    body.string("negativePrompt"),
                    null,
                    seconds == null ? Task.Video.DEFAULT_SECONDS : seconds,
                    null,
                    body.whole("width", 256),
                    body.whole("height", 256),
                    body.ext(Task.Video.DEFAULT_EXT)));
    return body.job(task);
  }

  /** {@code POST /v1/chat/completions}: the OpenAI shape, streamed when {@code stream: true}. */
  private Reply chat(Request request) {
    Job job;
    boolean stream;
    try {
      Body body = Body.of(request.body(), clock);
      List<ChatMessage> messages = body.messages();
      Double temperature = body.number("temperature");
      Task.Llm task =
          body.task(
              () ->
                  new Task.Llm(
                      messages,
                      null,
                      body.whole("max_tokens", Task.Llm.DEFAULT_MAX_TOKENS),
                      temperature == null ? Task.Llm.DEFAULT_TEMPERATURE : temperature,
                      body.number("top_p"),
                      body.stop(),
                      null,
                      null,
                      body.object("chat_template_kwargs")));
      job = body.job(task);
      stream = Boolean.TRUE.equals(body.bool("stream"));
    } catch (Refused e) {
      return Reply.text(400, String.valueOf(e.getMessage()));
    }
    if (!stream) {
      Outcome outcome;
      try {
        outcome = jobs.run(job.model(), job.task(), null, job.deadline());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Reply.text(503, "the worker is stopping");
      }
      return answer(outcome);
    }
    String id = "chatcmpl-" + HexFormat.of().formatHex(randomBytes());
    long created = clock.instant().getEpochSecond();
    return Reply.streamed(
        sink -> {
          SseChat sse = new SseChat(sink, id, created, job.model());
          Outcome outcome = jobs.run(job.model(), job.task(), sse, job.deadline());
          sse.finish(outcome);
        });
  }

  private static byte[] randomBytes() {
    byte[] bytes = new byte[12];
    ThreadLocalRandom.current().nextBytes(bytes);
    return bytes;
  }

  /** The answer of a job that ended. */
  static Reply answer(Outcome outcome) {
    return switch (outcome) {
      case Outcome.Done done ->
          switch (done.result()) {
            case JobResult.Binary binary ->
                new Reply(200, mimeType(binary.ext()), binary.bytes(), Map.of());
            case JobResult.File file -> Reply.streamed(sink -> sendFile(sink, done.jobId(), file));
            case JobResult.Json json ->
                Reply.json(200, json.json().json().getBytes(StandardCharsets.UTF_8));
          };
      case Outcome.Busy busy -> Reply.text(503, BUSY).with("Retry-After", "2");
      case Outcome.BadInput bad -> Reply.text(400, "bad input: " + bad.message());
      case Outcome.EngineFailed failed -> Reply.text(500, "engine error: " + failed.message());
      case Outcome.DeadlinePassed passed -> Reply.text(504, DEADLINE);
    };
  }

  /**
   * Answers a file result by streaming it from disk with its {@code Content-Length}, never holding
   * it whole; deletes the file afterwards, sent or not (the answer owns it).
   */
  private static void sendFile(Sink sink, String jobId, JobResult.File file) throws IOException {
    try {
      long size;
      try {
        size = Files.size(file.path());
      } catch (IOException e) {
        sink.reply(Reply.text(500, "engine error: the result file cannot be read"));
        return;
      }
      OutputStream out =
          sink.start(200, mimeType(file.ext()), size, Map.of("Cache-Control", "no-store"));
      Files.copy(file.path(), out);
    } finally {
      ResultFiles.discard(file, jobId);
    }
  }

  /** The MIME type of a result by its extension. */
  static String mimeType(String ext) {
    return switch (ext.toLowerCase(Locale.ROOT)) {
      case "webp" -> "image/webp";
      case "png" -> "image/png";
      case "jpg", "jpeg" -> "image/jpeg";
      case "wav" -> "audio/wav";
      case "mp3" -> "audio/mpeg";
      case "mp4" -> "video/mp4";
      case "webm" -> "video/webm";
      default -> "application/octet-stream";
    };
  }

  /** {@code GET /jobs}: the local jobs, newest first. */
  private Reply list() {
    ArrayNode out = JSON.createArrayNode();
    for (JobRecord record : jobs.jobs()) {
      out.add(JobJson.finished(record, artifacts.hasThumbnail(record.jobId())));
    }
    return Reply.json(200, JSON.writeValueAsBytes(out));
  }

  private Reply log(Request request) {
    String id = request.param("id");
    if (id == null || !JOB_ID.matcher(id).matches()) {
      return missing("unknown_job", "not a job id");
    }
    Optional<JobArtifacts.Log> found = artifacts.log(id);
    if (found.isEmpty()) {
      return missing("unknown_job", "no log for job " + id);
    }
    ObjectNode out = JSON.createObjectNode();
    ArrayNode lines = out.putArray("lines");
    for (JobArtifacts.Line line : found.get().lines()) {
      ObjectNode node = lines.addObject();
      node.put("ts", JobJson.time(line.ts()));
      node.put("level", line.level());
      node.put("target", line.target());
      node.put("message", line.message());
    }
    out.put("dropped", found.get().dropped());
    return Reply.json(200, JSON.writeValueAsBytes(out));
  }

  private Reply thumbnail(Request request) {
    String id = request.param("id");
    if (id == null || !JOB_ID.matcher(id).matches()) {
      return missing("no_thumbnail", "not a job id");
    }
    Optional<byte[]> png = artifacts.thumbnail(id);
    if (png.isEmpty()) {
      return missing("no_thumbnail", "no thumbnail for job " + id);
    }
    return new Reply(200, "image/png", png.get(), Map.of());
  }

  private static Reply missing(String code, String message) {
    ObjectNode out = JSON.createObjectNode();
    out.put("error", code);
    out.put("message", message);
    return Reply.json(404, JSON.writeValueAsBytes(out));
  }

  /**
   * The server-sent events of a streamed chat: nothing goes out before the job has started (its
   * first piece, or its end), so that a job that never ran still gets its status (503, 400…).
   * Written straight to the response, flushed after each event, with no buffer of its own: a slow
   * reader blocks {@link #content}, and a reader that went away makes it throw.
   */
  static final class SseChat implements ChatStream {
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8);

    private final Sink sink;
    private final String id;
    private final long created;
    private final @Nullable String model;
    private final ReentrantLock lock = new ReentrantLock();

    /** Guarded by {@link #lock}. */
    private @Nullable OutputStream out;

    /** Guarded by {@link #lock}: the write that failed, after which every write fails. */
    private @Nullable IOException broken;

    /** Guarded by {@link #lock}. */
    private boolean pieces;

    /** Guarded by {@link #lock}. */
    private boolean ended;

    SseChat(Sink sink, String id, long created, @Nullable String model) {
      this.sink = sink;
      this.id = id;
      this.created = created;
      this.model = model;
    }

    @Override
    public void content(String piece) throws IOException {
      lock.lock();
      try {
        if (ended) {
          throw new IOException("the stream has ended");
        }
        if (piece.isEmpty()) {
          return;
        }
        pieces = true;
        event(contentChunk(piece));
      } finally {
        lock.unlock();
      }
    }

    /** Ends the stream with the job's outcome (or answers it whole when nothing was sent). */
    void finish(Outcome outcome) throws IOException {
      if (outcome instanceof Outcome.Done done) {
        // A file is never part of a chat's answer: the answer owns it, and drops it.
        ResultFiles.discard(done.result(), done.jobId());
      }
      lock.lock();
      try {
        if (ended) {
          return;
        }
        ended = true;
        if (broken != null) {
          return;
        }
        if (outcome instanceof Outcome.Done done && done.result() instanceof JobResult.Json json) {
          Completion completion = Completion.of(json.json());
          if (!pieces && !completion.content().isEmpty()) {
            event(contentChunk(completion.content()));
          }
          event(chunk(JSON.createObjectNode(), completion.finishReason()));
          write(DONE);
        } else if (outcome instanceof Outcome.Done) {
          error("engine error: the engine answered a chat with a file");
        } else if (out == null) {
          sink.reply(answer(outcome));
        } else {
          // The job failed after the stream started: its error as the last event.
          error(new String(answer(outcome).body(), StandardCharsets.UTF_8));
        }
      } finally {
        lock.unlock();
      }
    }

    private void error(String message) throws IOException {
      ObjectNode body = JSON.createObjectNode();
      body.putObject("error").put("message", message);
      event(body);
    }

    private ObjectNode contentChunk(String piece) {
      ObjectNode delta = JSON.createObjectNode();
      delta.put("content", piece);
      return chunk(delta, null);
    }

    private ObjectNode chunk(ObjectNode delta, @Nullable String finishReason) {
      ObjectNode chunk = JSON.createObjectNode();
      chunk.put("id", id);
      chunk.put("object", "chat.completion.chunk");
      chunk.put("created", created);
      chunk.put("model", model == null ? "" : model);
      ObjectNode choice = chunk.putArray("choices").addObject();
      choice.put("index", 0);
      choice.set("delta", delta);
      choice.put("finish_reason", finishReason);
      return chunk;
    }

    /** One event; the first one sends the headers and the role chunk before it. */
    private void event(ObjectNode data) throws IOException {
      if (out == null) {
        try {
          out = sink.start(200, "text/event-stream", Map.of("Cache-Control", "no-cache"));
        } catch (IOException e) {
          broken = e;
          throw e;
        }
        ObjectNode role = JSON.createObjectNode();
        role.put("role", "assistant");
        write(data(chunk(role, null)));
      }
      write(data(data));
    }

    private static byte[] data(ObjectNode event) {
      return ("data: " + JSON.writeValueAsString(event) + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    private void write(byte[] bytes) throws IOException {
      IOException failed = broken;
      if (failed != null) {
        throw new IOException("the reader went away", failed);
      }
      OutputStream stream = out;
      if (stream == null) {
        throw new IllegalStateException("not started");
      }
      try {
        stream.write(bytes);
        stream.flush();
      } catch (IOException e) {
        broken = e;
        throw e;
      }
    }
  }

  /** What a streamed chat needs of the engine's final {@code chat.completion}. */
  private record Completion(String content, String finishReason) {
    static Completion of(JsonText json) {
      String content = "";
      String finish = "stop";
      try {
        JsonNode choice = JSON.readTree(json.json()).path("choices").path(0);
        JsonNode text = choice.path("message").path("content");
        if (text.isString()) {
          content = text.asString();
        }
        JsonNode reason = choice.path("finish_reason");
        if (reason.isString() && !reason.asString().isEmpty()) {
          finish = reason.asString();
        }
      } catch (JacksonException e) {
        // Not JSON after all: nothing to add, and the usual reason.
      }
      return new Completion(content, finish);
    }
  }

  /** A request body read as a JSON object, with the typed reads of its fields. */
  private static final class Body {
    private final ObjectNode node;
    private final InstantSource clock;

    private Body(ObjectNode node, InstantSource clock) {
      this.node = node;
      this.clock = clock;
    }

    static Body of(byte[] bytes, InstantSource clock) throws Refused {
      if (bytes.length == 0) {
        throw new Refused("bad json: the body is empty");
      }
      JsonNode tree;
      try {
        tree = JSON.readTree(bytes);
      } catch (JacksonException e) {
        throw new Refused(JobJson.badJson(e));
      }
      if (!(tree instanceof ObjectNode object)) {
        throw new Refused("bad json: the body is not a JSON object");
      }
      return new Body(object, clock);
    }

    @FunctionalInterface
    interface Build<T> {
      T build() throws Refused;
    }

    /** Builds the task, a value the record refuses (a size of 0) answered as bad input. */
    <T extends Task> T task(Build<T> build) throws Refused {
      try {
        return build.build();
      } catch (IllegalArgumentException e) {
        throw Refused.input(String.valueOf(e.getMessage()));
      }
    }

    Job job(Task task) throws Refused {
      return new Job(string("model"), task, deadline());
    }

    private @Nullable JsonNode present(String name) {
      JsonNode value = node.get(name);
      return value == null || value.isNull() ? null : value;
    }

    String requiredString(String name) throws Refused {
      String value = string(name);
      if (value == null) {
        throw Refused.input("missing field `" + name + "`");
      }
      return value;
    }

    /**
     * The field when present and {@code ok}; null when absent; else refused as not {@code what}.
     */
    private <T> @Nullable T field(
        String name,
        java.util.function.Predicate<JsonNode> ok,
        java.util.function.Function<JsonNode, T> read,
        String what)
        throws Refused {
      JsonNode value = present(name);
      if (value == null) {
        return null;
      }
      if (!ok.test(value)) {
        throw Refused.input("field `" + name + "` must be " + what);
      }
      return read.apply(value);
    }

    @Nullable String string(String name) throws Refused {
      return field(name, JsonNode::isString, JsonNode::asString, "a string");
    }

    @Nullable Boolean bool(String name) throws Refused {
      return field(name, JsonNode::isBoolean, JsonNode::asBoolean, "true or false");
    }

    @Nullable Double number(String name) throws Refused {
      return field(
          name, v -> v.isNumber() && Double.isFinite(v.asDouble()), JsonNode::asDouble, "a number");
    }

    int whole(String name, int fallback) throws Refused {
      Integer value =
          field(
              name,
              v -> v.isIntegralNumber() && v.canConvertToInt(),
              JsonNode::asInt,
              "a whole number");
      return value == null ? fallback : value;
    }

    @Nullable Long longNumber(String name) throws Refused {
      return field(
          name,
          v -> v.isIntegralNumber() && v.canConvertToLong(),
          JsonNode::asLong,
          "a whole number");
    }

    String ext(String fallback) throws Refused {
      String ext = string("ext");
      if (ext == null) {
        return fallback;
      }
      if (!EXT.matcher(ext).matches()) {
        throw Refused.input("field `ext` must be a bare extension such as " + fallback);
      }
      return ext.toLowerCase(Locale.ROOT);
    }

    /** An image or audio input: an inline {@code data:} URL only; nothing is ever fetched. */
    @Nullable String dataUrl(String name) throws Refused {
      String value = string(name);
      if (value == null) {
        return null;
      }
      if (!value.regionMatches(true, 0, "data:", 0, 5) || value.indexOf(',') < 0) {
        throw Refused.input(
            name + " must be a data: URL; the worker does not fetch URLs for local callers");
      }
      return value;
    }

    /** {@code deadline_ms}: now plus that many milliseconds. */
    @Nullable Instant deadline() throws Refused {
      JsonNode value = present("deadline_ms");
      if (value == null) {
        return null;
      }
      if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() <= 0) {
        throw Refused.input("field `deadline_ms` must be a positive whole number");
      }
      return clock.instant().plusMillis(value.asLong());
    }

    @Nullable JsonText object(String name) throws Refused {
      return field(
          name, JsonNode::isObject, v -> new JsonText(JSON.writeValueAsString(v)), "an object");
    }

    /** {@code stop}: a string or an array of strings. */
    @Nullable List<String> stop() throws Refused {
      JsonNode value = present("stop");
      if (value == null) {
        return null;
      }
      if (value.isString()) {
        return List.of(value.asString());
      }
      Refused refused = Refused.input("field `stop` must be a string or an array of strings");
      if (!value.isArray()) {
        throw refused;
      }
      List<String> out = new ArrayList<>();
      for (JsonNode item : value) {
        if (!item.isString()) {
          throw refused;
        }
        out.add(item.asString());
      }
      return out;
    }

    /**
     * {@code messages}: {@code [{role, content}]}, the content a string or an array of {@code
     * {"type":"text","text"}} parts (joined).
     */
    List<ChatMessage> messages() throws Refused {
      JsonNode value = present("messages");
      if (value == null) {
        throw Refused.input("missing field `messages`");
      }
      if (!value.isArray() || value.isEmpty()) {
        throw Refused.input("field `messages` must be a non-empty array");
      }
      List<ChatMessage> out = new ArrayList<>();
      int index = 0;
      for (JsonNode message : value) {
        String at = "messages[" + index++ + "]";
        JsonNode role = message.get("role");
        if (role == null || !role.isString()) {
          throw Refused.input("field `" + at + ".role` must be a string");
        }
        out.add(new ChatMessage(role.asString(), content(message.get("content"), at)));
      }
      return out;
    }

    private static String content(@Nullable JsonNode content, String at) throws Refused {
      if (content != null && content.isString()) {
        return content.asString();
      }
      if (content != null && content.isArray()) {
        StringBuilder text = new StringBuilder();
        for (JsonNode part : content) {
          JsonNode type = part.get("type");
          JsonNode piece = part.get("text");
          if (type == null
              || !type.isString()
              || !type.asString().equals("text")
              || piece == null
              || !piece.isString()) {
            throw Refused.input("field `" + at + ".content` may only hold text parts");
          }
          text.append(piece.asString());
        }
        return text.toString();
      }
      throw Refused.input("field `" + at + ".content` must be a string");
    }
  }
}
