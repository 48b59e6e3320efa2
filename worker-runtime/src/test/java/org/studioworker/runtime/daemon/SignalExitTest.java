package org.studioworker.runtime.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.devstudio.DevStudio;
import org.studioworker.devstudio.JobStatus;
import org.studioworker.devstudio.WorkerCredentials;
import org.studioworker.protocol.LogEntry;
import org.studioworker.spi.ChatMessage;
import org.studioworker.spi.Task;

/** The real process: SIGTERM must end it with 0 after the last logs reached the studio. */
final class SignalExitTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void sigtermInARealProcessExitsZeroAndFlushesTheLastLogs() throws Exception {
    try (DevStudio studio = DevStudio.start()) {
      WorkerCredentials worker = studio.createWorker();
      Path config = WorkerHarness.writeConfig(dir, studio, worker);
      Path output = dir.resolve("worker.log");
      Process process =
          ChildWorker.start(
              List.of(ChildWorker.testClassPathEntry("synthetic")),
              output,
              "--config",
              config.toString(),
              "run");
      try {
        studio.awaitConnected(worker.workerId(), WAIT);
        String jobId =
            studio.submitJob(
                "synthetic-llm",
                1.0,
                Task.Llm.of(List.of(new ChatMessage("user", "hello"))),
                WorkerHarness.SYNTHETIC);
        studio.awaitJobStatus(jobId, JobStatus.COMPLETED, WAIT);

        process.destroy(); // SIGTERM

        assertThat(process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();
        List<String> shipped =
            studio.logs(worker.workerId()).stream().map(LogEntry::message).toList();
        assertThat(shipped)
            .anyMatch(line -> line.startsWith("received SIGTERM"))
            .anyMatch(line -> line.startsWith("shutting down: flushing the last log batch"));
        assertThat(Files.readString(output)).contains("received SIGTERM");
      } finally {
        process.destroyForcibly();
      }
    }
  }
}
