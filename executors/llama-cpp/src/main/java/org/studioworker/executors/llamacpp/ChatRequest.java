package org.studioworker.executors.llamacpp;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.studioworker.spi.ChatMessage;
import org.studioworker.spi.CliDefaults;
import org.studioworker.spi.JsonText;
import org.studioworker.spi.Task;

/**
 * The body of one {@code POST /v1/chat/completions} to llama-server, from an llm task.
 *
 * <p>A pure function apart from the warnings it hands to {@code warn} for parameters it leaves out.
 * See the package documentation for each mapping.
 */
final class ChatRequest {
  private ChatRequest() {}

  static String json(String model, Task.Llm task, CliDefaults defaults, Consumer<String> warn) {
    return json(model, task, defaults, warn, false);
  }

  /**
   * The body; with {@code stream}, {@code "stream": true} and {@code "stream_options":
   * {"include_usage": true}}, so that the last chunk carries the token counts.
   */
  static String json(
      String model, Task.Llm task, CliDefaults defaults, Consumer<String> warn, boolean stream) {
    JsonWriter body = new JsonWriter().string("model", model);
    List<String> messages = new ArrayList<>();
    String system = task.system();
    if (system != null) {
      messages.add(message("system", system));
    }
    for (ChatMessage message : task.messages()) {
      messages.add(message(message.role(), message.content()));
    }
    body.rawArray("messages", messages).bool("stream", stream);
    if (stream) {
      body.raw("stream_options", "{\"include_usage\":true}");
    }
    body.number("max_tokens", task.maxTokens()).number("temperature", task.temperature());
    Double topP = task.topP();
    if (topP != null) {
      body.number("top_p", topP);
    }
    List<String> stop = task.stop();
    if (stop != null && !stop.isEmpty()) {
      body.strings("stop", stop);
    }
    JsonText schema = task.jsonSchema();
    if (schema != null) {
      if (isObject(schema)) {
        body.raw(
            "response_format",
            new JsonWriter()
                .string("type", "json_schema")
                .raw(
                    "json_schema",
                    new JsonWriter().string("name", "result").raw("schema", schema.json()).close())
                .close());
      } else {
        warn.accept("jsonSchema is not a JSON object; the reply is not constrained");
      }
    }
    JsonText kwargs = task.chatTemplateKwargs();
    if (kwargs == null) {
      kwargs = defaults.chatTemplateKwargs();
    }
    if (kwargs != null) {
      if (isObject(kwargs)) {
        body.raw("chat_template_kwargs", kwargs.json());
      } else {
        warn.accept("chatTemplateKwargs is not a JSON object; left out");
      }
    }
    JsonText reasoning = task.reasoning();
    if (reasoning != null) {
      String effort = reasoningEffort(reasoning);
      if (effort != null) {
        body.string("reasoning_effort", effort);
      } else {
        warn.accept(
            "reasoning " + reasoning.json() + " has no effort that llama-server knows; left out");
      }
    }
    return body.close();
  }

  /**
   * llama-server's {@code reasoning_effort} for the task's {@code reasoning}: {@code
   * {"effort":"low"}} or {@code "low"} → {@code low}; {@code false}, {@code {"enabled":false}} or
   * an effort of {@code none} → {@code none} (thinking off); anything else → null.
   */
  static @Nullable String reasoningEffort(JsonText reasoning) {
    Object value;
    try {
      value = JsonReader.parse(reasoning.json());
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (value instanceof String effort && !effort.isBlank()) {
      return effort;
    }
    if (Boolean.FALSE.equals(value)) {
      return "none";
    }
    if (value instanceof Map<?, ?> map) {
      if (map.get("effort") instanceof String effort && !effort.isBlank()) {
        return effort;
      }
      if (Boolean.FALSE.equals(map.get("enabled"))) {
        return "none";
      }
    }
    return null;
  }

  private static String message(String role, String content) {
    return new JsonWriter().string("role", role).string("content", content).close();
  }

  private static boolean isObject(JsonText text) {
    return JsonReader.isObject(text.json());
  }
}
