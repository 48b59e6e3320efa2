package org.studioworker.dist;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.studioworker.devstudio.DevStudio;
import org.studioworker.devstudio.JobReport;
import org.studioworker.devstudio.JobSnapshot;
import org.studioworker.devstudio.JobStatus;
import org.studioworker.devstudio.WireFrame;
import org.studioworker.devstudio.WorkerCredentials;
import org.studioworker.protocol.Capabilities;
import org.studioworker.protocol.FrameCodec;
import org.studioworker.protocol.LogEntry;
import org.studioworker.protocol.StudioFrame;
import org.studioworker.protocol.WorkerFrame;
import org.studioworker.runtime.http.StudioHttp;
import org.studioworker.runtime.lifecycle.LoopSchedule;
import org.studioworker.runtime.logs.LogShipQueue;
import org.studioworker.runtime.models.ModelStore;
import org.studioworker.runtime.status.Traffic;
import org.studioworker.spi.ChatMessage;
import org.studioworker.spi.CliDefaults;
import org.studioworker.spi.EngineId;
import org.studioworker.spi.FileRole;
import org.studioworker.spi.ModelFile;
import org.studioworker.spi.ModelSource;
import org.studioworker.spi.Task;
import org.studioworker.spi.TaskKind;

/**
 * The worker's performance figures, each next to its floor measured in the same run, printed as one
 * table (docs/performance.md has the command, a result and what each row measures). Not a test:
 * {@code ./mvnw verify} does not run it.
 *
 * <p>Arguments: {@code [runs (5)] [idle seconds (20)] [archive
 * (dist/target/studio-worker-*-linux-x64.tar.gz)]}. Every figure is the median of {@code runs}
 * runs. The worker is the packaged {@code bin/studio-worker run} against an embedded reference
 * studio on loopback; the floors run on the package's jlink runtime, the JDK's own clients, a small
 * Node server ({@code bench/floor-server.js}, no npm dependencies), curl and openssl. A figure that
 * cannot be measured is printed as {@code n/a} with the reason.
 */
final class FiguresBenchmark {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final int UPLOAD_BYTES = 64 << 20;
  private static final long MODEL_BYTES = 512L << 20;

  /** Offers per run for offer → accept, and the pause after each job (the pacing). */
  private static final int PACED_JOBS = 100;

  private static final Duration PACE = Duration.ofMillis(20);

  /** Jobs per run, queued at once, for the back-to-back figure. */
  private static final int BACK_TO_BACK_JOBS = 200;

  /** Log shipping: lines a second, seconds a phase; the ship queue's capacity (its cap). */
  private static final int LOG_RATE = 10_000;

  private static final int LOG_SECONDS = 3;

  private static final String SD_MODEL = "bench-diffusion";
  private static final String CURL_MODEL = "curl-floor";
  private static final Pattern JOB_ID = Pattern.compile("\"jobId\"\\s*:\\s*\"([^\"]+)\"");
  private static final FrameCodec CODEC = new FrameCodec();

  /** One line of the table. */
  private record Row(String figure, String ours, String floor, String ratio) {
    static Row na(String figure, String why) {
      return new Row(figure, "n/a", "n/a", why);
    }
  }

  private final int runs;
  private final int idleSeconds;
  private final Path dir;
  private final Path root;
  private final Path java;
  private final Path helloClasses;
  private final Path files;
  private final Map<String, String> workerEnv;
  private final HttpClient http = StudioHttp.client(Duration.ofSeconds(10));
  private final List<Row> rows = new ArrayList<>();

