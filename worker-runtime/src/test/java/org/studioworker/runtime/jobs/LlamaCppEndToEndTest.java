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
import org.junit.jupiter.api.Assumptions;
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

  private final byte[] gguf = "GGUF not really".getBytes();

  /** The stand-in llama-server, answering every chat with {@link #REPLY}; its folder records. */
  private Path standInServer() throws Exception {
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
    return server;
  }

  private Process startWorker(DevStudio studio, WorkerCredentials worker, Map<String, String> env)
      throws Exception {
    Path config = WorkerHarness.writeConfig(dir, studio, worker);
    Process process =
        ChildWorker.start(
            List.of(ChildWorker.testClassPathEntry("llama-cpp")),
            env,
            dir.resolve("worker.log"),
            "--config",
            config.toString(),
            "run");
    studio.awaitConnected(worker.workerId(), WAIT);
    return process;
  }

  private ModelSource llama() {
    return new ModelSource(
        EngineId.LLAMA_CPP,
        List.of(new ModelFile(FileRole.MODEL, files.url(), "tiny.gguf", (long) gguf.length, null)),
        new CliDefaults(0, 0, 0, 0, null, null, null, null, 2048, null));
  }

  private JobSnapshot runJob(DevStudio studio, double vramGb, String prompt) throws Exception {
    String jobId =
        studio.submitJob(
            "tiny-llm", vramGb, Task.Llm.of(List.of(new ChatMessage("user", prompt))), llama());
    JobSnapshot done =
        studio.awaitJob(
            jobId, s -> s.status() == JobStatus.COMPLETED || s.status() == JobStatus.FAILED, WAIT);
    assertThat(done.status())
        .as(
            "job error: %s; worker log:%n%s",
            done.error(), Files.readString(dir.resolve("worker.log")))
        .isEqualTo(JobStatus.COMPLETED);
    return done;
  }

  private static void stop(Process process) throws InterruptedException {
    process.destroy();
    process.waitFor(20, TimeUnit.SECONDS);
    process.destroyForcibly();
  }

  @Test
  void llmJobRunsThroughAManagedLlamaServer() throws Exception {
    files = new ModelFileServer("/tiny.gguf", gguf);
    Path server = standInServer();
    Path standIn = server.getParent();

    try (DevStudio studio = DevStudio.start()) {
      WorkerCredentials worker = studio.createWorker();
      Process process =
          startWorker(studio, worker, Map.of("STUDIO_WORKER_LLAMA_SERVER", server.toString()));
      try {
        JobSnapshot done = runJob(studio, 1.0, "Say hello like a pirate.");

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
        stop(process);
      }
    }
  }

  /**
   * The second job of a model that the engine keeps loaded is accepted although the GPU's free
   * memory dropped below its estimate: the memory the resident llama-server holds is the memory the
   * job needs. The GPUs are the fake NVML of the gpu-ffm tests, steered through a file.
   */
  @Test
  void secondJobForTheResidentModelIsAcceptedAlthoughFreeVramDropped() throws Exception {
    Assumptions.assumeTrue(
        FakeLibraries.gccAvailable(), "gcc is needed to build the fake libnvidia-ml.so.1");
    Path nvml = FakeLibraries.nvml(dir);
    Path free = dir.resolve("nvml-free");
    Files.writeString(free, (20L << 30) + " " + (6L << 30) + "\n");
    files = new ModelFileServer("/tiny.gguf", gguf);
    Path server = standInServer();

    try (DevStudio studio = DevStudio.start()) {
      WorkerCredentials worker = studio.createWorker();
      Process process =
          startWorker(
              studio,
              worker,
              Map.of(
                  "STUDIO_WORKER_LLAMA_SERVER", server.toString(),
                  "STUDIO_WORKER_NVML_LIB", nvml.toString(),
                  "FAKE_NVML_FREE_FILE", free.toString()));
      try {
        runJob(studio, 10.0, "first");
        // The loaded model now holds the memory: 2 GB and 1 GB free, far below 10 GB.
        Files.writeString(free, (2L << 30) + " " + (1L << 30) + "\n");

        runJob(studio, 10.0, "second");

        assertThat(studio.framesFrom(worker.workerId()))
            .filteredOn(f -> f.type().equals("reject"))
            .isEmpty();
        org.awaitility.Awaitility.await()
            .atMost(WAIT)
            .until(
                () ->
                    studio.logs(worker.workerId()).stream()
                        .anyMatch(
                            e ->
                                e.message()
                                    .contains(
                                        "already holds 10.0 GB of VRAM for a resident model")));
        assertThat(Files.readString(server.getParent().resolve("starts")).lines())
            .as("one llama-server served both jobs")
            .hasSize(1);
      } finally {
        stop(process);
      }
    }
  }
}
