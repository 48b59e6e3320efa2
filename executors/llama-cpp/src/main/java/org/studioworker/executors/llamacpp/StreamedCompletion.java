package org.studioworker.executors.llamacpp;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A {@code chat.completion} assembled from the chunks of a streamed one ({@code
 * chat.completion.chunk} events), in the shape of the answer that is not streamed: the id, created
 * time and model of the chunks, one choice whose message carries the concatenated content (and
 * reasoning, when the server sent any) with the last finish reason, and the usage and timings when
 * the server sent them.
 *
 * <p>Only choice 0 is kept (llama-server generates one). The text held is capped; the caller hands
 * each piece on as it comes. One thread; not thread-safe.
 */
final class StreamedCompletion {
  /** A chunk that is not what llama-server sends, or an error event. */
  static final class BadChunkException extends Exception {
    private static final long serialVersionUID = 1L;

    BadChunkException(String message) {
      super(message, null, false, false);
    }
  }

  private final long maxChars;
  private final StringBuilder content = new StringBuilder();
  private final StringBuilder reasoning = new StringBuilder();
  private @Nullable String id;
  private @Nullable BigDecimal created;
  private @Nullable String model;
  private @Nullable String finishReason;
  private @Nullable Object usage;
  private @Nullable Object timings;
  private boolean done;
  private int chunks;

  /**
   * @param maxChars the most characters of content and reasoning together that one answer may have
   */
  StreamedCompletion(long maxChars) {
    this.maxChars = maxChars;
  }

  /** Whether {@code [DONE]} came. */
  boolean done() {
    return done;
  }

  /** Whether a chunk said why the answer ended. */
  boolean finished() {
    return finishReason != null;
  }

  /**
   * Takes one event's data: a chunk, or {@code [DONE]}.
   *
   * @return the piece of content the chunk adds, empty when none
   * @throws BadChunkException when the data is not a chunk, is an error, or the answer grows past
   *     the cap
   */
  String accept(String data) throws BadChunkException {
    if (data.strip().equals("[DONE]")) {
      done = true;
      return "";
    }
    Object value;
    try {
      value = JsonReader.parse(data);
    } catch (IllegalArgumentException e) {
      throw new BadChunkException(
          "llama-server sent a malformed stream chunk (" + e.getMessage() + ")");
    }
    if (!(value instanceof Map<?, ?> chunk)) {
      throw new BadChunkException("llama-server sent a malformed stream chunk (not a JSON object)");
    }
    chunks++;
    Object error = chunk.get("error");
    if (error != null) {
      throw new BadChunkException(errorMessage(error));
    }
    if (chunk.get("id") instanceof String text) {
      id = text;
    }
    if (chunk.get("created") instanceof BigDecimal number) {
      created = number;
    }
    if (chunk.get("model") instanceof String text) {
      model = text;
    }
    Object usageValue = chunk.get("usage");
    if (usageValue instanceof Map<?, ?>) {
      usage = usageValue;
    }
    Object timingsValue = chunk.get("timings");
    if (timingsValue instanceof Map<?, ?>) {
      timings = timingsValue;
    }
    Object choices = chunk.get("choices");
    if (choices == null || choices == JsonReader.NULL) {
      return "";
    }
    if (!(choices instanceof List<?> list)) {
      throw new BadChunkException(
          "llama-server sent a malformed stream chunk (choices is not an array)");
    }
    String piece = "";
    for (Object item : list) {
      if (!(item instanceof Map<?, ?> choice)) {
        throw new BadChunkException(
            "llama-server sent a malformed stream chunk (a choice is not an object)");
      }
      Object index = choice.get("index");
      if (index instanceof BigDecimal number && number.signum() != 0) {
        continue;
      }
      if (choice.get("finish_reason") instanceof String reason) {
        finishReason = reason;
      }
      Object delta = choice.get("delta");
      if (delta == null || delta == JsonReader.NULL) {
        continue;
      }
      if (!(delta instanceof Map<?, ?> fields)) {
        throw new BadChunkException(
            "llama-server sent a malformed stream chunk (delta is not an object)");
      }
      piece = text(fields, "content");
      append(content, piece);
      append(reasoning, text(fields, "reasoning_content"));
    }
    return piece;
  }

  /** The whole answer as {@code chat.completion} JSON. */
  String json() {
    JsonWriter message = new JsonWriter().string("role", "assistant");
    message.string("content", content.toString());
    if (!reasoning.isEmpty()) {
      message.string("reasoning_content", reasoning.toString());
    }
    JsonWriter choice = new JsonWriter().number("index", 0);
    String reason = finishReason;
    choice.raw("finish_reason", reason == null ? "null" : JsonWriter.quote(reason));
    choice.raw("message", message.close());
    JsonWriter out = new JsonWriter();
    String chunkId = id;
    if (chunkId != null) {
      out.string("id", chunkId);
    }
    out.string("object", "chat.completion");
    BigDecimal time = created;
    if (time != null) {
      out.value("created", time);
    }
    String chunkModel = model;
    if (chunkModel != null) {
      out.string("model", chunkModel);
    }
    out.rawArray("choices", List.of(choice.close()));
    Object counts = usage;
    if (counts != null) {
      out.value("usage", counts);
    }
    Object times = timings;
    if (times != null) {
      out.value("timings", times);
    }
    return out.close();
  }

  /** How many chunks came, {@code [DONE]} not counted. */
  int chunks() {
    return chunks;
  }

  private static String text(Map<?, ?> fields, String name) throws BadChunkException {
    Object value = fields.get(name);
    if (value == null || value == JsonReader.NULL) {
      return "";
    }
    if (!(value instanceof String text)) {
      throw new BadChunkException(
          "llama-server sent a malformed stream chunk (delta." + name + " is not a string)");
    }
    return text;
  }

  private void append(StringBuilder to, String piece) throws BadChunkException {
    if ((long) content.length() + reasoning.length() + piece.length() > maxChars) {
      throw new BadChunkException(
          "llama-server's streamed answer is larger than the limit of "
              + (maxChars >> 10)
              + " KiB");
    }
    to.append(piece);
  }

  /** The message of an error event, at most 200 characters of it. */
  static String errorMessage(Object error) {
    Object message = error instanceof Map<?, ?> map ? map.get("message") : error;
    String text;
    if (message instanceof String s) {
      text = s;
    } else {
      StringBuilder json = new StringBuilder();
      JsonWriter.write(json, error);
      text = json.toString();
    }
    String flat = text.strip().replaceAll("\\s+", " ");
    if (flat.length() > 200) {
      flat = flat.substring(0, 200) + "…";
    }
    return "llama-server stopped the stream with an error: " + flat;
  }
}
