package org.studioworker.dist;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.studioworker.devstudio.DevStudio;
import org.studioworker.devstudio.JobSnapshot;
import org.studioworker.devstudio.JobStatus;
import org.studioworker.devstudio.StoredResult;
import org.studioworker.runtime.Version;
import org.studioworker.runtime.config.ConfigStore;
import org.studioworker.runtime.config.WorkerConfig;
import org.studioworker.runtime.daemon.WorkerDaemon;
import org.studioworker.runtime.lifecycle.LoopSchedule;
import org.studioworker.runtime.logs.LogSetup;
import org.studioworker.spi.ChatMessage;
import org.studioworker.spi.CliDefaults;
import org.studioworker.spi.EngineId;
import org.studioworker.spi.ModelSource;
import org.studioworker.spi.Task;

/**
 * {@code studio-worker demo}: the reference studio and a real worker on loopback, one job of every
 * kind through the synthetic engine, the outputs in {@code ./demo-out/} and a table.
 *
 * <p>The worker goes through the real registration (the studio auto-approves), the real session and
 * the real result routes; nothing is short-circuited.
 */
final class Demo {
  /** Every job must be done within this; the synthetic engine needs well under a second each. */
  private static final Duration JOB_TIMEOUT = Duration.ofSeconds(60);

  private Demo() {}

  private record Submitted(String kind, String jobId, long submittedNanos) {}

  static int run(String[] args) throws Exception {
    PrintStream out = System.out;
    Path outDir = Path.of(args.length > 0 ? args[0] : "demo-out").toAbsolutePath();
    String warning = LogSetup.install(System.getenv(), Version.current());
    LogSetup.quiet("org.studioworker.devstudio");
    if (warning != null) {
      System.err.println(warning);
    }
    Path home = Files.createTempDirectory("studio-worker-demo-");
    try (DevStudio studio = DevStudio.start(DevStudio.Options.defaults().withAutoApprove(true))) {
      out.println("reference studio listening on " + studio.baseUrl());
      Path configPath = home.resolve("config.toml");
      new ConfigStore(configPath)
          .save(
              WorkerConfig.defaults()
                  .withApiBaseUrl(studio.baseUrl().toString())
                  .withModelsRoot(home.resolve("models").toString()));
      out.println("worker config " + configPath);

      WorkerDaemon daemon =
          new WorkerDaemon(
              WorkerDaemon.Options.of(configPath, System.getenv())
                  .withSchedule(
                      // The studio approves at once: poll every half second, not every 30.
                      LoopSchedule.standard().withRegistrationPoll(Duration.ofMillis(500)))
                  .withSignals(false));
      Thread worker = Thread.ofPlatform().name("worker").start(daemon::run);
      try {
        List<Submitted> jobs = submitAll(studio);
        out.println("submitted " + jobs.size() + " jobs; waiting for the worker");
        List<String[]> rows = new ArrayList<>();
        boolean allDone = true;
        Files.createDirectories(outDir);
        for (Submitted job : jobs) {
          JobSnapshot snapshot = await(studio, job.jobId());
          double seconds = (System.nanoTime() - job.submittedNanos()) / 1e9;
          String file = "-";
          if (snapshot.status() == JobStatus.COMPLETED) {
            file = save(studio, snapshot, job.kind(), outDir);
          } else {
            allDone = false;
          }
          rows.add(
              new String[] {
                job.jobId(),
                job.kind(),
                snapshot.status().name().toLowerCase(Locale.ROOT)
                    + (snapshot.error() == null ? "" : " (" + snapshot.error() + ")"),
                String.format(Locale.ROOT, "%.2f", seconds),
                file
              });
        }
        daemon.stop().escalate("demo finished");
        worker.join(Duration.ofSeconds(15));
        out.println();
        printTable(out, rows);
        out.println();
        out.println(
            allDone
                ? "all jobs completed; outputs in " + outDir
                : "some jobs did not complete; see the worker's log above");
        return allDone ? 0 : 1;
      } finally {
        daemon.stop().escalate("demo finished");
        worker.join(Duration.ofSeconds(15));
      }
    } finally {
      deleteQuietly(home);
    }
  }

  private static List<Submitted> submitAll(DevStudio studio) {
    ModelSource source =
        new ModelSource(EngineId.SYNTHETIC, List.of(), CliDefaults.of(7.0, 20, 512, 512));
    Map<String, Task> tasks = new LinkedHashMap<>();
    tasks.put(
        "image",
        new Task.Image(
            "a lighthouse at dusk, pixel art",
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            256,
            256,
            20,
            42L,
            "webp"));
    tasks.put(
        "llm",
        Task.Llm.of(
            List.of(
                new ChatMessage("user", "Write a one-line quest hook for a lighthouse keeper."))));
    tasks.put("audio_tts", Task.AudioTts.of("Welcome back, keeper. The lamp is lit."));
    tasks.put(
        "audio_stt",
        new Task.AudioStt(
            studio.baseUrl() + "dev/samples/greeting.wav", "en", null, null, null, null));
    tasks.put(
        "video",
        new Task.Video("waves rolling under a beam of light", null, null, 1.0, 8, 160, 120, "mp4"));
    List<Submitted> jobs = new ArrayList<>();
    tasks.forEach(
        (kind, task) ->
            jobs.add(
                new Submitted(
                    kind,
                    studio.submitJob(
                        "demo", "lighthouse-" + kind, "synthetic-" + kind, 1.0, task, source),
                    System.nanoTime())));
    return jobs;
  }

  private static JobSnapshot await(DevStudio studio, String jobId) {
    try {
      return studio.awaitJob(
          jobId,
          s -> s.status() == JobStatus.COMPLETED || s.status() == JobStatus.FAILED,
          JOB_TIMEOUT);
    } catch (IllegalStateException e) {
      return studio.job(jobId).orElseThrow();
    }
  }

  private static String save(DevStudio studio, JobSnapshot snapshot, String kind, Path outDir)
      throws IOException {
    Path file;
    if (snapshot.result() != null) {
      file = outDir.resolve(kind + ".json");
      Files.writeString(file, snapshot.result().json() + "\n", StandardCharsets.UTF_8);
    } else {
      StoredResult stored = studio.result(snapshot.jobId()).orElseThrow();
      String ext = snapshot.ext() == null ? "bin" : snapshot.ext();
      file = outDir.resolve(kind + "." + ext);
      Files.write(file, stored.bytes());
    }
    Path cwd = Path.of("").toAbsolutePath();
    Path shown = file.startsWith(cwd) ? cwd.relativize(file) : file;
    return shown + " (" + Files.size(file) + " bytes)";
  }

  private static void printTable(PrintStream out, List<String[]> rows) {
    String[] header = {"job", "kind", "status", "seconds", "output"};
    int[] widths = new int[header.length];
    for (int i = 0; i < header.length; i++) {
      widths[i] = header[i].length();
      for (String[] row : rows) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    printRow(out, header, widths);
    String[] rule = new String[header.length];
    for (int i = 0; i < rule.length; i++) {
      rule[i] = "-".repeat(widths[i]);
    }
    printRow(out, rule, widths);
    for (String[] row : rows) {
      printRow(out, row, widths);
    }
  }

  private static void printRow(PrintStream out, String[] cells, int[] widths) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < cells.length; i++) {
      line.append(String.format(Locale.ROOT, "%-" + widths[i] + "s", cells[i]));
      if (i < cells.length - 1) {
        line.append("  ");
      }
    }
    out.println(line.toString().stripTrailing());
  }

  private static void deleteQuietly(Path root) {
    try (var paths = Files.walk(root)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A temp folder left behind is harmless.
    }
  }
}
