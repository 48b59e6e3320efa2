package org.studioworker.dist;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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

  /** The launcher's own JVM options (bin/studio-worker), so that only the program differs. */
  private static final List<String> JVM_OPTIONS =
      List.of(
          "-XX:+UseSerialGC", "-Xms16m", "-Xmx512m", "-XX:MaxMetaspaceSize=128m", "-Xshare:auto");

  private static final String HELLO =
      """
      public final class Hello {
        public static void main(String[] args) throws Exception {
          System.out.println("hello");
          System.out.flush();
          Thread.currentThread().join(); // idle until killed
        }
      }
      """;

  private StartupBenchmark() {}

  public static void main(String[] args) throws Exception {
    int idleSeconds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
    Path archive =
        (args.length > 1 ? Path.of(args[1]) : findArchive(Path.of("dist/target"))).toAbsolutePath();
    Path dir = Files.createTempDirectory("startup-benchmark-");
    System.out.printf("archive %s, idle %d s, scratch %s%n", archive, idleSeconds, dir);

    Path root = dir.resolve("root");
    PackagedInstall.install(archive, dir.resolve("unpacked"), root);
    Path java = root.resolve("current/runtime/bin/java").toRealPath();

    Path classes = Files.createDirectories(dir.resolve("hello"));
    Path source = classes.resolve("Hello.java");
    Files.writeString(source, HELLO, StandardCharsets.UTF_8);
    // Compiled by the JDK running this class: the jlink runtime has no compiler.
    Process javac =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "javac").toString(),
                "--release",
                "25",
                "-d",
                classes.toString(),
                source.toString())
            .inheritIO()
            .start();
    if (javac.waitFor() != 0) {
      throw new IllegalStateException("javac failed: " + javac.exitValue());
    }

    Process hello = null;
    Process worker = null;
    try (DevStudio studio = DevStudio.start(DevStudio.Options.defaults())) {
      // Hello-world first, alone, so that the two start-ups do not share the cores.
      List<String> helloCommand = new ArrayList<>();
      helloCommand.add(java.toString());
      helloCommand.addAll(JVM_OPTIONS);
      helloCommand.addAll(List.of("-cp", classes.toString(), "Hello"));
      long helloStart = System.nanoTime();
      hello = new ProcessBuilder(helloCommand).redirectErrorStream(true).start();
      BufferedReader helloOut =
          new BufferedReader(new InputStreamReader(hello.getInputStream(), StandardCharsets.UTF_8));
      String line = helloOut.readLine();
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
      ProcessHandle workerJvm = javaChild(worker.toHandle());

      // Idle, connected; waitFor returns early only if the worker died.
      if (worker.waitFor(idleSeconds, TimeUnit.SECONDS)) {
        throw new IllegalStateException("worker exited; output:\n" + Files.readString(log));
      }
      if (!welcomed(studio, credentials.workerId())) {
        throw new IllegalStateException("worker no longer connected");
      }
      long workerRss = rssKib(workerJvm.pid());
      long helloRss = rssKib(hello.pid());

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
      if (worker != null) {
        worker.destroy();
        worker.waitFor(30, TimeUnit.SECONDS);
        worker.destroyForcibly();
      }
      if (hello != null) {
        hello.destroyForcibly();
        hello.waitFor(30, TimeUnit.SECONDS);
      }
      deleteTree(dir);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }

  private static boolean welcomed(DevStudio studio, String workerId) {
    return studio.connectedWorkers().stream()
        .anyMatch(w -> w.workerId().equals(workerId) && w.welcomed());
  }

  /** The launcher's JVM: its descendant whose command is a {@code java} binary. */
  private static ProcessHandle javaChild(ProcessHandle launcher) {
    return launcher
        .descendants()
        .filter(p -> p.info().command().map(c -> c.endsWith("/bin/java")).orElse(false))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no java process under " + launcher.pid()));
  }

  /** {@code VmRSS} of a process, in KiB, from {@code /proc/<pid>/status}. */
  private static long rssKib(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.substring("VmRSS:".length()).replace("kB", "").strip());
      }
    }
    throw new IllegalStateException("no VmRSS for " + pid);
  }

  private static Path findArchive(Path target) throws IOException {
    try (Stream<Path> files = Files.list(target)) {
      return files
          .filter(f -> f.getFileName().toString().matches("studio-worker-.*-linux-x64\\.tar\\.gz"))
          .findFirst()
          .orElseThrow(
              () -> new IllegalStateException("no archive in " + target + "; run package first"));
    }
  }
}
