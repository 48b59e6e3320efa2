package org.studioworker.runtime.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.devstudio.DevStudio;
import org.studioworker.devstudio.JobSnapshot;
import org.studioworker.devstudio.JobStatus;
import org.studioworker.devstudio.WorkerCredentials;
import org.studioworker.runtime.daemon.ChildWorker;
import org.studioworker.runtime.daemon.WorkerHarness;
import org.studioworker.spi.ChatMessage;
import org.studioworker.spi.CliDefaults;
import org.studioworker.spi.EngineId;
import org.studioworker.spi.FileRole;
import org.studioworker.spi.ModelFile;
import org.studioworker.spi.ModelSource;
import org.studioworker.spi.Task;

/**
 * An llm job through the whole product: the reference studio offers it, the worker (a real process)
 * downloads the GGUF file, starts the engine's stand-in {@code llama-server} (the one the llama-cpp
 * module's own tests use), asks it for a chat completion and sends the answer back.
 */
final class LlamaCppEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  private static final String REPLY =
      "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"tiny\","
          + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Ahoy.\"},"
          + "\"finish_reason\":\"stop\"}]}";

  @TempDir Path dir;

  private ModelFileServer files;

  @AfterEach
  void stopFiles() {
    if (files != null) {
      files.close();
    }
  }

  @Test
  void llmJobRunsThroughAManagedLlamaServer() throws Exception {
    byte[] gguf = "GGUF not really".getBytes();
    files = new ModelFileServer("/tiny.gguf", gguf);

    Path standIn = Files.createDirectories(dir.resolve("llama"));
    Files.writeString(standIn.resolve("reply.json"), REPLY);
    Path source =
        Path.of("../executors/llama-cpp/src/test/resources/LlamaServerStandIn.java")
            .toAbsolutePath()
            .normalize();
    Path server = standIn.resolve("llama-server");
    Files.writeString(
        server,
        """
        #!/usr/bin/env bash
        export STANDIN_DIR='%s'
        exec '%s' -XX:+UseSerialGC '%s' "$@"
        """
            .formatted(standIn, Path.of(System.getProperty("java.home"), "bin", "java"), source));
    Files.setPosixFilePermissions(server, PosixFilePermissions.fromString("rwxr-xr-x"));

    try (DevStudio studio = DevStudio.start()) {
      WorkerCredentials worker = studio.createWorker();
      Path config = WorkerHarness.writeConfig(dir, studio, worker);
      Path log = dir.resolve("worker.log");
      Process process =
          ChildWorker.start(
              List.of(ChildWorker.testClassPathEntry("llama-cpp")),
              Map.of("STUDIO_WORKER_LLAMA_SERVER", server.toString()),
              log,
              "--config",
              config.toString(),
              "run");
      try {
        studio.awaitConnected(worker.workerId(), WAIT);
        ModelSource llama =
            new ModelSource(
                EngineId.LLAMA_CPP,
                List.of(
                    new ModelFile(
                        FileRole.MODEL, files.url(), "tiny.gguf", (long) gguf.length, null)),
                new CliDefaults(0, 0, 0, 0, null, null, null, null, 2048, null));
        String jobId =
            studio.submitJob(
                "tiny-llm",
                1.0,
                Task.Llm.of(List.of(new ChatMessage("user", "Say hello like a pirate."))),
                llama);

        JobSnapshot done =
            studio.awaitJob(
                jobId,
                s -> s.status() == JobStatus.COMPLETED || s.status() == JobStatus.FAILED,
                WAIT);

        assertThat(done.status())
            .as("job error: %s; worker log:%n%s", done.error(), Files.readString(log))
            .isEqualTo(JobStatus.COMPLETED);
        assertThat(done.result()).isNotNull();
        assertThat(done.result().json()).contains("Ahoy.").contains("chat.completion");
        assertThat(done.prompt()).isEqualTo("Say hello like a pirate.");
        String starts = Files.readString(standIn.resolve("starts"));
        assertThat(starts).contains("tiny.gguf").contains("2048");
        try (Stream<Path> requests = Files.list(standIn)) {
          assertThat(requests.filter(p -> p.getFileName().toString().startsWith("request-")))
              .singleElement()
              .satisfies(p -> assertThat(Files.readString(p)).contains("Say hello like a pirate."));
        }
      } finally {
        process.destroy();
        process.waitFor(20, TimeUnit.SECONDS);
        process.destroyForcibly();
      }
    }
  }
}
