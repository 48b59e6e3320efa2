package org.studioworker.protocol;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.studioworker.spi.ChatMessage;
import org.studioworker.spi.Claim;
import org.studioworker.spi.CliDefaults;
import org.studioworker.spi.EngineId;
import org.studioworker.spi.FileRole;
import org.studioworker.spi.JsonText;
import org.studioworker.spi.ModelFile;
import org.studioworker.spi.ModelSource;
import org.studioworker.spi.Task;
import org.studioworker.spi.TaskKind;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.cfg.JsonNodeFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The one JSON codec of the wire contract: frames of both directions, the job model and the
 * registration bodies.
 *
 * <p>Optional fields are omitted when absent and accepted as absent or {@code null}; unknown keys
 * are ignored; an unknown {@code type}, a duplicate key and trailing content are errors. Every
 * decode error is a {@link FrameDecodeException} that names the frame type when known and never
 * quotes a value; nothing else escapes a decode method. Encoding a value that the contract cannot
 * carry (a non-finite number, a frame over {@link #MAX_FRAME_CHARS}) is an {@link
 * IllegalArgumentException}: the codec never writes what it would refuse to read.
 *
 * <p>JSON values carried as {@link JsonText} (a result, a JSON schema) keep their numbers exactly:
 * floats are read as decimals, so {@code 1e400} or a 30-digit fraction survives a round trip.
 *
 * <p>Thread-safe and stateless; one instance can serve a whole process.
 */
public final class FrameCodec {
  /**
   * The largest frame, in characters, that the codec reads or writes. Why 16 MiB? A completeJson
   * result is the biggest frame: an llm answer of a few thousand tokens is tens of kilobytes, so
   * this leaves room for long outputs while keeping one frame far below the heap.
   */
  public static final int MAX_FRAME_CHARS = 16 * 1024 * 1024;

  /** Deepest nesting accepted; real frames nest about 6 levels, llm JSON schemas a few more. */
  public static final int MAX_NESTING_DEPTH = 64;

  /** Longest number literal accepted, in characters. */
  public static final int MAX_NUMBER_LENGTH = 64;

  private static final List<String> WORKER_TYPES =
      List.of(
          "hello",
          "heartbeat",
          "accept",
          "reject",
          "completeJson",
          "fail",
          "logBatch",
          "readyForMore");

  private static final List<String> STUDIO_TYPES =
      List.of("welcome", "offer", "heartbeatAck", "completeAck", "failAck", "error");

  // Jackson's parser messages refer to the input in three ways; see describe().
  private static final Pattern SOURCE_REFERENCE =
      Pattern.compile("\\s*\\((?:start marker at|for \\w+ starting at) \\[Source:[^\\]]*\\]\\)");
  private static final Pattern CHARACTER_REFERENCE =
      Pattern.compile("\\s*\\((?:'.{1,2}' )?\\((?:CTRL-CHAR, )?code [^)]*\\)\\)");
  private static final Pattern SETTING_REFERENCE = Pattern.compile(", from `[^`]*`");

  private static final DateTimeFormatter TIMESTAMP =
      new DateTimeFormatterBuilder()
          .appendPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
          .toFormatter()
          .withZone(ZoneOffset.UTC);

  private final JsonMapper mapper;

  /** A codec with the limits above. */
  public FrameCodec() {
    StreamReadConstraints constraints =
        StreamReadConstraints.builder()
            .maxNestingDepth(MAX_NESTING_DEPTH)
            .maxNumberLength(MAX_NUMBER_LENGTH)
            .maxStringLength(MAX_FRAME_CHARS)
            .maxDocumentLength(MAX_FRAME_CHARS)
            .build();
    this.mapper =
        JsonMapper.builder(
                JsonFactory.builder()
                    .streamReadConstraints(constraints)
                    // Two values for one key would let two readers see two different frames.
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .enable(JsonNodeFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();
  }

  // ---------------------------------------------------------------- timestamps

  /** An instant as the wire writes it: RFC 3339 UTC with milliseconds and {@code Z}. */
  public static String timestamp(Instant instant) {
    return TIMESTAMP.format(instant);
  }

  // ---------------------------------------------------------------- worker → studio

  /** Encodes a worker frame. */
  public String encode(WorkerFrame frame) {
    ObjectNode out = mapper.createObjectNode();
    out.put("type", frame.type());
    switch (frame) {
      case WorkerFrame.Hello hello -> {
        out.put("authToken", hello.authToken());
        out.set("capabilities", capabilities(hello.capabilities()));
      }
      case WorkerFrame.Heartbeat heartbeat -> {
        out.set("capabilities", capabilities(heartbeat.capabilities()));
        putOpt(out, "currentJobId", heartbeat.currentJobId());
      }
      case WorkerFrame.Accept accept -> out.put("jobId", accept.jobId());
      case WorkerFrame.Reject reject -> {
        out.put("jobId", reject.jobId());
        out.put("reason", reject.reason());
        RejectCode code = reject.code();
        if (code != null) {
          out.put("code", code.wireName());
        }
      }
      case WorkerFrame.CompleteJson complete -> {
        out.put("jobId", complete.jobId());
        out.set("result", parseJson("result", complete.result()));
        putOpt(out, "prompt", complete.prompt());
      }
      case WorkerFrame.Fail fail -> {
        out.put("jobId", fail.jobId());
        out.put("error", fail.error());
        out.put("retryable", fail.retryable());
      }
      case WorkerFrame.LogBatch batch -> {
        ArrayNode entries = out.putArray("entries");
        for (LogEntry entry : batch.entries()) {
          ObjectNode item = entries.addObject();
          item.put("ts", timestamp(entry.ts()));
          item.put("level", entry.level().wireName());
          item.put("category", entry.category());
          item.put("message", entry.message());
          putOpt(item, "jobId", entry.jobId());
        }
      }
      case WorkerFrame.ReadyForMore ignored -> {
        // No fields: the type is the whole frame.
      }
    }
    return write(out);
  }

  /**
   * Decodes a worker frame (the studio side uses this).
   *
   * @throws FrameDecodeException for anything that is not a valid worker frame; no other exception
   *     escapes
   */
  public WorkerFrame decodeWorkerFrame(String text) throws FrameDecodeException {
    JsonNode root = tree(null, text);
    String type = frameType(root, WORKER_TYPES);
    return guarded(type, () -> workerFrame(type, new Fields(type, "", root)));
  }

  private static WorkerFrame workerFrame(String type, Fields in) throws FrameDecodeException {
    return switch (type) {
      case "hello" ->
          new WorkerFrame.Hello(in.text("authToken"), capabilities(in.object("capabilities")));
      case "heartbeat" ->
          new WorkerFrame.Heartbeat(
              capabilities(in.object("capabilities")), in.optText("currentJobId"));
      case "accept" -> new WorkerFrame.Accept(in.text("jobId"));
      case "reject" -> {
        String code = in.optText("code");
        yield new WorkerFrame.Reject(
            in.text("jobId"),
            in.text("reason"),
            code == null ? null : enumValue(in, "code", RejectCode.fromWire(code), "busy, paused"));
      }
      case "completeJson" ->
          new WorkerFrame.CompleteJson(in.text("jobId"), in.json("result"), in.optText("prompt"));
      case "fail" -> new WorkerFrame.Fail(in.text("jobId"), in.text("error"), in.bool("retryable"));
      case "logBatch" -> {
        List<LogEntry> entries = new ArrayList<>();
        for (Fields entry : in.objects("entries")) {
          entries.add(logEntry(entry));
        }
        yield new WorkerFrame.LogBatch(entries);
      }
      case "readyForMore" -> new WorkerFrame.ReadyForMore();
      default -> throw new IllegalStateException("frameType() let an unknown type through");
    };
  }

  // ---------------------------------------------------------------- studio → worker

  /** Encodes a studio frame (the studio side uses this). */
  public String encode(StudioFrame frame) {
    ObjectNode out = mapper.createObjectNode();
    out.put("type", frame.type());
    switch (frame) {
      case StudioFrame.Welcome welcome -> {
        out.put("workerId", welcome.workerId());
        out.put("serverTime", welcome.serverTime());
      }
      case StudioFrame.Offer offer -> out.set("claim", claim(offer.claim()));
      case StudioFrame.HeartbeatAck ignored -> {
        // No fields.
      }
      case StudioFrame.CompleteAck ack -> out.put("jobId", ack.jobId());
      case StudioFrame.FailAck ack -> out.put("jobId", ack.jobId());
      case StudioFrame.Error error -> {
        out.put("code", error.code().wireName());
        out.put("message", error.message());
      }
    }
    return write(out);
  }

  /**
   * Decodes a studio frame.
   *
   * @throws FrameDecodeException for anything that is not a valid studio frame; no other exception
   *     escapes
   */
  public StudioFrame decodeStudioFrame(String text) throws FrameDecodeException {
    JsonNode root = tree(null, text);
    String type = frameType(root, STUDIO_TYPES);
    return guarded(type, () -> studioFrame(type, new Fields(type, "", root)));
  }

  private static StudioFrame studioFrame(String type, Fields in) throws FrameDecodeException {
    return switch (type) {
      case "welcome" -> new StudioFrame.Welcome(in.text("workerId"), in.text("serverTime"));
      case "offer" -> new StudioFrame.Offer(claim(in.object("claim")));
      case "heartbeatAck" -> new StudioFrame.HeartbeatAck();
      case "completeAck" -> new StudioFrame.CompleteAck(in.text("jobId"));
      case "failAck" -> new StudioFrame.FailAck(in.text("jobId"));
      case "error" ->
          new StudioFrame.Error(
              enumValue(in, "code", ErrorCode.fromWire(in.text("code")), errorCodeNames()),
              in.text("message"));
      default -> throw new IllegalStateException("frameType() let an unknown type through");
    };
  }

  // ---------------------------------------------------------------- job model

  /** Encodes a claim as the {@code claim} object of an offer. */
  public String encodeClaim(Claim claim) {
    return write(claim(claim));
  }

  /** Decodes the {@code claim} object of an offer. */
  public Claim decodeClaim(String text) throws FrameDecodeException {
    return model("claim", text, FrameCodec::claim);
  }

  /** Encodes a task. */
  public String encodeTask(Task task) {
    return write(task(task));
  }

  /** Decodes a task object. */
  public Task decodeTask(String text) throws FrameDecodeException {
    return model("task", text, FrameCodec::task);
  }

  /** Encodes a model source. */
  public String encodeModelSource(ModelSource source) {
    return write(modelSource(source));
  }

  /** Decodes a model source object. */
  public ModelSource decodeModelSource(String text) throws FrameDecodeException {
    return model("modelSource", text, FrameCodec::modelSource);
  }

  /** Encodes capabilities on their own. */
  public String encodeCapabilities(Capabilities capabilities) {
    return write(capabilities(capabilities));
  }

  /** Decodes capabilities on their own. */
  public Capabilities decodeCapabilities(String text) throws FrameDecodeException {
    return model("capabilities", text, FrameCodec::capabilities);
  }

  // ---------------------------------------------------------------- registration

  /** Encodes the body of {@code POST register-request}. */
  public String encode(Registration.Request request) {
    ObjectNode out = mapper.createObjectNode();
    out.put("installId", request.installId());
    out.put("registrationSecretHash", request.registrationSecretHash());
    out.set("capabilities", capabilities(request.capabilities()));
    out.put("userAgent", request.userAgent());
    return write(out);
  }

  /** Decodes the body of {@code POST register-request}. */
  public Registration.Request decodeRegistrationRequest(String text) throws FrameDecodeException {
    return model(
        "register-request",
        text,
        in ->
            new Registration.Request(
                in.text("installId"),
                in.text("registrationSecretHash"),
                capabilities(in.object("capabilities")),
                in.text("userAgent")));
  }

  /** Encodes the reply to {@code POST register-request}. */
  public String encode(Registration.Accepted accepted) {
    ObjectNode out = mapper.createObjectNode();
    out.put("requestId", accepted.requestId());
    out.put("status", accepted.status());
    return write(out);
  }

  /** Decodes the reply to {@code POST register-request}. */
  public Registration.Accepted decodeRegistrationAccepted(String text) throws FrameDecodeException {
    return model(
        "register-request reply",
        text,
        in -> new Registration.Accepted(in.text("requestId"), in.text("status", "pending")));
  }

  /** Encodes a poll reply. */
  public String encode(Registration.Status status) {
    ObjectNode out = mapper.createObjectNode();
    switch (status) {
      case Registration.Pending ignored -> out.put("status", "pending");
      case Registration.Approved approved -> {
        out.put("status", "approved");
        out.put("workerId", approved.workerId());
        out.put("authToken", approved.authToken());
      }
      case Registration.Rejected rejected -> {
        out.put("status", "rejected");
        out.put("reason", rejected.reason());
      }
    }
    return write(out);
  }

  /** Decodes a poll reply; a rejection without a reason has the reason {@code ""}. */
  public Registration.Status decodeRegistrationStatus(String text) throws FrameDecodeException {
    return model(
        "registration status",
        text,
        in ->
            switch (in.text("status")) {
              case "pending" -> new Registration.Pending();
              case "approved" ->
                  new Registration.Approved(in.text("workerId"), in.text("authToken"));
              case "rejected" -> new Registration.Rejected(in.text("reason", ""));
              default ->
                  throw in.fail("status is unknown; expected one of pending, approved, rejected");
            });
  }

  /**
   * Parses any JSON text with the codec's limits and returns it compacted.
   *
   * @throws FrameDecodeException when the text is not JSON or breaks a limit
   */
  public JsonText validateJson(String text) throws FrameDecodeException {
    JsonNode node = tree(null, text);
    return guarded(null, () -> new JsonText(node.toString()));
  }

  // ---------------------------------------------------------------- internals

  private interface Read<T> {
    T read() throws FrameDecodeException;
  }

  private interface ModelRead<T> {
    T read(Fields in) throws FrameDecodeException;
  }

  private <T> T model(String what, String text, ModelRead<T> read) throws FrameDecodeException {
    JsonNode root = tree(what, text);
    return guarded(what, () -> read.read(new Fields(what, "", root)));
  }

  /**
   * Runs a read so that only a {@link FrameDecodeException} leaves it.
   *
   * <p>Every invariant of the records is checked by the reads themselves, with a message naming the
   * field, so this net should never catch anything. It is there because a record's own message may
   * quote the value it refused, and because nothing but a decode error may escape. The cause is
   * dropped for the same reason: its message could carry the value.
   */
  private static <T> T guarded(@Nullable String what, Read<T> read) throws FrameDecodeException {
    try {
      return read.read();
    } catch (RuntimeException e) {
      throw new FrameDecodeException(
          what, "invalid value (" + e.getClass().getSimpleName() + ")", null);
    }
  }

  private static String frameType(JsonNode root, List<String> known) throws FrameDecodeException {
    String type = new Fields(null, "", root).text("type");
    if (!known.contains(type)) {
      throw new FrameDecodeException(
          null, "unknown frame type; expected one of " + String.join(", ", known), null);
    }
    return type;
  }

  private JsonNode tree(@Nullable String type, String text) throws FrameDecodeException {
    if (text.length() > MAX_FRAME_CHARS) {
      throw new FrameDecodeException(
          type,
          "frame of " + text.length() + " characters is over the limit of " + MAX_FRAME_CHARS,
          null);
    }
    try {
      JsonNode node = mapper.readTree(text);
      if (node == null || node.isMissingNode()) {
        throw new FrameDecodeException(type, "empty frame", null);
      }
      return node;
    } catch (JacksonException e) {
      // No cause: Jackson's own message quotes the offending token, which could be a secret.
      throw new FrameDecodeException(type, "malformed JSON: " + describe(e), null);
    }
  }

  /**
   * A parser message without any part of the input.
   *
   * <p>Jackson refers to the input as a source excerpt (off by default, and removed anyway), as an
   * offending character ("Unexpected character ('x' (code 120))") and as a quoted token
   * ("Unrecognized token 'abc'"). The first two are cut out; for the third, everything from the
   * first remaining quote is dropped, since a token could be a secret.
   */
  private static String describe(JacksonException e) {
    String message = e.getOriginalMessage();
    if (message == null || message.isBlank()) {
      message = e.getClass().getSimpleName();
    }
    if (message.startsWith("Trailing token")) {
      message = "trailing content after the JSON value";
    }
    message = SOURCE_REFERENCE.matcher(message).replaceAll("");
    message = CHARACTER_REFERENCE.matcher(message).replaceAll("");
    message = SETTING_REFERENCE.matcher(message).replaceAll("");
    int quote = indexOfQuote(message);
    if (quote >= 0) {
      message = message.substring(0, quote);
    }
    message = message.strip();
    while (message.endsWith(":") || message.endsWith("(")) {
      message = message.substring(0, message.length() - 1).strip();
    }
    var location = e.getLocation();
    if (location != null && location.getLineNr() > 0) {
      message += " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }
    return message;
  }

  private static int indexOfQuote(String message) {
    int single = message.indexOf('\'');
    int dbl = message.indexOf('"');
    if (single < 0) {
      return dbl;
    }
    return dbl < 0 ? single : Math.min(single, dbl);
  }

  private static String errorCodeNames() {
    List<String> names = new ArrayList<>();
    for (ErrorCode code : ErrorCode.values()) {
      names.add(code.wireName());
    }
    return String.join(", ", names);
  }

  private String write(JsonNode node) {
    String text = mapper.writeValueAsString(node);
    if (text.length() > MAX_FRAME_CHARS) {
      throw new IllegalArgumentException(
          "encoded frame of "
              + text.length()
              + " characters is over the limit of "
              + MAX_FRAME_CHARS);
    }
    return text;
  }

  private JsonNode parseJson(String name, JsonText text) {
    try {
      return tree(null, text.json());
    } catch (FrameDecodeException e) {
      throw new IllegalArgumentException(name + " is not valid JSON: " + e.getMessage(), e);
    }
  }

  private static void putOpt(ObjectNode out, String name, @Nullable String value) {
    if (value != null) {
      out.put(name, value);
    }
  }

  private static void putOpt(ObjectNode out, String name, @Nullable Double value) {
    if (value != null) {
      putFinite(out, name, value);
    }
  }

  /** JSON has no NaN or infinity; Jackson would write them as strings, which no reader accepts. */
  private static void putFinite(ObjectNode out, String name, double value) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException(name + " must be a finite number");
    }
    out.put(name, value);
  }

  private static void putOpt(ObjectNode out, String name, @Nullable Integer value) {
    if (value != null) {
      out.put(name, value);
    }
  }

  private static void putOpt(ObjectNode out, String name, @Nullable Long value) {
    if (value != null) {
      out.put(name, value);
    }
  }

  private static void putOpt(ObjectNode out, String name, @Nullable Boolean value) {
    if (value != null) {
      out.put(name, value);
    }
  }

  /** A JSON {@code null} in an optional field means absent, so it is omitted as well. */
  private void putOpt(ObjectNode out, String name, @Nullable JsonText value) {
    if (value != null) {
      JsonNode node = parseJson(name, value);
      if (!node.isNull()) {
        out.set(name, node);
      }
    }
  }

  private static <E> E enumValue(
      Fields in, String name, java.util.Optional<E> value, String expected)
      throws FrameDecodeException {
    if (value.isEmpty()) {
      throw in.fail(in.pathOf(name) + " is unknown; expected one of " + expected);
    }
    return value.get();
  }

  private ObjectNode capabilities(Capabilities c) {
    ObjectNode out = mapper.createObjectNode();
    out.put("machineName", c.machineName());
    out.put("username", c.username());
    out.put("agentVersion", c.agentVersion());
    out.put("engine", c.engine());
    out.put("vramTotalGb", c.vramTotalGb());
    out.put("vramThresholdGb", c.vramThresholdGb());
    out.put("autoEnabled", c.autoEnabled());
    out.put("autoStart", c.autoStart());
    ArrayNode models = out.putArray("supportedModels");
    c.supportedModels().forEach(models::add);
    ArrayNode kinds = out.putArray("taskKinds");
    c.taskKinds().forEach(kind -> kinds.add(kind.wireName()));
    ObjectNode perKind = out.putObject("supportedModelsPerKind");
    c.supportedModelsPerKind()
        .forEach(
            (kind, list) -> {
              ArrayNode array = perKind.putArray(kind);
              list.forEach(array::add);
            });
    putOpt(out, "autoUpdate", c.autoUpdate());
    putOpt(out, "startMinimised", c.startMinimised());
    putOpt(out, "onlyWhenIdle", c.onlyWhenIdle());
    putOpt(out, "userPresence", c.userPresence());
    return out;
  }

  private static Capabilities capabilities(Fields in) throws FrameDecodeException {
    List<TaskKind> kinds = new ArrayList<>();
    for (String kind : in.texts("taskKinds")) {
      TaskKind parsed = TaskKind.fromWire(kind).orElse(null);
      // A newer studio or worker may know kinds this build does not: skip them rather than fail.
      if (parsed != null) {
        kinds.add(parsed);
      }
    }
    Map<String, List<String>> perKind = new LinkedHashMap<>();
    Fields map = in.optObject("supportedModelsPerKind");
    if (map != null) {
      for (String kind : map.raw().propertyNames()) {
        JsonNode models = map.raw().get(kind);
        List<String> list = new ArrayList<>();
        // The key is input: the message names the map, never the key.
        if (models == null || !models.isArray()) {
          throw in.fail(in.pathOf("supportedModelsPerKind") + " values must be arrays of strings");
        }
        for (JsonNode model : models) {
          if (!model.isString()) {
            throw in.fail(
                in.pathOf("supportedModelsPerKind") + " values must be arrays of strings");
          }
          list.add(model.stringValue());
        }
        perKind.put(kind, list);
      }
    }
    return new Capabilities(
        in.text("machineName"),
        in.text("username"),
        in.text("agentVersion"),
        in.text("engine", Capabilities.ENGINE),
        in.number("vramTotalGb"),
        in.number("vramThresholdGb"),
        in.bool("autoEnabled"),
        in.bool("autoStart", true),
        in.texts("supportedModels"),
        kinds,
        perKind,
        in.optBool("autoUpdate"),
        in.optBool("startMinimised"),
        in.optBool("onlyWhenIdle"),
        in.optText("userPresence"));
  }

  private static LogEntry logEntry(Fields in) throws FrameDecodeException {
    Instant ts;
    try {
      ts = Instant.parse(in.text("ts"));
    } catch (DateTimeParseException e) {
      throw in.fail(in.pathOf("ts") + " must be an RFC 3339 timestamp");
    }
    return new LogEntry(
        ts,
        enumValue(
            in, "level", LogLevel.fromWire(in.text("level")), "trace, debug, info, warn, error"),
        in.text("category"),
        in.text("message"),
        in.optText("jobId"));
  }

  private ObjectNode claim(Claim claim) {
    ObjectNode out = mapper.createObjectNode();
    out.put("jobId", claim.jobId());
    out.put("gameId", claim.gameId());
    out.put("assetName", claim.assetName());
    out.put("model", claim.model());
    putFinite(out, "vramGbEstimate", claim.vramGbEstimate());
    out.set("task", task(claim.task()));
    out.set("modelSource", modelSource(claim.modelSource()));
    return out;
  }

  private static Claim claim(Fields in) throws FrameDecodeException {
    Task task = task(in.object("task"));
    ModelSource source = modelSource(in.object("modelSource"));
    double estimate = in.nonNegativeNumber("vramGbEstimate", 0.0);
    return new Claim(
        in.text("jobId"),
        in.text("gameId", ""),
        in.text("assetName", ""),
        in.text("model", ""),
        estimate,
        task,
        source);
  }

  private ObjectNode task(Task task) {
    ObjectNode out = mapper.createObjectNode();
    out.put("kind", task.kind().wireName());
    switch (task) {
      case Task.Image t -> {
        out.put("prompt", t.prompt());
        putOpt(out, "negativePrompt", t.negativePrompt());
        putOpt(out, "initImageUrl", t.initImageUrl());
        putOpt(out, "maskUrl", t.maskUrl());
        putOpt(out, "refImageUrl", t.refImageUrl());
        putOpt(out, "denoise", t.denoise());
        putOpt(out, "cfgScale", t.cfgScale());
        putOpt(out, "samplingMethod", t.samplingMethod());
        out.put("width", t.width());
        out.put("height", t.height());
        out.put("steps", t.steps());
        putOpt(out, "seed", t.seed());
        out.put("ext", t.ext());
      }
      case Task.Llm t -> {
        ArrayNode messages = out.putArray("messages");
        for (ChatMessage message : t.messages()) {
          messages.addObject().put("role", message.role()).put("content", message.content());
        }
        putOpt(out, "system", t.system());
        out.put("maxTokens", t.maxTokens());
        putFinite(out, "temperature", t.temperature());
        putOpt(out, "topP", t.topP());
        List<String> stop = t.stop();
        if (stop != null) {
          ArrayNode array = out.putArray("stop");
          stop.forEach(array::add);
        }
        putOpt(out, "jsonSchema", t.jsonSchema());
        putOpt(out, "reasoning", t.reasoning());
        putOpt(out, "chatTemplateKwargs", t.chatTemplateKwargs());
      }
      case Task.AudioStt t -> {
        out.put("inputUrl", t.inputUrl());
        putOpt(out, "language", t.language());
        putOpt(out, "translate", t.translate());
        putOpt(out, "prompt", t.initialPrompt());
        putOpt(out, "vad", t.vad());
        Task.Timestamps timestamps = t.timestamps();
        if (timestamps != null) {
          out.put("timestamps", timestamps.wireName());
        }
      }
      case Task.AudioTts t -> {
        out.put("text", t.text());
        out.put("voice", t.voice());
        putOpt(out, "speed", t.speed());
        putOpt(out, "language", t.language());
        out.put("ext", t.ext());
      }
      case Task.Video t -> {
        out.put("prompt", t.prompt());
        putOpt(out, "negativePrompt", t.negativePrompt());
        putOpt(out, "initImageUrl", t.initImageUrl());
        out.put("seconds", t.seconds());
        putOpt(out, "fps", t.fps());
        out.put("width", t.width());
        out.put("height", t.height());
        out.put("ext", t.ext());
      }
    }
    return out;
  }

  private static Task task(Fields in) throws FrameDecodeException {
    String kindName = in.text("kind");
    TaskKind kind =
        TaskKind.fromWire(kindName)
            .orElseThrow(
                () ->
                    in.fail(
                        in.pathOf("kind")
                            + " is unknown; expected one of image, llm, audio_stt, audio_tts,"
                            + " video"));
    return switch (kind) {
      case IMAGE ->
          new Task.Image(
              in.text("prompt"),
              in.optText("negativePrompt"),
              in.optText("initImageUrl"),
              in.optText("maskUrl"),
              in.optText("refImageUrl"),
              in.optNumber("denoise"),
              in.optNumber("cfgScale"),
              in.optText("samplingMethod"),
              in.positiveInteger("width", Task.DEFAULT_SIZE),
              in.positiveInteger("height", Task.DEFAULT_SIZE),
              in.positiveInteger("steps", Task.Image.DEFAULT_STEPS),
              in.optLong("seed"),
              in.text("ext", Task.Image.DEFAULT_EXT));
      case LLM -> {
        List<ChatMessage> messages = new ArrayList<>();
        for (Fields message : in.objects("messages")) {
          messages.add(new ChatMessage(message.text("role"), message.text("content")));
        }
        yield new Task.Llm(
            messages,
            in.optText("system"),
            in.positiveInteger("maxTokens", Task.Llm.DEFAULT_MAX_TOKENS),
            in.number("temperature", Task.Llm.DEFAULT_TEMPERATURE),
            in.optNumber("topP"),
            in.optTextOrTexts("stop"),
            in.optJson("jsonSchema"),
            in.optJson("reasoning"),
            in.optJson("chatTemplateKwargs"));
      }
      case AUDIO_STT -> {
        String timestamps = in.optText("timestamps");
        yield new Task.AudioStt(
            in.text("inputUrl"),
            in.optText("language"),
            in.optBool("translate"),
            in.optText("prompt"),
            in.optBool("vad"),
            timestamps == null ? null : timestamps(in, timestamps));
      }
      case AUDIO_TTS ->
          new Task.AudioTts(
              in.text("text"),
              in.text("voice", Task.AudioTts.DEFAULT_VOICE),
              in.optNumber("speed"),
              in.optText("language"),
              in.text("ext", Task.AudioTts.DEFAULT_EXT));
      case VIDEO ->
          new Task.Video(
              in.text("prompt"),
              in.optText("negativePrompt"),
              in.optText("initImageUrl"),
              in.positiveNumber("seconds", Task.Video.DEFAULT_SECONDS),
              in.optPositiveInteger("fps"),
              in.positiveInteger("width", Task.DEFAULT_SIZE),
              in.positiveInteger("height", Task.DEFAULT_SIZE),
              in.text("ext", Task.Video.DEFAULT_EXT));
    };
  }

  private static Task.Timestamps timestamps(Fields in, String value) throws FrameDecodeException {
    for (Task.Timestamps t : Task.Timestamps.values()) {
      if (t.wireName().equals(value)) {
        return t;
      }
    }
    throw in.fail(in.pathOf("timestamps") + " must be \"segment\" or \"word\"");
  }

  private ObjectNode modelSource(ModelSource source) {
    ObjectNode out = mapper.createObjectNode();
    out.put("engine", source.engine().name());
    ArrayNode files = out.putArray("files");
    for (ModelFile file : source.files()) {
      ObjectNode item = files.addObject();
      item.put("role", file.role().wireName());
      item.put("url", file.url());
      item.put("filename", file.filename());
      putOpt(item, "approxBytes", file.approxBytes());
      putOpt(item, "sha256", file.sha256());
    }
    CliDefaults d = source.cliDefaults();
    ObjectNode defaults = out.putObject("cliDefaults");
    putFinite(defaults, "cfgScale", d.cfgScale());
    defaults.put("steps", d.steps());
    defaults.put("width", d.width());
    defaults.put("height", d.height());
    putOpt(defaults, "samplingMethod", d.samplingMethod());
    putOpt(defaults, "flowShift", d.flowShift());
    putOpt(defaults, "zeroCondT", d.zeroCondT());
    putOpt(defaults, "offloadToCpu", d.offloadToCpu());
    putOpt(defaults, "contextSize", d.contextSize());
    putOpt(defaults, "chatTemplateKwargs", d.chatTemplateKwargs());
    return out;
  }

  private static ModelSource modelSource(Fields in) throws FrameDecodeException {
    String engine = in.text("engine");
    EngineId engineId;
    try {
      engineId = new EngineId(engine);
    } catch (IllegalArgumentException e) {
      throw in.fail(
          in.pathOf("engine") + " is not a valid engine name (1-64 lowercase letters, digits, -)");
    }
    List<ModelFile> files = new ArrayList<>();
    for (Fields file : in.objects("files")) {
      String role = file.text("role");
      files.add(
          new ModelFile(
              FileRole.fromWire(role)
                  .orElseThrow(
                      () ->
                          file.fail(
                              file.pathOf("role")
                                  + " is unknown; expected one of diffusion-model, text-encoder,"
                                  + " text-encoder-vision, vae, lora, model")),
              file.text("url"),
              file.text("filename"),
              file.optNonNegativeLong("approxBytes"),
              file.optText("sha256")));
    }
    Fields d = in.object("cliDefaults");
    CliDefaults defaults =
        new CliDefaults(
            d.number("cfgScale"),
            d.integer("steps"),
            d.integer("width"),
            d.integer("height"),
            d.optText("samplingMethod"),
            d.optNumber("flowShift"),
            d.optBool("zeroCondT"),
            d.optBool("offloadToCpu"),
            d.optInteger("contextSize"),
            d.optJson("chatTemplateKwargs"));
    return new ModelSource(engineId, files, defaults);
  }
}
