package org.studioworker.executors.llamacpp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
