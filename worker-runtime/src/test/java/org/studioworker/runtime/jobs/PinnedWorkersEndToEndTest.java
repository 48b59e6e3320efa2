package org.studioworker.runtime.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.devstudio.DevStudio;
import org.studioworker.devstudio.JobSnapshot;
import org.studioworker.devstudio.JobStatus;
import org.studioworker.devstudio.PendingRequest;
import org.studioworker.gpu.GpuSelector;
import org.studioworker.runtime.config.ConfigStore;
import org.studioworker.runtime.config.WorkerConfig;
import org.studioworker.runtime.daemon.ChildWorker;
import org.studioworker.runtime.daemon.ExitCodes;
import org.studioworker.runtime.daemon.GpuPins;
import org.studioworker.spi.CliDefaults;
import org.studioworker.spi.EngineId;
import org.studioworker.spi.FileRole;
import org.studioworker.spi.ModelFile;
import org.studioworker.spi.ModelSource;
import org.studioworker.spi.Task;

/**
 * One worker per GPU, as real processes against the fake NVML of the gpu-ffm tests (GPU 0: 24 GiB,
 * {@code GPU-00000000-…}; GPU 1: 8 GiB, {@code GPU-55555555-…}): each registers on its own, says
 * which GPU it is, and runs its sd-cli with that GPU alone visible, both at once.
 */
