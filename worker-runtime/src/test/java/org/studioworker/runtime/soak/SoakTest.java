package org.studioworker.runtime.soak;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.devstudio.DevStudio;
import org.studioworker.devstudio.JobReport;
import org.studioworker.devstudio.JobSnapshot;
import org.studioworker.devstudio.JobStatus;
import org.studioworker.devstudio.WireFrame;
import org.studioworker.devstudio.WorkerSnapshot;
import org.studioworker.protocol.LogEntry;
import org.studioworker.runtime.daemon.ChildWorker;
import org.studioworker.runtime.daemon.WorkerHarness;
import org.studioworker.spi.ChatMessage;
import org.studioworker.spi.Task;

/**
 * A real worker process against the reference studio for a minute or more: a steady stream of
 * image, audio_tts and llm jobs, and seeded faults (dropped and half-open sockets, studio restarts,
 * 503 storms, stalled uploads, lost upload replies). It ends with an accounting, every line of it
 * an assertion, and prints what it measured.
 *
 * <p>{@code -Dsoak.seconds=600} makes the steady state longer (default 60), {@code -Dsoak.seed=N}
 * draws other faults (the seed is printed), {@code -Dsoak.stallSeconds=N} holds stalled uploads
 * longer (default 8), {@code -Dsoak.faults=DROP,STALL} draws only those kinds. See {@code
 * docs/soak.md}.
 */
final class SoakTest {
  static {
    // The production console setup at info for this JVM (the studio's Jetty included); the worker
    // child sets up its own.
    org.studioworker.runtime.logs.LogSetup.install(java.util.Map.of(), "test");
  }

  private static final long SEED = Long.getLong("soak.seed", 20_261_201L);
  private static final Duration STEADY = Duration.ofSeconds(Long.getLong("soak.seconds", 60));
  private static final Duration STALL_HOLD =
      Duration.ofSeconds(Long.getLong("soak.stallSeconds", 8));
  private static final List<FaultPlan.Kind> KINDS =
      FaultPlan.kinds(System.getProperty("soak.faults", ""));

  /**
   * Why 2 s? The child's read idle (SoakWorkerMain.SCHEDULE); the studio's silence is 2.5 × that.
   */
  private static final Duration STUDIO_SILENCE = Duration.ofSeconds(5);

  /** Why 3? Enough to keep the worker busy between offers, few enough to settle fast. */
  private static final int MAX_OUTSTANDING = 3;

  /** Threads the child may gain over the steady state: JIT and GC helpers come and go. */
  private static final int THREAD_SLACK = 6;

