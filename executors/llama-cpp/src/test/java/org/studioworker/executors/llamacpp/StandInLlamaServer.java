package org.studioworker.executors.llamacpp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A stand-in {@code llama-server}: a bash script that runs {@code LlamaServerStandIn.java} (test
 * resources) with this JVM's {@code java}, and what it recorded: its starts and the requests it was
 * sent.
 */
final class StandInLlamaServer {
  /** One start of the stand-in: its PID and the arguments it was given. */
  record Start(long pid, List<String> arguments) {}

  private final Path dir;
  private final Path script;

  private StandInLlamaServer(Path dir, Path script) {
    this.dir = dir;
    this.script = script;
  }

  static StandInLlamaServer write(Path dir, String reply) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("reply.json"), reply);
    Files.write(dir.resolve("stream.sse"), events(reply, 4), StandardCharsets.UTF_8);
    Path source = Path.of("src/test/resources/LlamaServerStandIn.java").toAbsolutePath();
    String java = ProcessHandle.current().info().command().orElse("java");
    String text =
        """
        #!/bin/bash
        export STANDIN_DIR='%1$s'
        env > '%1$s/env'
        exec '%2$s' -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto '%3$s' "$@"
        """
            .formatted(dir, java, source);
    Path script = dir.resolve("llama-server");
    Files.writeString(script, text, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    return new StandInLlamaServer(dir, script);
  }

  /**
   * The events llama-server streams for {@code reply}, one a line: a first chunk with the role, the
   * content in pieces of {@code pieceChars} characters (whole code points), a chunk with the finish
   * reason, a chunk with the usage and no choice, and {@code [DONE]}.
   */
  @SuppressWarnings("unchecked")
  static List<String> events(String reply, int pieceChars) {
    Map<String, Object> doc = (Map<String, Object>) JsonReader.parse(reply);
    Map<String, Object> choice =
        (Map<String, Object>) ((List<Object>) doc.get("choices")).getFirst();
    String content = (String) ((Map<String, Object>) choice.get("message")).get("content");
    List<String> events = new ArrayList<>();
    events.add(chunk(doc, "{\"role\":\"assistant\",\"content\":null}", "null", null));
    int at = 0;
    while (at < content.length()) {
      int end = Math.min(content.length(), at + pieceChars);
      if (end < content.length() && Character.isHighSurrogate(content.charAt(end - 1))) {
        end++;
      }
      String delta = new JsonWriter().string("content", content.substring(at, end)).close();
      events.add(chunk(doc, delta, "null", null));
      at = end;
    }
    events.add(chunk(doc, "{}", JsonWriter.quote((String) choice.get("finish_reason")), null));
    Object usage = doc.get("usage");
    if (usage != null) {
      StringBuilder json = new StringBuilder();
      JsonWriter.write(json, usage);
      events.add(chunk(doc, null, null, json.toString()));
    }
    events.add("data: [DONE]");
    return events;
  }

  private static String chunk(
      Map<String, Object> doc, String delta, String finishReason, String usage) {
    JsonWriter chunk =
        new JsonWriter()
            .string("id", (String) doc.get("id"))
            .string("object", "chat.completion.chunk")
            .value("created", doc.get("created"))
            .string("model", (String) doc.get("model"));
    if (delta == null) {
      chunk.raw("choices", "[]").raw("usage", usage);
    } else {
      chunk.raw(
          "choices",
          "[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":" + finishReason + "}]");
    }
    return "data: " + chunk.close();
  }

  /** Makes the stand-in stream these events, one a line, from its next request on. */
  void streamEvents(List<String> events) throws IOException {
    Files.write(dir.resolve("stream.sse"), events, StandardCharsets.UTF_8);
  }

  /** How many events each streamed request whose client went away had been sent, in order. */
  List<Long> disconnects() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(p -> p.getFileName().toString().matches("disconnected-\\d+-\\d+"))
          .sorted()
          .map(p -> Long.parseLong(readString(p).strip()))
          .toList();
    }
  }

  private static String readString(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  Path path() {
    return script;
  }

  /** The environment of the last start, one {@code NAME=value} a line. */
  List<String> lastEnvironment() throws IOException {
    return Files.readAllLines(dir.resolve("env"), StandardCharsets.UTF_8);
  }

  /** Sets how the stand-in behaves from its next start or request on. */
  void mode(String mode) throws IOException {
    Files.writeString(dir.resolve("mode"), mode);
  }

  List<Start> starts() throws IOException {
    Path file = dir.resolve("starts");
    if (!Files.exists(file)) {
      return List.of();
    }
    List<Start> starts = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      List<String> parts = Arrays.asList(line.split("\0", -1));
      starts.add(new Start(Long.parseLong(parts.getFirst()), parts.subList(1, parts.size())));
    }
    return starts;
  }

  /** The chat completion requests received so far, in order, parsed. */
  List<Object> requests() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(p -> p.getFileName().toString().matches("request-\\d+-\\d+\\.json"))
          .sorted()
          .map(StandInLlamaServer::read)
          .toList();
    }
  }

  private static Object read(Path file) {
    try {
      return JsonReader.parse(Files.readString(file));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
