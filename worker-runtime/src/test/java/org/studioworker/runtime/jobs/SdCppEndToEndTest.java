package org.studioworker.runtime.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
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
import org.studioworker.spi.CliDefaults;
import org.studioworker.spi.EngineId;
import org.studioworker.spi.FileRole;
import org.studioworker.spi.ModelFile;
import org.studioworker.spi.ModelSource;
import org.studioworker.spi.Task;

/**
 * An image job through the whole product: the reference studio offers it, the worker (a real
 * process, engines found on the module path) downloads and verifies the model file, runs a stand-in
 * {@code sd-cli} that checks nothing but records its arguments and writes a real image in the
 * format of its {@code -o} extension, and uploads the result. As in the original worker, the task's
 * default {@code ext} gives a WebP.
 */
final class SdCppEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(40);

  /** A 1×1 PNG. */
  private static final String PNG_BASE64 =
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";

  /** A 1×1 lossless WebP. */
  private static final String WEBP_BASE64 = "UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==";

  @TempDir Path dir;

  private ModelFileServer files;

  @AfterEach
  void stopFiles() {
    if (files != null) {
      files.close();
    }
  }

  @Test
  void imageJobRunsThroughSdCliAndItsWebpReachesTheStudio() throws Exception {
    byte[] weights = "not really a diffusion model".getBytes();
    files = new ModelFileServer("/weights.safetensors", weights);

    Path args = dir.resolve("sd-cli.args");
    SdCliStandIn machine =
        SdCliStandIn.create(
            dir,
            """
        #!/usr/bin/env bash
        printf '%%s\\n' "$@" > '%s'
        out=""
        while [ $# -gt 0 ]; do
          if [ "$1" = "-o" ]; then out="$2"; fi
          shift
        done
        case "$out" in
          *.webp) echo '%s' | base64 -d > "$out" ;;
          *) echo '%s' | base64 -d > "$out" ;;
        esac
        echo "sampling done" >&2
        """
                .formatted(args, WEBP_BASE64, PNG_BASE64));
    Path models = machine.models();

    try (DevStudio studio = DevStudio.start()) {
      WorkerCredentials worker = studio.createWorker();
      Path config = WorkerHarness.writeConfig(dir, studio, worker);
      Process process =
          ChildWorker.start(
              List.of(ChildWorker.testClassPathEntry("sd-cpp")),
              machine.env(),
              dir.resolve("worker.log"),
              "--config",
              config.toString(),
              "run");
      try {
        studio.awaitConnected(worker.workerId(), WAIT);
        ModelSource source =
            new ModelSource(
                EngineId.SD_CPP,
                List.of(
                    new ModelFile(
                        FileRole.DIFFUSION_MODEL,
                        files.url(),
                        "weights.safetensors",
                        (long) weights.length,
                        sha256(weights))),
                CliDefaults.of(4.5, 8, 1024, 1024));
        String jobId =
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
                source);

        JobSnapshot done =
            studio.awaitJob(
                jobId,
                s -> s.status() == JobStatus.COMPLETED || s.status() == JobStatus.FAILED,
                WAIT);

        assertThat(done.status())
            .as(
                "job error: %s; worker log:%n%s",
                done.error(), Files.readString(dir.resolve("worker.log")))
            .isEqualTo(JobStatus.COMPLETED);
        assertThat(done.ext()).isEqualTo("webp");
        assertThat(studio.result(jobId).orElseThrow().bytes())
            .isEqualTo(java.util.Base64.getDecoder().decode(WEBP_BASE64));
        Path local = models.resolve("tiny-diffusion").resolve("weights.safetensors");
        assertThat(local).hasBinaryContent(weights);
        List<String> argv = Files.readAllLines(args);
        assertThat(argv)
            .containsSequence("--diffusion-model", local.toString())
            .containsSequence("-p", "a red fox")
            .anyMatch(arg -> arg.endsWith(".webp"))
            // The model's defaults win where the task kept its own defaults.
            .containsSequence("-W", "1024")
            .containsSequence("--steps", "8")
            .containsSequence("--seed", "7");
        // The image went over as a file handed to the runtime, which deletes it once delivered.
        Path engineDir = Path.of(argv.get(argv.indexOf("-o") + 1)).getParent().getParent();
        await()
            .atMost(WAIT)
            .untilAsserted(
                () -> {
                  try (Stream<Path> left = Files.list(engineDir)) {
                    assertThat(left.map(p -> p.getFileName().toString())).isEmpty();
                  }
                });
      } finally {
        process.destroy();
        process.waitFor(20, TimeUnit.SECONDS);
        process.destroyForcibly();
      }
    }
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