  private static final Duration STARTUP = Duration.ofSeconds(90);
  private static final Duration SETTLE = Duration.ofSeconds(30).plus(STALL_HOLD.multipliedBy(3));
  private static final Duration FINAL_JOB = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  @Timeout(value = 15, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void workerSurvivesSeededFaultsAndEveryJobIsAccountedForOnce() throws Exception {
    FaultPlan plan = FaultPlan.draw(SEED, Duration.ofSeconds(1), STEADY, KINDS);
    System.out.printf(
        "soak: seed %d, steady state %d s, stall hold %d s, kinds %s, %d faults planned%n",
        SEED, STEADY.toSeconds(), STALL_HOLD.toSeconds(), KINDS, plan.steps().size());
    plan.steps().forEach(step -> System.out.println("soak: plan " + step));

    Path out = Path.of("target", "soak");
    Files.createDirectories(out);
    Path console = out.resolve("worker.log");
    SoftAssertions softly = new SoftAssertions();
    Report report = new Report();
    long began = System.nanoTime();

    try (DevStudio studio =
        DevStudio.start(
            DevStudio.Options.defaults()
                .withAutoApprove(true)
                .withSilenceTimeout(STUDIO_SILENCE)
                .withMaxLogEntries(500_000)
                .withFrameRecord(200_000, 300))) {
      // Registration through 503 storms on both of its routes.
      studio.unavailableNextRegisterRequests(2);
      studio.unavailableNextPolls(2);
      Path config = WorkerHarness.writeConfig(dir, studio, null);
      Process child = startChild(config, console);
      try {
        String workerId = awaitWorker(studio, child);
        Jobs jobs = new Jobs(studio, new Random(SEED ^ 0x5eed));

        // Warm-up, no faults: the thread count is read once the worker has served a few jobs.
        jobs.start();
        awaitOrNote(
            softly,
            "five jobs completed during the warm-up",
            Duration.ofSeconds(60),
            () -> jobs.count(JobStatus.COMPLETED) >= 5 || !child.isAlive());
        report.threadsStart = threads(child.pid());
        List<String> namesStart = threadNames(child.pid());

        long steadyStart = System.nanoTime();
        runFaults(plan, studio, workerId, child, steadyStart, report);
        report.steady = Duration.ofNanos(System.nanoTime() - steadyStart);

        // Quiet: no new fault, no new job; everything submitted must end.
        disarm(studio);
        jobs.stop();
        awaitOrNote(
            softly,
            "every submitted job completed or failed within the settle wait of " + SETTLE,
            SETTLE,
            () -> jobs.unfinished().isEmpty() || !child.isAlive());

        // The worker still runs and still takes jobs: no stuck gate.
        softly.assertThat(child.isAlive()).as("the worker process is still running").isTrue();
        String finalLlm = null;
        String finalImage = null;
        if (child.isAlive()) {
          finalLlm = jobs.submitFinal(Jobs.llm(-1));
          finalImage = jobs.submitFinal(Jobs.image(-1, "png"));
          for (String id : List.of(finalLlm, finalImage)) {
            awaitOrNote(
                softly,
                "final job " + id + " completed after the faults stopped",
                FINAL_JOB,
                () -> studio.job(id).map(j -> j.status() == JobStatus.COMPLETED).orElse(false));
          }
        }

        // Log accounting: everything the worker logged up to its last job reached the studio.
        String syncJob = finalImage;
        Optional<LogEntry> sync = Optional.empty();
        if (syncJob != null && child.isAlive()) {
          try {
            sync =
                Optional.of(
                    await()
                        .atMost(Duration.ofSeconds(10))
                        .until(
                            () -> shippedFinishedLine(studio, workerId, syncJob),
                            Optional::isPresent)
                        .orElseThrow());
          } catch (ConditionTimeoutException e) {
            softly.fail("the final job's \"job finished\" line never reached the studio");
          }
        }
        Instant syncAt =
            sync.map(e -> e.ts().truncatedTo(ChronoUnit.MILLIS))
                .orElse(Instant.now().truncatedTo(ChronoUnit.MILLIS));
        report.threadsEnd = child.isAlive() ? threads(child.pid()) : -1;
        List<String> namesEnd = child.isAlive() ? threadNames(child.pid()) : List.of();
        List<ProcessHandle> strays = child.isAlive() ? child.descendants().toList() : List.of();

        account(softly, report, studio, workerId, jobs, console, syncAt);

        if (child.isAlive()) {
          softly
              .assertThat(report.threadsEnd)
              .as(
                  "threads of the worker at the end (%d) against the start of the steady state"
                      + " (%d) + %d; gained: %s",
                  report.threadsEnd,
                  report.threadsStart,
                  THREAD_SLACK,
                  gained(namesStart, namesEnd))
              .isLessThanOrEqualTo(report.threadsStart + THREAD_SLACK);
          softly
              .assertThat(strays)
              .as("child processes of the worker (the synthetic engine starts none)")
              .isEmpty();
        }
        report.duration = Duration.ofNanos(System.nanoTime() - began);
        report.print(studio, workerId, jobs);
        if (!softly.wasSuccess()) {
          printEvidence(studio, workerId, jobs, console);
        }
      } finally {
        child.destroy();
        if (!child.waitFor(20, TimeUnit.SECONDS)) {
          child.destroyForcibly();
        }
        System.out.println("soak: worker exit code " + child.exitValue() + ", log " + console);
      }
    }
    softly.assertAll();
  }

  // ---------------------------------------------------------------- the worker process

  private static Process startChild(Path config, Path console) throws IOException {
    List<Path> modulePath = new ArrayList<>(ChildWorker.runtimeModulePath());
    modulePath.add(ChildWorker.testClassPathEntry("synthetic"));
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx256m",
            "--enable-native-access=org.studioworker.gpu,org.studioworker.runtime",
            "--module-path",
            modulePath.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)),
            "--add-modules",
            "ALL-MODULE-PATH",
            // The soak's entry point lives with the tests: patched into the runtime module.
            "--patch-module",
            "org.studioworker.runtime=" + Path.of("target", "test-classes").toAbsolutePath(),
            "-m",
            "org.studioworker.runtime/" + SoakWorkerMain.class.getName(),
            config.toString());
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(console.toFile());
    builder.environment().put("HOME", config.getParent().toString());
    builder.environment().remove("JOURNAL_STREAM");
    builder.environment().remove("SENTRY_DSN");
    return builder.start();
  }

  private static String awaitWorker(DevStudio studio, Process child) {
    return await()
        .atMost(STARTUP)
        .until(
            () -> {
              if (!child.isAlive()) {
                throw new IllegalStateException("the worker exited with " + child.exitValue());
              }
              return studio.connectedWorkers().stream()
                  .filter(WorkerSnapshot::welcomed)
                  .map(WorkerSnapshot::workerId)
                  .findFirst();
            },
            Optional::isPresent)
        .orElseThrow();
  }

  /** The {@code Threads:} line of {@code /proc/<pid>/status}. */
  private static int threads(long pid) throws IOException {
    return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
        .filter(line -> line.startsWith("Threads:"))
        .map(line -> Integer.parseInt(line.substring("Threads:".length()).strip()))
        .findFirst()
        .orElseThrow();
  }

  /** The names of the process's threads (as the kernel keeps them, 15 characters at most). */
  private static List<String> threadNames(long pid) {
    try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      List<String> names = new ArrayList<>();
      for (Path task : tasks.toList()) {
        try {
          names.add(Files.readString(task.resolve("comm")).strip());
        } catch (IOException gone) {
          // The thread ended while listed.
        }
      }
      return names;
    } catch (IOException e) {
      return List.of();
    }
  }

  private static Map<String, Long> gained(List<String> before, List<String> after) {
    Map<String, Long> counts = new HashMap<>();
    after.forEach(n -> counts.merge(n, 1L, Long::sum));
    before.forEach(n -> counts.merge(n, -1L, Long::sum));
    counts.values().removeIf(n -> n == 0);
    return counts;
  }

  // ---------------------------------------------------------------- faults

  private static void runFaults(
      FaultPlan plan,
      DevStudio studio,
      String workerId,
      Process child,
      long steadyStart,
      Report report) {
    for (FaultPlan.Step step : plan.steps()) {
      long due = steadyStart + step.at().toNanos();
      try {
        await()
            .pollInterval(Duration.ofMillis(20))
            .atMost(step.at().plusSeconds(30))
            .until(() -> System.nanoTime() >= due || !child.isAlive());
      } catch (ConditionTimeoutException e) {
        // A restart blocked past the next step's moment: strike now.
      }
      if (!child.isAlive()) {
        System.out.println("soak: the worker exited; no more faults");
        return;
      }
      boolean struck =
          switch (step.kind()) {
            case DROP -> studio.dropSession(workerId);
            case HALF_OPEN -> studio.goSilent(workerId);
            case RESTART -> {
              studio.restart(step.downtime());
              yield true;
            }
            case STORM_503 -> {
              studio.unavailableNextCompletes(step.count());
              yield true;
            }
            case STALL -> {
              studio.stallNextCompletes(1, STALL_HOLD);
              yield true;
            }
            case LOST_REPLY -> {
              studio.loseNextCompleteReplies(1);
              yield true;
            }
          };
      (struck ? report.struck : report.missed).merge(step.kind(), 1, Integer::sum);
    }
    long end = steadyStart + STEADY.toNanos();
    try {
      await()
          .pollInterval(Duration.ofMillis(50))
          .atMost(STEADY.plusSeconds(30))
          .until(() -> System.nanoTime() >= end || !child.isAlive());
    } catch (ConditionTimeoutException e) {
      // Past the end already.
    }
  }

  private static void disarm(DevStudio studio) {
    studio.unavailableNextCompletes(0);
    studio.stallNextCompletes(0, STALL_HOLD);
    studio.loseNextCompleteReplies(0);
  }

  private static void awaitOrNote(
      SoftAssertions softly, String what, Duration timeout, BooleanSupplier condition) {
    try {
      await().pollInterval(Duration.ofMillis(100)).atMost(timeout).until(condition::getAsBoolean);
    } catch (ConditionTimeoutException e) {
      softly.fail("timed out after %s waiting until %s", timeout, what);
    }
  }

  // ---------------------------------------------------------------- the accounting

  private static void account(
      SoftAssertions softly,
      Report report,
      DevStudio studio,
      String workerId,
      Jobs jobs,
      Path console,
      Instant syncAt)
      throws IOException {
    List<JobSnapshot> all = jobs.snapshots();
    List<JobSnapshot> unfinished = all.stream().filter(j -> !j.status().isTerminal()).toList();
    softly
        .assertThat(unfinished)
        .as("jobs still queued, offered or running after the settle wait")
        .extracting(j -> j.jobId() + " " + j.status().wireName())
        .isEmpty();
    softly
        .assertThat(all)
        .as("completed jobs whose result was accepted other than exactly once")
        .filteredOn(j -> j.status() == JobStatus.COMPLETED && j.completions() != 1)
        .extracting(JobSnapshot::jobId)
        .isEmpty();
    softly
        .assertThat(all)
        .as("failed jobs with a stored result")
        .filteredOn(j -> j.status() == JobStatus.FAILED && j.completions() != 0)
        .extracting(JobSnapshot::jobId)
        .isEmpty();
    softly
        .assertThat(all)
        .as("jobs whose attempts differ from their accepted fail reports")
        .filteredOn(
            j ->
                j.attempts()
                    != j.reports().stream()
                        .filter(r -> r.kind() == JobReport.Kind.FAIL && !r.isRefused())
                        .count())
        .extracting(JobSnapshot::jobId)
        .isEmpty();
    // A refused upload (409) is what a worker meets after a lost reply or a dropped socket, and is
    // listed in the table; a refused frame is a worker reporting over its session a job it does
    // not hold, which the studio answers with protocol_violation.
    List<JobReport> refused = studio.refusedReports();
    softly
        .assertThat(refused)
        .as("completeJson or fail frames for a job the worker did not hold (job reported twice)")
        .filteredOn(r -> r.kind() != JobReport.Kind.UPLOAD)
        .extracting(r -> r.kind() + " " + r.jobId() + " (job was " + r.statusBefore() + ")")
        .isEmpty();

    // Logs: each completed job's "offer received" line reached the studio, and so did every line
    // the worker wrote to its console up to the sync point.
    List<LogEntry> shipped = studio.logs(workerId);
    report.shippedEntries = shipped.size();
    softly
        .assertThat(shipped.size())
        .as("shipped entries stay under the studio's cap, so none was dropped there")
        .isLessThan(studio.options().maxLogEntries());
    List<String> offerLines =
        shipped.stream()
            .map(LogEntry::message)
            .filter(m -> m.startsWith("offer received "))
            .toList();
    softly
        .assertThat(all)
        .as("completed jobs whose \"offer received\" line never reached the studio")
        .filteredOn(j -> j.status() == JobStatus.COMPLETED)
        .extracting(JobSnapshot::jobId)
        .filteredOn(id -> offerLines.stream().noneMatch(m -> m.startsWith("offer received " + id)))
        .isEmpty();
    Map<String, List<String>> byKey = new HashMap<>();
    for (LogEntry e : shipped) {
      byKey.computeIfAbsent(key(e.ts(), e.category()), k -> new ArrayList<>()).add(e.message());
    }
    List<ConsoleLine> lines =
        ConsoleLine.read(console).stream()
            .filter(ConsoleLine::isShipped)
            .filter(l -> !l.ts().isAfter(syncAt))
            .toList();
    List<ConsoleLine> lost = new ArrayList<>();
    for (ConsoleLine line : lines) {
      List<String> candidates = byKey.getOrDefault(key(line.ts(), line.category()), List.of());
      Optional<String> match =
          candidates.stream().filter(m -> m.startsWith(line.message())).findFirst();
      if (match.isPresent()) {
        candidates.remove(match.get());
      } else {
        lost.add(line);
      }
    }
    report.consoleLines = lines.size();
    report.lostLines = lost;
    report.overflowWarnings =
        shipped.stream()
            .filter(e -> e.category().equals("logs") && e.message().contains("dropped"))
            .count();
    softly
        .assertThat(lost)
        .as(
            "console lines of the worker (up to its last job) that never reached the studio, of"
                + " %d",
            lines.size())
        .extracting(ConsoleLine::toString)
        .isEmpty();
  }

  private static String key(Instant ts, String category) {
    return ts.truncatedTo(ChronoUnit.MILLIS) + "|" + category;
  }

  private static Optional<LogEntry> shippedFinishedLine(
      DevStudio studio, String workerId, String jobId) {
    return studio.logs(workerId).stream()
        .filter(e -> e.message().startsWith("job finished " + jobId))
        .findFirst();
  }

  private static void printEvidence(DevStudio studio, String workerId, Jobs jobs, Path console)
      throws IOException {
    System.out.println("soak: evidence ----------------------------------------------");
    studio.refusedReports().stream()
        .limit(10)
        .forEach(r -> System.out.println("soak: refused report " + r));
    jobs.unfinished().stream()
        .limit(10)
        .forEach(
            j ->
                System.out.println(
                    "soak: unfinished " + j.jobId() + " " + j.status() + " " + j.reports()));
    List<String> warnings =
        ConsoleLine.read(console).stream()
            .filter(l -> !l.level().equals("INFO"))
            .map(ConsoleLine::toString)
            .toList();
    warnings.stream()
        .skip(Math.max(0, warnings.size() - 40))
        .forEach(w -> System.out.println("soak: worker " + w));
    List<String> tail = Files.readAllLines(console);
    tail.stream()
        .skip(Math.max(0, tail.size() - 15))
        .forEach(l -> System.out.println("soak: worker log tail | " + l));
  }

  // ---------------------------------------------------------------- jobs

  /**
   * The job stream: a steady trickle, at most a few unfinished at once, kinds drawn from a seed.
   */
  private static final class Jobs {
    private final DevStudio studio;
    private final Random random;
    private final List<String> submitted = new CopyOnWriteArrayList<>();
    private final Map<String, String> kinds = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicInteger sequence = new AtomicInteger();
    private final ScheduledExecutorService pace =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("soak-jobs").daemon().unstarted(r));

    Jobs(DevStudio studio, Random random) {
      this.studio = studio;
      this.random = random;
    }

    /** One look every 100 ms: a new job when fewer than MAX_OUTSTANDING are unfinished. */
    void start() {
      pace.scheduleWithFixedDelay(
          () -> {
            if (unfinished().size() < MAX_OUTSTANDING) {
              submitOne();
            }
          },
          0,
          100,
          TimeUnit.MILLISECONDS);
    }

    void stop() throws InterruptedException {
      pace.shutdown();
      if (!pace.awaitTermination(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the job stream did not stop");
      }
    }

    private void submitOne() {
      int n = sequence.incrementAndGet();
      Task task =
          switch (random.nextInt(4)) {
            case 0 -> image(n, "png");
            case 1 -> image(n, "webp");
            case 2 -> Task.AudioTts.of("soak line " + n);
            default -> llm(n);
          };
      submit(task);
    }

    String submitFinal(Task task) {
      return submit(task);
    }

    private String submit(Task task) {
      String kind = task.kind().wireName();
      String id =
          studio.submitJob(
              "soak",
              "asset-" + submitted.size(),
              "synthetic-" + kind,
              1.0,
              task,
              WorkerHarness.SYNTHETIC);
      submitted.add(id);
      kinds.put(id, kind);
      return id;
    }

    static Task image(int n, String ext) {
      return new Task.Image(
          "soak card " + n, null, null, null, null, null, null, null, 48, 48, 4, (long) n, ext);
    }

    static Task llm(int n) {
      return Task.Llm.of(List.of(new ChatMessage("user", "soak question " + n)));
    }

    List<JobSnapshot> snapshots() {
      return submitted.stream().map(id -> studio.job(id).orElseThrow()).toList();
    }

    List<JobSnapshot> unfinished() {
      return snapshots().stream().filter(j -> !j.status().isTerminal()).toList();
    }

    long count(JobStatus status) {
      return snapshots().stream().filter(j -> j.status() == status).count();
    }

    Map<String, long[]> byKind() {
      Map<String, long[]> out = new java.util.TreeMap<>();
      for (JobSnapshot j : snapshots()) {
        long[] row = out.computeIfAbsent(kinds.get(j.jobId()), k -> new long[3]);
        row[0]++;
        if (j.status() == JobStatus.COMPLETED) {
          row[1]++;
        } else if (j.status() == JobStatus.FAILED) {
          row[2]++;
        }
      }
      return out;
    }
  }

  // ---------------------------------------------------------------- the table

  /** What the soak measured. */
  private static final class Report {
    final Map<FaultPlan.Kind, Integer> struck = new EnumMap<>(FaultPlan.Kind.class);
    final Map<FaultPlan.Kind, Integer> missed = new EnumMap<>(FaultPlan.Kind.class);
    int threadsStart = -1;
    int threadsEnd = -1;
    Duration steady = Duration.ZERO;
    Duration duration = Duration.ZERO;
    int shippedEntries;
    int consoleLines;
    long overflowWarnings;
    List<ConsoleLine> lostLines = List.of();

    void print(DevStudio studio, String workerId, Jobs jobs) {
      List<WireFrame> frames = studio.frames(workerId);
      long connections =
          frames.stream()
              .filter(f -> f.type().equals("hello"))
              .map(WireFrame::connection)
              .distinct()
              .count();
      long ignored = frames.stream().filter(WireFrame::ignored).count();
      Map<String, Long> ignoredByType =
          frames.stream()
              .filter(WireFrame::ignored)
              .collect(Collectors.groupingBy(WireFrame::type, Collectors.counting()));
      String row = "| %-44s | %-28s |%n";
      StringBuilder t = new StringBuilder();
      t.append(String.format("%nsoak: what it measured (seed %d)%n", SEED));
      t.append(String.format(row, "measure", "value"));
      t.append(String.format(row, "-".repeat(44), "-".repeat(28)));
      t.append(
          String.format(
              row, "duration (all) / steady state", secs(duration) + " / " + secs(steady)));
      long submitted = jobs.snapshots().size();
      t.append(
          String.format(
              row,
              "jobs submitted / completed / failed / other",
              submitted
                  + " / "
                  + jobs.count(JobStatus.COMPLETED)
                  + " / "
                  + jobs.count(JobStatus.FAILED)
                  + " / "
                  + jobs.unfinished().size()));
      jobs.byKind()
          .forEach(
              (kind, r) ->
                  t.append(
                      String.format(
                          row,
                          "  " + kind + " submitted / completed / failed",
                          r[0] + " / " + r[1] + " / " + r[2])));
      for (FaultPlan.Kind kind : FaultPlan.Kind.values()) {
        t.append(
            String.format(
                row,
                "fault " + kind + " struck (no socket to hit)",
                struck.getOrDefault(kind, 0) + " (" + missed.getOrDefault(kind, 0) + ")"));
      }
      studio
          .injectedFaults()
          .forEach(
              (name, n) -> {
                if (n > 0) {
                  t.append(String.format(row, "  HTTP fault hit: " + name, n));
                }
              });
      t.append(
          String.format(
              row,
              "sessions (reconnects)",
              connections + " (" + Math.max(0, connections - 1) + ")"));
      t.append(
          String.format(row, "frames ignored on half-open sockets", ignored + " " + ignoredByType));
      t.append(String.format(row, "uploads received by the studio", studio.completesReceived()));
      Map<String, Long> refused =
          studio.refusedReports().stream()
              .collect(
                  Collectors.groupingBy(
                      r -> r.kind() + " of a " + r.statusBefore() + " job", Collectors.counting()));
      t.append(String.format(row, "refused reports", refused));
      t.append(
          String.format(
              row,
              "log entries shipped / console lines compared",
              shippedEntries + " / " + consoleLines));
      t.append(
          String.format(
              row,
              "console lines lost / overflow warnings",
              lostLines.size() + " / " + overflowWarnings));
      t.append(
          String.format(
              row, "threads at start / end of steady state", threadsStart + " / " + threadsEnd));
      System.out.println(t);
    }

    private static String secs(Duration d) {
      return String.format("%.1f s", d.toMillis() / 1000.0);
    }
  }
}