  private FiguresBenchmark(int runs, int idleSeconds, Path dir, Path archive) throws Exception {
    this.runs = runs;
    this.idleSeconds = idleSeconds;
    this.dir = dir;
    this.root = dir.resolve("root");
    PackagedInstall.install(archive, dir.resolve("unpacked"), root);
    this.java = root.resolve("current/runtime/bin/java").toRealPath();
    this.helloClasses = BenchProcesses.compileHello(dir);
    this.files = Files.createDirectories(dir.resolve("files"));
    this.workerEnv = sdCliStandIn();
  }

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    if (runs < 1) {
      throw new IllegalArgumentException("runs must be at least 1");
    }
    int idleSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    Path archive =
        (args.length > 2 ? Path.of(args[2]) : BenchProcesses.findArchive(Path.of("dist/target")))
            .toAbsolutePath();
    Path dir = Files.createTempDirectory("figures-benchmark-");
    System.out.printf(
        "archive %s, %d runs, idle %d s, scratch %s%n", archive, runs, idleSeconds, dir);
    try {
      new FiguresBenchmark(runs, idleSeconds, dir, archive).run();
    } finally {
      BenchProcesses.deleteTree(dir);
    }
  }

  private void run() throws Exception {
    byte[] weights = "not really a diffusion model".getBytes(StandardCharsets.UTF_8);
    Files.write(files.resolve("weights.safetensors"), weights);
    Path blob = dir.resolve("result.png");
    writeRandom(
        blob, UPLOAD_BYTES, new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    String modelSha = writeRandom(files.resolve("model.bin"), MODEL_BYTES, new byte[0]);
    Files.copy(blob, dir.resolve("sd-blob.png"));

    Process worker = null;
    Process sleeper = null;
    try (FloorServer floor = FloorServer.start(dir, files);
        DevStudio studio =
            DevStudio.start(
                DevStudio.Options.defaults()
                    .withMaxBodyBytes(256L << 20)
                    .withMaxLogEntries(100_000))) {
      System.out.println("measuring start-up and --version");
      List<Double> helloStarts = new ArrayList<>();
      for (int i = 0; i < runs; i++) {
        helloStarts.add(helloStartMillis());
      }
      List<Double> workerStarts = new ArrayList<>();
      WorkerCredentials credentials = null;
      for (int i = 0; i < runs; i++) {
        boolean last = i == runs - 1;
        if (last) {
          // The sleeping hello-world of the idle-memory row, idle as long as the worker.
          sleeper = BenchProcesses.hello(java, helloClasses).start();
          BenchProcesses.firstLine(sleeper, WAIT);
        }
        Started started = startWorker(studio, i);
        worker = started.process();
        credentials = started.credentials();
        String id = credentials.workerId();
        workerStarts.add(started.millisToHello());
        if (!last) {
          studio.awaitConnected(id, WAIT);
          BenchProcesses.stop(worker);
          worker = null;
        }
      }
      double helloStart = median(helloStarts);
      rows.add(
          new Row(
              "exec → studio has `hello`",
              ms(median(workerStarts)),
              "hello-world start " + ms(helloStart),
              ratio(median(workerStarts), helloStart)));
      rows.add(versionRow());

      String id = Objects.requireNonNull(credentials).workerId();
      studio.awaitConnected(id, WAIT);
      if (Objects.requireNonNull(worker).waitFor(idleSeconds, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the worker exited while idle");
      }
      if (!BenchProcesses.welcomed(studio, id)) {
        throw new IllegalStateException("the worker is no longer connected");
      }
      double workerRss = BenchProcesses.rssKib(BenchProcesses.javaChild(worker.toHandle()).pid());
      double sleeperRss = BenchProcesses.rssKib(Objects.requireNonNull(sleeper).pid());
      BenchProcesses.stop(sleeper);
      sleeper = null;
      rows.add(
          new Row(
              "idle RSS after " + idleSeconds + " s, packaged `run` (1 sample)",
              mib(workerRss),
              "sleeping hello-world, same runtime and flags, " + mib(sleeperRss),
              ratio(workerRss, sleeperRss)));

      System.out.println("measuring offer → accept and tiny jobs");
      guarded("offer → accept p50 / p99", () -> offerToAccept(studio, id, floor));
      guarded("tiny jobs back to back", () -> backToBack(studio, floor));
      System.out.println("measuring the 64 MiB upload");
      List<Double> workerUploads = new ArrayList<>();
      String uploadFailure = null;
      try {
        workerUploads = workerUploads(studio, floor);
      } catch (Exception e) {
        uploadFailure = "failed: " + e;
      }
      // The curl floor needs a session of its own to hold each job, and the studio offers an
      // image job to the earliest welcomed worker whatever the model: the worker goes first.
      BenchProcesses.stop(worker);
      worker = null;
      if (uploadFailure != null) {
        rows.add(Row.na("64 MiB result upload", uploadFailure));
      } else {
        List<Double> ours = workerUploads;
        guarded("64 MiB result upload", () -> curlUploads(studio, blob, ours));
      }
      System.out.println("measuring the 512 MiB download");
      guarded("512 MiB model download, verified", () -> download(floor, modelSha));
      System.out.println("measuring log shipping");
      guarded(LOG_FIGURE, () -> logShipping(studio));
    } finally {
      BenchProcesses.stop(worker);
      BenchProcesses.stop(sleeper);
    }
    print();
  }

  // ---------------------------------------------------------------- start-up and --version

  /** A packaged worker started by {@link #startWorker}, and how long it took to say hello. */
  private record Started(Process process, WorkerCredentials credentials, double millisToHello) {}

  /**
   * Starts {@code bin/studio-worker run} as a new worker identity with a config of its own, and
   * waits for the studio to record its {@code hello}.
   */
  private Started startWorker(DevStudio studio, int n) throws Exception {
    WorkerCredentials credentials = studio.createWorker();
    Path workerDir = Files.createDirectories(dir.resolve("worker-" + n));
    Files.createDirectories(workerDir.resolve("models"));
    Files.writeString(workerDir.resolve("models/sd-cpp-models.txt"), SD_MODEL + "\n");
    Path config = PackagedInstall.writeConfig(workerDir, studio, credentials, null);
    Path log = workerDir.resolve("worker.log");
    Instant started = Instant.now();
    Process process = PackagedInstall.startRun(root, config, log, workerEnv);
    try {
      WireFrame hello =
          studio.awaitFrame(
              credentials.workerId(),
              f -> f.direction() == WireFrame.Direction.RECEIVED && f.type().equals("hello"),
              WAIT);
      return new Started(
          process, credentials, Duration.between(started, hello.at()).toNanos() / 1e6);
    } catch (IllegalStateException e) {
      BenchProcesses.stop(process);
      throw new IllegalStateException(
          e.getMessage() + "; worker output:\n" + Files.readString(log), e);
    }
  }

  private double helloStartMillis() throws Exception {
    long start = System.nanoTime();
    Process hello = BenchProcesses.hello(java, helloClasses).start();
    try {
      String line = BenchProcesses.firstLine(hello, WAIT);
      if (!"hello".equals(line)) {
        throw new IllegalStateException("hello-world printed " + line);
      }
      return (System.nanoTime() - start) / 1e6;
    } finally {
      BenchProcesses.stop(hello);
    }
  }

  private Row versionRow() throws Exception {
    List<Double> ours = new ArrayList<>();
    List<Double> floor = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      ProcessBuilder version =
          new ProcessBuilder(root.resolve("current/bin/studio-worker").toString(), "--version");
      version.environment().put("HOME", dir.toString());
      ours.add(wallMillis(version));
      floor.add(wallMillis(BenchProcesses.hello(java, helloClasses, "--exit")));
    }
    return new Row(
        "`--version` wall time",
        ms(median(ours)),
        "hello-world (start to exit) " + ms(median(floor)),
        ratio(median(ours), median(floor)));
  }

  private static double wallMillis(ProcessBuilder builder) throws Exception {
    builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    long start = System.nanoTime();
    Process process = builder.start();
    if (!process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException(builder.command() + " did not exit within " + WAIT);
    }
    double millis = (System.nanoTime() - start) / 1e6;
    if (process.exitValue() != 0) {
      throw new IllegalStateException(builder.command() + " exited " + process.exitValue());
    }
    return millis;
  }

  // ---------------------------------------------------------------- jobs

  private static Task.Llm tinyLlm(int i) {
    return Task.Llm.of(List.of(new ChatMessage("user", "tiny job " + i)));
  }

  private static Task.Image tinyImage(int i) {
    return new Task.Image(
        "tiny job " + i, null, null, null, null, null, null, null, 16, 16, 1, 1L, "webp");
  }

  private static ModelSource synthetic() {
    return new ModelSource(EngineId.SYNTHETIC, List.of(), CliDefaults.of(7.0, 20, 512, 512));
  }

  private Row offerToAccept(DevStudio studio, String workerId, FloorServer floor) throws Exception {
    List<Double> p50 = new ArrayList<>();
    List<Double> p99 = new ArrayList<>();
    List<Double> echo50 = new ArrayList<>();
    List<Double> echo99 = new ArrayList<>();
    int offerChars = 0;
    for (int r = 0; r < runs; r++) {
      List<String> jobs = new ArrayList<>();
      for (int i = 0; i < PACED_JOBS; i++) {
        String job = studio.submitJob("synthetic", 1.0, tinyLlm(i), synthetic());
        studio.awaitJobStatus(job, JobStatus.COMPLETED, WAIT);
        jobs.add(job);
        Thread.sleep(PACE);
      }
      Map<String, Instant> offers = new HashMap<>();
      Map<String, Instant> accepts = new HashMap<>();
      for (WireFrame frame : studio.frames(workerId)) {
        String job = jobId(frame.text());
        if (job == null) {
          continue;
        }
        if (frame.direction() == WireFrame.Direction.SENT && frame.type().equals("offer")) {
          offers.putIfAbsent(job, frame.at());
          offerChars = frame.text().length();
        } else if (frame.direction() == WireFrame.Direction.RECEIVED
            && frame.type().equals("accept")) {
          accepts.putIfAbsent(job, frame.at());
        }
      }
      List<Double> latencies = new ArrayList<>();
      for (String job : jobs) {
        Instant offer = offers.get(job);
        Instant accept = accepts.get(job);
        if (offer != null && accept != null) {
          latencies.add(Duration.between(offer, accept).toNanos() / 1e6);
        }
      }
      if (latencies.size() < jobs.size() / 2) {
        throw new IllegalStateException(
            "only " + latencies.size() + " of " + jobs.size() + " offers had an accept recorded");
      }
      p50.add(percentile(latencies, 50));
      p99.add(percentile(latencies, 99));

      List<Double> echoes = new ArrayList<>();
      try (Echo ws = Echo.open(http, floor.uri("ws", "/echo"))) {
        String message = "x".repeat(Math.max(1, offerChars));
        for (int i = 0; i < PACED_JOBS; i++) {
          echoes.add(ws.roundTripMillis(message));
          Thread.sleep(PACE);
        }
      }
      echo50.add(percentile(echoes, 50));
      echo99.add(percentile(echoes, 99));
    }
    return new Row(
        "offer → accept p50 / p99 (studio's frame times)",
        ms(median(p50)) + " / " + ms(median(p99)),
        "JDK↔Node WebSocket echo, "
            + offerChars
            + " chars, same pacing, "
            + ms(median(echo50))
            + " / "
            + ms(median(echo99)),
        ratio(median(p50), median(echo50)) + " / " + ratio(median(p99), median(echo99)));
  }

  private Row backToBack(DevStudio studio, FloorServer floor) throws Exception {
    List<Double> ours = new ArrayList<>();
    List<Double> floors = new ArrayList<>();
    byte[] body = new byte[1024];
    for (int r = 0; r < runs; r++) {
      Instant start = Instant.now();
      List<String> jobs = new ArrayList<>();
      for (int i = 0; i < BACK_TO_BACK_JOBS; i++) {
        jobs.add(studio.submitJob("synthetic", 1.0, tinyImage(i), synthetic()));
      }
      Instant end = start;
      for (String job : jobs) {
        JobSnapshot done = studio.awaitJobStatus(job, JobStatus.COMPLETED, WAIT);
        Instant at = completedAt(done);
        if (at.isAfter(end)) {
          end = at;
        }
      }
      ours.add(jobs.size() / (Duration.between(start, end).toNanos() / 1e9));

      try (Echo ws = Echo.open(http, floor.uri("ws", "/echo"))) {
        HttpRequest post =
            HttpRequest.newBuilder(floor.uri("http", "/post"))
                .timeout(WAIT)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        long t0 = System.nanoTime();
        for (int i = 0; i < BACK_TO_BACK_JOBS; i++) {
          ws.roundTripMillis("x".repeat(300));
          HttpResponse<Void> reply = http.send(post, HttpResponse.BodyHandlers.discarding());
          if (reply.statusCode() != 200) {
            throw new IllegalStateException("the floor POST answered " + reply.statusCode());
          }
        }
        floors.add(BACK_TO_BACK_JOBS / ((System.nanoTime() - t0) / 1e9));
      }
    }
    double us = median(ours);
    double them = median(floors);
    return new Row(
        "tiny jobs back to back (synthetic 16×16 webp, " + BACK_TO_BACK_JOBS + " queued)",
        String.format("%.0f jobs/s (%.2f ms a job)", us, 1000 / us),
        String.format(
            "echo + one HTTP/1.1 keep-alive POST of 1 KiB, JDK client: %.0f /s (%.2f ms)",
            them, 1000 / them),
        ratio(us, them));
  }

  private static Instant completedAt(JobSnapshot job) {
    return job.reports().stream()
        .filter(r -> r.verdict() == JobReport.Verdict.COMPLETED)
        .map(JobReport::at)
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("job " + job.jobId() + " has no completion"));
  }

  private static @Nullable String jobId(String text) {
    Matcher m = JOB_ID.matcher(text);
    return m.find() ? m.group(1) : null;
  }

  // ---------------------------------------------------------------- upload

  /** Bytes per second from the sd-cli stand-in's exit to the studio's stored result, per run. */
  private List<Double> workerUploads(DevStudio studio, FloorServer floor) throws Exception {
    byte[] weights = Files.readAllBytes(files.resolve("weights.safetensors"));
    ModelSource sd =
        new ModelSource(
            EngineId.SD_CPP,
            List.of(
                new ModelFile(
                    FileRole.DIFFUSION_MODEL,
                    floor.uri("http", "/files/weights.safetensors").toString(),
                    "weights.safetensors",
                    (long) weights.length,
                    sha256(weights))),
            CliDefaults.of(4.5, 1, 64, 64));
    Path stamp = dir.resolve("sd-cli.done");
    List<Double> ours = new ArrayList<>();
    for (int r = 0; r < runs; r++) {
      Files.deleteIfExists(stamp);
      Task.Image task =
          new Task.Image(
              "upload " + r, null, null, null, null, null, null, null, 64, 64, 1, 1L, "png");
      String job = studio.submitJob(SD_MODEL, 1.0, task, sd);
      JobSnapshot done =
          studio.awaitJob(
              job, s -> s.status() == JobStatus.COMPLETED || s.status() == JobStatus.FAILED, WAIT);
      if (done.status() != JobStatus.COMPLETED || done.resultSize() != UPLOAD_BYTES) {
        throw new IllegalStateException(
            "the sd-cli job ended " + done.status() + " (" + done.error() + ")");
      }
      Instant engineDone =
          Instant.ofEpochSecond(0, Long.parseLong(Files.readString(stamp).strip()));
      ours.add(UPLOAD_BYTES / (Duration.between(engineDone, completedAt(done)).toNanos() / 1e9));
    }
    return ours;
  }

  /** {@code curl -F} of the blob to the complete route, as a session that holds the job. */
  private Row curlUploads(DevStudio studio, Path blob, List<Double> ours) throws Exception {
    List<Double> curls = new ArrayList<>();
    WorkerCredentials holder = studio.createWorker();
    try (Echo session = Echo.studioSession(http, studio, holder)) {
      for (int r = 0; r < runs; r++) {
        String job = studio.submitJob(CURL_MODEL, 1.0, tinyImage(r), synthetic());
        StudioFrame.Offer frame = session.nextOffer(WAIT);
        if (!frame.claim().jobId().equals(job)) {
          throw new IllegalStateException("offered " + frame.claim().jobId() + ", not " + job);
        }
        session.send(CODEC.encode(new WorkerFrame.Accept(job)));
        studio.awaitFrame(
            holder.workerId(),
            f -> f.direction() == WireFrame.Direction.RECEIVED && f.type().equals("accept"),
            WAIT);
        URI complete =
            studio
                .baseUrl()
                .resolve(
                    "graphics/api/workers/" + holder.workerId() + "/jobs/" + job + "/complete");
        ProcessBuilder curl =
            new ProcessBuilder(
                "curl",
                "-sS",
                "--fail",
                "-o",
                "/dev/null",
                "-H",
                "Authorization: Bearer " + holder.authToken(),
                "-F",
                "prompt=upload " + r,
                "-F",
                "ext=png",
                "-F",
                "image=@" + blob + ";filename=" + job + ".png;type=image/png",
                complete.toString());
        double millis = wallMillis(curl);
        JobSnapshot stored = studio.awaitJobStatus(job, JobStatus.COMPLETED, WAIT);
        if (stored.resultSize() != UPLOAD_BYTES) {
          throw new IllegalStateException("curl's upload stored " + stored.resultSize() + " bytes");
        }
        curls.add(UPLOAD_BYTES / (millis / 1e3));
      }
    }
    return new Row(
        "64 MiB result upload (sd-cli stand-in done → studio stored it)",
        mbps(median(ours)),
        "`curl -F` of the same bytes to the same route " + mbps(median(curls)),
        ratio(median(ours), median(curls)));
  }

  // ---------------------------------------------------------------- download

  private Row download(FloorServer floor, String sha) throws Exception {
    String url = floor.uri("http", "/files/model.bin").toString();
    List<Double> ours = new ArrayList<>();
    List<Double> floors = new ArrayList<>();
    for (int r = 0; r < runs; r++) {
      Path models = dir.resolve("download-" + r);
      ModelStore store =
          new ModelStore(
              models, http, InstantSource.system(), Duration.ofMinutes(5), new Traffic());
      long t0 = System.nanoTime();
      Path got =
          store.fetch(
              "bench-model",
              new ModelFile(FileRole.MODEL, url, "model.bin", MODEL_BYTES, sha),
              () -> false);
      ours.add(MODEL_BYTES / ((System.nanoTime() - t0) / 1e9));
      if (Files.size(got) != MODEL_BYTES) {
        throw new IllegalStateException("ModelStore wrote " + Files.size(got) + " bytes");
      }
      BenchProcesses.deleteTree(models);

      Path copy = dir.resolve("curl-model.bin");
      Path digest = dir.resolve("curl-model.sha256");
      ProcessBuilder curl =
          new ProcessBuilder(
              "bash",
              "-c",
              "curl -sS --fail -o \"$1\" \"$2\" && openssl dgst -sha256 -r \"$1\" > \"$3\"",
              "floor",
              copy.toString(),
              url,
              digest.toString());
      double millis = wallMillis(curl);
      String printed = Files.readString(digest).strip().split("\\s+")[0];
      if (!printed.equals(sha)) {
        throw new IllegalStateException("openssl printed " + printed + ", not " + sha);
      }
      floors.add(MODEL_BYTES / (millis / 1e3));
      Files.delete(copy);
    }
    return new Row(
        "512 MiB model download, verified (ModelStore, sha256)",
        mbps(median(ours)),
        "`curl` + `openssl dgst -sha256` " + mbps(median(floors)),
        ratio(median(ours), median(floors)));
  }

  // ---------------------------------------------------------------- log shipping

  private static final String LOG_FIGURE = "log shipping at 10 000 lines/s";

  /**
   * The daemon in a JVM of its own ({@link LogShipProbe}) logs first below the shipper's cap (one
   * batch of {@link LogShipQueue#MAX_BATCH} per {@code logFlush} of the standard schedule): every
   * line must reach the studio; then at {@link #LOG_RATE} lines a second, above the cap: the ship
   * queue drops what it cannot hold and the heap after a GC must stay flat.
   */
  private Row logShipping(DevStudio studio) throws Exception {
    LoopSchedule schedule = LoopSchedule.standard();
    long cap = LogShipQueue.MAX_BATCH * 1_000_000_000L / schedule.logFlush().toNanos();
    int below = (int) (cap * 8 / 10);
    WorkerCredentials credentials = studio.createWorker();
    Path workerDir = Files.createDirectories(dir.resolve("log-worker"));
    Path config = PackagedInstall.writeConfig(workerDir, studio, credentials, null);
    Path results = workerDir.resolve("results.txt");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(BenchProcesses.JVM_OPTIONS);
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            LogShipProbe.class.getName(),
            config.toString(),
            results.toString(),
            Integer.toString(below),
            Integer.toString(LOG_RATE),
            Integer.toString(LOG_SECONDS)));
    Process probe =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(workerDir.resolve("probe.log").toFile())
            .start();
    try (OutputStream control = probe.getOutputStream()) {
      String id = credentials.workerId();
      studio.awaitConnected(id, WAIT);
      control.write("below\n".getBytes(StandardCharsets.US_ASCII));
      control.flush();
      awaitLines(results, 1, Duration.ofSeconds(LOG_SECONDS).plus(WAIT));
      long sentBelow = Long.parseLong(Files.readAllLines(results).get(0).split(" ")[1]);
      // Every line below the cap must arrive: wait until they are all in, or 10 s have passed.
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      long gotBelow = countShipped(studio, id, "bench-below ");
      while (gotBelow < sentBelow && System.nanoTime() < deadline) {
        Thread.sleep(100);
        gotBelow = countShipped(studio, id, "bench-below ");
      }
      control.write("above\n".getBytes(StandardCharsets.US_ASCII));
      control.flush();
      awaitLines(results, 3, Duration.ofSeconds(LOG_SECONDS).plus(WAIT));
      List<String> lines = Files.readAllLines(results);
      long sentAbove = Long.parseLong(lines.get(1).split(" ")[1]);
      String[] heap = lines.get(2).split(" ");
      List<String> mib = new ArrayList<>();
      for (int i = 1; i < heap.length; i++) {
        mib.add(String.format("%.1f", Long.parseLong(heap[i]) / 1048576.0));
      }
      Thread.sleep(schedule.logFlush().multipliedBy(2));
      long gotAbove = countShipped(studio, id, "bench-above ");
      return new Row(
          LOG_FIGURE + " (the daemon in a JVM of its own, " + LOG_SECONDS + " s a phase)",
          String.format(
              "below the cap (%d lines/s; cap %d lines/s): %d of %d lost. At %d lines/s: %d of"
                  + " %d shipped by %d s after (the rest dropped by the queue of %d, or still in"
                  + " it); heap after GC every 0.5 s, MiB: %s",
              below,
              cap,
              sentBelow - gotBelow,
              sentBelow,
              LOG_RATE,
              gotAbove,
              sentAbove,
              schedule.logFlush().multipliedBy(2).toSeconds(),
              LogShipQueue.DEFAULT_CAPACITY,
              String.join(", ", mib)),
          "0 lost below the cap; heap flat above it",
          (sentBelow == gotBelow ? "0 lost" : (sentBelow - gotBelow) + " lost")
              + "; heap "
              + mib.getFirst()
              + " → "
              + mib.getLast()
              + " MiB");
    } finally {
      BenchProcesses.stop(probe);
    }
  }

  private static long countShipped(DevStudio studio, String workerId, String prefix) {
    return studio.logs(workerId).stream()
        .map(LogEntry::message)
        .filter(m -> m.startsWith(prefix))
        .distinct()
        .count();
  }

  /** Waits until {@code file} has {@code lines} lines, checking every 100 ms. */
  private static void awaitLines(Path file, int lines, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!Files.exists(file) || Files.readAllLines(file).size() < lines) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the log probe wrote no result within " + timeout);
      }
      Thread.sleep(100);
    }
  }

  // ---------------------------------------------------------------- set-up

  /**
   * A stand-in {@code sd-cli} that copies the 64 MiB blob to its {@code -o} and then writes the
   * time it finished (ns since the epoch) to {@code sd-cli.done}; an empty {@code libvulkan.so.1}
   * so that the sd-cpp engine claims image jobs.
   */
  private Map<String, String> sdCliStandIn() throws IOException {
    Path sdCli = Files.createDirectories(dir.resolve("bin")).resolve("sd-cli");
    Files.writeString(
        sdCli,
        """
        #!/usr/bin/env bash
        out=""
        while [ $# -gt 0 ]; do
          if [ "$1" = "-o" ]; then out="$2"; fi
          shift
        done
        cp '%s' "$out"
        date +%%s%%N > '%s'
        """
            .formatted(dir.resolve("sd-blob.png"), dir.resolve("sd-cli.done")));
    Files.setPosixFilePermissions(sdCli, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path libs = Files.createDirectories(dir.resolve("lib"));
    Files.writeString(libs.resolve("libvulkan.so.1"), "");
    return Map.of("STUDIO_WORKER_SD_CLI", sdCli.toString(), "LD_LIBRARY_PATH", libs.toString());
  }

  /** Writes {@code head} then random bytes up to {@code size}; answers the file's sha256. */
  private static String writeRandom(Path file, long size, byte[] head) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    Random random = new Random(15);
    byte[] chunk = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(head);
      sha.update(head);
      long left = size - head.length;
      while (left > 0) {
        random.nextBytes(chunk);
        int n = (int) Math.min(chunk.length, left);
        out.write(chunk, 0, n);
        sha.update(chunk, 0, n);
        left -= n;
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  // ---------------------------------------------------------------- the table

  /** Runs a figure; a failure becomes an {@code n/a} row with the reason. */
  private void guarded(String figure, Measure measure) {
    try {
      rows.add(measure.run());
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      rows.add(Row.na(figure, "failed: " + e));
    }
  }

  @FunctionalInterface
  private interface Measure {
    Row run() throws Exception;
  }

  private void print() {
    System.out.println();
    System.out.printf(
        "medians of %d runs; ratio = ours / floor, measured in the same run%n%n", runs);
    System.out.println("| figure | ours | floor | ratio |");
    System.out.println("|---|---|---|---|");
    for (Row row : rows) {
      System.out.printf(
          "| %s | %s | %s | %s |%n", row.figure(), row.ours(), row.floor(), row.ratio());
    }
  }

  private static double median(List<Double> values) {
    return percentile(values, 50);
  }

  /** Nearest rank. */
  private static double percentile(List<Double> values, int p) {
    if (values.isEmpty()) {
      throw new IllegalStateException("no samples");
    }
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }

  private static String ms(double millis) {
    return millis < 10 ? String.format("%.2f ms", millis) : String.format("%.0f ms", millis);
  }

  private static String mib(double kib) {
    return String.format("%.1f MiB", kib / 1024);
  }

  private static String mbps(double bytesPerSecond) {
    return String.format("%.0f MB/s", bytesPerSecond / 1e6);
  }

  private static String ratio(double ours, double floor) {
    return String.format("%.2f×", ours / floor);
  }

  // ---------------------------------------------------------------- the floor's pieces

  /** The Node server of {@code bench/floor-server.js}, on a free loopback port. */
  private record FloorServer(Process process, int port) implements AutoCloseable {
    static FloorServer start(Path dir, Path files) throws Exception {
      Path script = dir.resolve("floor-server.js");
      try (InputStream in = FiguresBenchmark.class.getResourceAsStream("/bench/floor-server.js")) {
        if (in == null) {
          throw new IllegalStateException("bench/floor-server.js is not on the class path");
        }
        Files.copy(in, script);
      }
      Process node =
          new ProcessBuilder("node", script.toString(), files.toString())
              .redirectErrorStream(true)
              .start();
      String line = BenchProcesses.firstLine(node, WAIT);
      if (line == null || !line.startsWith("port ")) {
        node.destroyForcibly();
        throw new IllegalStateException("the Node floor server printed " + line);
      }
      return new FloorServer(node, Integer.parseInt(line.substring("port ".length()).strip()));
    }

    URI uri(String scheme, String path) {
      return URI.create(scheme + "://127.0.0.1:" + port + path);
    }

    @Override
    public void close() throws InterruptedException {
      BenchProcesses.stop(process);
    }
  }

  /**
   * A JDK WebSocket client that queues the text messages it receives: the echo floor, and a minimal
   * worker session that holds a job for the curl upload.
   */
  private static final class Echo implements WebSocket.Listener, AutoCloseable {
    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();
    private @Nullable WebSocket socket;

    static Echo open(HttpClient client, URI uri) throws Exception {
      Echo echo = new Echo();
      echo.socket =
          client
              .newWebSocketBuilder()
              .buildAsync(uri, echo)
              .get(WAIT.toSeconds(), TimeUnit.SECONDS);
      return echo;
    }

    /** A session with the studio as {@code worker}: hello sent, welcome taken. */
    static Echo studioSession(HttpClient client, DevStudio studio, WorkerCredentials worker)
        throws Exception {
      Echo session = new Echo();
      session.socket =
          client
              .newWebSocketBuilder()
              .header("Authorization", "Bearer " + worker.authToken())
              .subprotocols("studio-worker-v1")
              .buildAsync(studio.sessionUrl(worker.workerId()), session)
              .get(WAIT.toSeconds(), TimeUnit.SECONDS);
      Capabilities capabilities =
          Capabilities.of(
              "bench",
              "bench",
              "0.0.0-bench",
              24.0,
              16.0,
              true,
              true,
              Map.of(TaskKind.IMAGE, List.of(CURL_MODEL)));
      session.send(CODEC.encode(new WorkerFrame.Hello(worker.authToken(), capabilities)));
      if (!(CODEC.decodeStudioFrame(session.next(WAIT)) instanceof StudioFrame.Welcome)) {
        throw new IllegalStateException("the studio did not welcome the curl session");
      }
      return session;
    }

    void send(String text) throws Exception {
      WebSocket s = socket;
      if (s == null) {
        throw new IllegalStateException("not open");
      }
      s.sendText(text, true).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    String next(Duration timeout) throws InterruptedException {
      String text = received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (text == null) {
        throw new IllegalStateException("no message within " + timeout);
      }
      return text;
    }

    /** The next {@code offer}, skipping any other frame the studio sends meanwhile. */
    StudioFrame.Offer nextOffer(Duration timeout) throws Exception {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IllegalStateException("no offer within " + timeout);
        }
        if (CODEC.decodeStudioFrame(next(Duration.ofNanos(left)))
            instanceof StudioFrame.Offer offer) {
          return offer;
        }
      }
    }

    /** Sends {@code message}, waits for its echo; answers the round trip in ms. */
    double roundTripMillis(String message) throws Exception {
      long t0 = System.nanoTime();
      send(message);
      String echo = next(WAIT);
      double millis = (System.nanoTime() - t0) / 1e6;
      if (echo.length() != message.length()) {
        throw new IllegalStateException("the echo differs from the message");
      }
      return millis;
    }

    @Override
    public void onOpen(WebSocket webSocket) {
      webSocket.request(Long.MAX_VALUE);
    }

    @Override
    public @Nullable CompletionStage<?> onText(
        WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        received.add(partial.toString());
        partial.setLength(0);
      }
      return null;
    }

    @Override
    public @Nullable CompletionStage<?> onBinary(
        WebSocket webSocket, ByteBuffer data, boolean last) {
      return null;
    }

    @Override
    public void close() {
      WebSocket s = socket;
      if (s != null) {
        s.abort();
      }
    }
  }
}
