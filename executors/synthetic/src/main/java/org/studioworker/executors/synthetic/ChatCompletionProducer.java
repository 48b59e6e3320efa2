package org.studioworker.executors.synthetic;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.studioworker.spi.ChatMessage;
import org.studioworker.spi.JobResult;
import org.studioworker.spi.JsonText;
import org.studioworker.spi.Task;

/**
 * Produces an {@code llm} job's answer: an OpenAI-shaped {@code chat.completion} whose one message
 * quotes the last message of the conversation and adds a few deterministic words.
 *
 * <p>Tokens are counted as whitespace-separated words. An answer longer than {@code maxTokens} is
 * cut to that many words and finishes with {@code "length"}, as a real server's would; otherwise it
 * finishes with {@code "stop"}. {@code created} is 0: a wall-clock time would make equal inputs
 * give different documents.
 */
final class ChatCompletionProducer {
  /** How much of the last message the answer quotes, in code points (the studio's preview size). */
  static final int QUOTE_CODE_POINTS = 200;

  private ChatCompletionProducer() {}

  /** The answer: its content, and the whole {@code chat.completion} document. */
  record Answer(String content, JobResult.Json result) {}

  static JobResult produce(Task.Llm llm, String model, InputHash hash) {
    return answer(llm, model, hash).result();
  }

  static Answer answer(Task.Llm llm, String model, InputHash hash) {
    Random random = hash.random();
    String content =
        "Synthetic reply to \""
            + quote(llm.prompt())
            + "\": "
            + SyntheticProse.sentence(random, 8 + random.nextInt(17));
    String finishReason = "stop";
    if (SyntheticProse.wordCount(content) > llm.maxTokens()) {
      content = firstWords(content, llm.maxTokens());
      finishReason = "length";
    }
    int promptTokens = llm.system() == null ? 0 : SyntheticProse.wordCount(llm.system());
    for (ChatMessage message : llm.messages()) {
      promptTokens += SyntheticProse.wordCount(message.content());
    }
    int completionTokens = SyntheticProse.wordCount(content);

    StringBuilder json = new StringBuilder(256 + content.length());
    json.append("{\"id\":").append(JsonText.quote("chatcmpl-" + hash.hex().substring(0, 24)));
    json.append(",\"object\":\"chat.completion\",\"created\":0,\"model\":");
    JsonText.appendQuoted(json, model);
    json.append(",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":");
    JsonText.appendQuoted(json, content);
    json.append("},\"finish_reason\":").append(JsonText.quote(finishReason)).append("}]");
    json.append(",\"usage\":{\"prompt_tokens\":").append(promptTokens);
    json.append(",\"completion_tokens\":").append(completionTokens);
    json.append(",\"total_tokens\":").append(promptTokens + completionTokens).append("}}");
    return new Answer(content, new JobResult.Json(new JsonText(json.toString())));
  }

  /**
   * The content in the pieces a stream hands on: word by word, each word with the whitespace after
   * it (whitespace before the first word is a piece of its own), so that the pieces concatenate to
   * exactly the content.
   */
  static List<String> pieces(String content) {
    List<String> pieces = new ArrayList<>();
    int start = 0;
    int at = 0;
    int length = content.length();
    while (at < length && Character.isWhitespace(content.codePointAt(at))) {
      at += Character.charCount(content.codePointAt(at));
    }
    if (at > 0) {
      pieces.add(content.substring(0, at));
      start = at;
    }
    while (at < length) {
      while (at < length && !Character.isWhitespace(content.codePointAt(at))) {
        at += Character.charCount(content.codePointAt(at));
      }
      while (at < length && Character.isWhitespace(content.codePointAt(at))) {
        at += Character.charCount(content.codePointAt(at));
      }
      pieces.add(content.substring(start, at));
      start = at;
    }
    return pieces;
  }

  /** The start of a message, cut at {@link #QUOTE_CODE_POINTS} code points with an ellipsis. */
  private static String quote(String message) {
    if (message.codePointCount(0, message.length()) <= QUOTE_CODE_POINTS) {
      return message;
    }
    return message.substring(0, message.offsetByCodePoints(0, QUOTE_CODE_POINTS)) + "…";
  }

  /** The first {@code count} whitespace-separated words, joined by single spaces. */
  private static String firstWords(String text, int count) {
    String[] words = text.strip().split("\\s+", count + 1);
    return String.join(" ", Arrays.asList(words).subList(0, Math.min(count, words.length)));
  }
}