final class PinnedWorkersEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String UUID_0 = "GPU-00000000-1111-2222-3333-444444444444";
  private static final String UUID_1 = "GPU-55555555-6666-7777-8888-999999999999";

  /** A 1×1 lossless WebP. */
  private static final String WEBP_BASE64 = "UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==";

  @TempDir Path dir;

  /**
   * The stand-in sd-cli: records its environment, says it started, then waits (30 s at most) until
   * the other worker's stand-in started too; only then writes its image. A job completes only if
   * both ran at the same time.
   */
  private String standIn(Path own, Path other) {
    return """
        #!/usr/bin/env bash
        env > '%1$s/env'
        touch '%1$s/started'
        for i in $(seq 300); do
          [ -e '%2$s/started' ] && break
          sleep 0.1
        done
        [ -e '%2$s/started' ] || { echo "the other job never started" >&2; exit 1; }
        out=""
        while [ $# -gt 0 ]; do
          if [ "$1" = "-o" ]; then out="$2"; fi
          shift
        done
        echo '%3$s' | base64 -d > "$out"
        """
        .formatted(own, other, WEBP_BASE64);
  }

  private Map<String, String> env(Path nvml) {
    Map<String, String> env = new HashMap<>();
    env.put("STUDIO_WORKER_NVML_LIB", nvml.toString());
    env.put("XDG_CONFIG_HOME", dir.resolve("xdg").toString());
    env.put("HOME", dir.toString());
    env.put("HOSTNAME", "box");
    // Other tests may hold 4787 and 4788; the pinned ports are checked in GpuPinsTest.
    env.put("STUDIO_WORKER_LOCAL_API_PORT", "0");
    return env;
  }

  @Test
  void twoPinnedWorkersRegisterApartAndRunTheirJobsAtOnceEachOnItsGpu() throws Exception {
    Assumptions.assumeTrue(
        FakeLibraries.gccAvailable(), "gcc is needed to build the fake libnvidia-ml.so.1");
    Path nvml = FakeLibraries.nvml(dir);
    // The fake Vulkan loader lists the fake NVML's two GPUs in the other order.
    Path vulkan = FakeLibraries.vulkan(dir);
    byte[] weights = "not really a diffusion model".getBytes();
    List<Process> workers = new ArrayList<>();
    try (ModelFileServer files = new ModelFileServer("/weights.safetensors", weights);
        DevStudio studio = DevStudio.start()) {
      studio.setAutoApprove(false);
      Path[] gpuDirs = {dir.resolve("w0"), dir.resolve("w1")};
      for (int gpu = 0; gpu < 2; gpu++) {
        Path own = Files.createDirectories(gpuDirs[gpu]);
        SdCliStandIn machine = SdCliStandIn.create(own, standIn(own, gpuDirs[1 - gpu]));
        Map<String, String> env = env(nvml);
        env.put("STUDIO_WORKER_VULKAN_LIB", vulkan.toString());
        env.putAll(machine.env());
        // The file `run --gpu N` reads without --config: gpu-N/config.toml.
        Path config = GpuPins.configPath(new GpuSelector.Index(gpu), env);
        assertThat(config)
            .isEqualTo(dir.resolve("xdg/minis-studio-worker/gpu-" + gpu + "/config.toml"));
        Files.createDirectories(config.getParent());
        new ConfigStore(config)
            .save(
                WorkerConfig.defaults()
                    .withApiBaseUrl(studio.baseUrl().toString())
                    .withModelsRoot(machine.models().toString()));
        workers.add(
            ChildWorker.start(
                List.of(ChildWorker.testClassPathEntry("sd-cpp")),
                env,
                own.resolve("worker.log"),
                "run",
                "--gpu",
                Integer.toString(gpu)));
      }

      Awaitility.await().atMost(WAIT).until(() -> studio.pendingRequests().size() == 2);
      Map<String, String> workerIds = new HashMap<>();
      Map<String, Double> vram = new HashMap<>();
      for (PendingRequest request : studio.pendingRequests()) {
        String name = request.capabilities().machineName();
        vram.put(name, request.capabilities().vramTotalGb());
        workerIds.put(name, studio.approve(request.requestId()).workerId());
      }
      assertThat(vram).containsOnly(Map.entry("box GPU 0", 24.0), Map.entry("box GPU 1", 8.0));
      for (String workerId : workerIds.values()) {
        studio.awaitConnected(workerId, WAIT);
      }

      ModelSource source =
          new ModelSource(
              EngineId.SD_CPP,
              List.of(
                  new ModelFile(
                      FileRole.DIFFUSION_MODEL,
                      files.url(),
                      "weights.safetensors",
                      (long) weights.length,
                      null)),
              CliDefaults.of(4.5, 8, 512, 512));
      List<String> jobs = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        jobs.add(
            studio.submitJob(
                "tiny-diffusion",
                1.0,
                new Task.Image(
                    "a red fox",
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    512,
                    512,
                    20,
                    7L,
                    "webp"),
                source));
      }
      for (String jobId : jobs) {
        JobSnapshot done =
            studio.awaitJob(
                jobId,
                s -> s.status() == JobStatus.COMPLETED || s.status() == JobStatus.FAILED,
                WAIT);
        assertThat(done.status())
            .as(
                "job error: %s; logs:%n%s%n%s",
                done.error(),
                Files.readString(gpuDirs[0].resolve("worker.log")),
                Files.readString(gpuDirs[1].resolve("worker.log")))
            .isEqualTo(JobStatus.COMPLETED);
      }
      assertThat(Files.readAllLines(gpuDirs[0].resolve("env")))
          .contains("CUDA_VISIBLE_DEVICES=" + UUID_0, "GGML_VK_VISIBLE_DEVICES=1")
          .noneMatch(line -> line.startsWith("NOTIFY_SOCKET="));
      assertThat(Files.readAllLines(gpuDirs[1].resolve("env")))
          .contains("CUDA_VISIBLE_DEVICES=" + UUID_1, "GGML_VK_VISIBLE_DEVICES=0");
      assertThat(Files.readString(gpuDirs[0].resolve("worker.log")))
          .contains("GPU 0 is Vulkan device 1: engines get GGML_VK_VISIBLE_DEVICES=1");
      assertThat(dir.resolve("xdg/minis-studio-worker/gpu-1/local-api.json")).exists();
    } finally {
      for (Process worker : workers) {
        worker.destroy();
      }
      for (Process worker : workers) {
        worker.waitFor(20, TimeUnit.SECONDS);
        worker.destroyForcibly();
      }
    }
  }

  @Test
  void aPinToAGpuThatIsNotThereFailsAtStartNamingTheGpusThereAre() throws Exception {
    Assumptions.assumeTrue(
        FakeLibraries.gccAvailable(), "gcc is needed to build the fake libnvidia-ml.so.1");
    Path nvml = FakeLibraries.nvml(dir);
    Path log = dir.resolve("worker.log");

    Process worker = ChildWorker.start(List.of(), env(nvml), log, "run", "--gpu", "7");

    assertThat(worker.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(worker.exitValue()).isEqualTo(ExitCodes.CONFIG);
    assertThat(Files.readString(log))
        .contains(
            "--gpu 7: no such GPU; this machine has GPU 0 (Fake GPU 24GB, "
                + UUID_0
                + "), GPU 1 (Fake \"Quoted\" GPU 8GB, "
                + UUID_1
                + ")");
  }
}
