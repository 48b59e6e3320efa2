package org.studioworker.dist;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.studioworker.devstudio.DevStudio;
import org.studioworker.devstudio.WorkerCredentials;

/**
 * Start-up time and idle memory of the packaged worker, next to a bare {@code java} hello-world run
 * by the same jlink runtime, measured in one run (docs/performance.md has the command and a
 * result). Not a test: {@code ./mvnw verify} does not run it.
 *
 * <p>Arguments: {@code [idle seconds (60)] [archive
 * (dist/target/studio-worker-*-linux-x64.tar.gz)]}. Start-up is the time from starting the process
 * to the studio having sent {@code welcome} (the worker) or the first line on standard output
 * (hello-world); memory is {@code VmRSS} of the JVM after the idle time, the worker connected.
 */
final class StartupBenchmark {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private StartupBenchmark() {}

  public static void main(String[] args) throws Exception {
    int idleSeconds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
    Path archive =
        (args.length > 1 ? Path.of(args[1]) : BenchProcesses.findArchive(Path.of("dist/target")))
            .toAbsolutePath();
    Path dir = Files.createTempDirectory("startup-benchmark-");
    System.out.printf("archive %s, idle %d s, scratch %s%n", archive, idleSeconds, dir);

    Path root = dir.resolve("root");
    PackagedInstall.install(archive, dir.resolve("unpacked"), root);
    Path java = root.resolve("current/runtime/bin/java").toRealPath();

    Path classes = BenchProcesses.compileHello(dir);

    Process hello = null;
    Process worker = null;
    try (DevStudio studio = DevStudio.start(DevStudio.Options.defaults())) {
      // Hello-world first, alone, so that the two start-ups do not share the cores.
      long helloStart = System.nanoTime();
      hello = BenchProcesses.hello(java, classes).start();
      String line = BenchProcesses.firstLine(hello, START_TIMEOUT);
      long helloMillis = (System.nanoTime() - helloStart) / 1_000_000;
      if (!"hello".equals(line)) {
        throw new IllegalStateException("hello-world printed " + line);
      }

      WorkerCredentials credentials = studio.createWorker();
      Path config = PackagedInstall.writeConfig(dir, studio, credentials, null);
      Path log = dir.resolve("worker.log");
      long workerStart = System.nanoTime();
      worker = PackagedInstall.startRun(root, config, log, Map.of());
      try {
        // Woken by the studio's own state change when it sends welcome: no polling.
        studio.awaitConnected(credentials.workerId(), START_TIMEOUT);
      } catch (IllegalStateException e) {
        throw new IllegalStateException(
            e.getMessage() + "; worker output:\n" + Files.readString(log), e);
      }
      long workerMillis = (System.nanoTime() - workerStart) / 1_000_000;
      ProcessHandle workerJvm = BenchProcesses.javaChild(worker.toHandle());

      // Idle, connected; waitFor returns early only if the worker died.
      if (worker.waitFor(idleSeconds, TimeUnit.SECONDS)) {
        throw new IllegalStateException("worker exited; output:\n" + Files.readString(log));
      }
      if (!BenchProcesses.welcomed(studio, credentials.workerId())) {
        throw new IllegalStateException("worker no longer connected");
      }
      long workerRss = BenchProcesses.rssKib(workerJvm.pid());
      long helloRss = BenchProcesses.rssKib(hello.pid());

      System.out.println();
      System.out.printf(
          "| %-52s | %13s | %26s |%n",
          "program", "start-up (ms)", "RSS after " + idleSeconds + " s idle (MiB)");
      System.out.printf("|%s|%s|%s|%n", "-".repeat(54), "-".repeat(15), "-".repeat(28));
      System.out.printf(
          "| %-52s | %13d | %26.1f |%n",
          "hello-world, runtime/bin/java (start to first line)", helloMillis, helloRss / 1024.0);
      System.out.printf(
          "| %-52s | %13d | %26.1f |%n",
          "studio-worker run (start to welcome)", workerMillis, workerRss / 1024.0);
    } finally {
      BenchProcesses.stop(worker);
      BenchProcesses.stop(hello);
      BenchProcesses.deleteTree(dir);
    }
  }
}
