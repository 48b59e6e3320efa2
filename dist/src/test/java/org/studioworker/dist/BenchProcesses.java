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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.studioworker.devstudio.DevStudio;

/**
 * What the benchmarks share: the bare hello-world run by the package's jlink runtime with the
 * launcher's JVM options, and reading a process's memory from {@code /proc}. Every wait here has a
 * timeout.
 */
final class BenchProcesses {
  /** The launcher's own JVM options (bin/studio-worker), so that only the program differs. */
  static final List<String> JVM_OPTIONS =
      List.of(
          "-XX:+UseSerialGC", "-Xms16m", "-Xmx512m", "-XX:MaxMetaspaceSize=128m", "-Xshare:auto");

  /** Prints a line, then exits ({@code --exit}) or waits until killed. */
  private static final String HELLO =
      """
      public final class Hello {
        public static void main(String[] args) throws Exception {
          System.out.println("hello");
          System.out.flush();
          if (args.length > 0 && args[0].equals("--exit")) {
            return;
          }
          Thread.currentThread().join(); // idle until killed
        }
      }
      """;

  private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);

  private BenchProcesses() {}

  /** Compiles the hello-world into {@code <dir>/hello}; returns that folder. */
  static Path compileHello(Path dir) throws Exception {
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
    if (!javac.waitFor(TOOL_TIMEOUT.toSeconds(), TimeUnit.SECONDS) || javac.exitValue() != 0) {
      javac.destroyForcibly();
      throw new IllegalStateException("javac failed");
    }
    return classes;
  }

  /** {@code <java> <JVM_OPTIONS> -cp <classes> Hello <args>}. */
  static ProcessBuilder hello(Path java, Path classes, String... args) {
    List<String> command = new ArrayList<>();
    command.add(java.toString());
    command.addAll(JVM_OPTIONS);
    command.addAll(List.of("-cp", classes.toString(), "Hello"));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true);
  }

  /** The first line the process prints, waiting at most {@code timeout}. */
  static @Nullable String firstLine(Process process, Duration timeout) throws Exception {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<@Nullable String> line =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return out.readLine();
              } catch (IOException e) {
                return null;
              }
            });
    return line.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Ends a process: SIGTERM, up to 30 s, then SIGKILL. */
  static void stop(@Nullable Process process) throws InterruptedException {
    if (process == null) {
      return;
    }
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  static boolean welcomed(DevStudio studio, String workerId) {
    return studio.connectedWorkers().stream()
        .anyMatch(w -> w.workerId().equals(workerId) && w.welcomed());
  }

  /** The launcher's JVM: its descendant whose command is a {@code java} binary. */
  static ProcessHandle javaChild(ProcessHandle launcher) {
    return launcher
        .descendants()
        .filter(p -> p.info().command().map(c -> c.endsWith("/bin/java")).orElse(false))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no java process under " + launcher.pid()));
  }

  /** {@code VmRSS} of a process, in KiB, from {@code /proc/<pid>/status}. */
  static long rssKib(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.substring("VmRSS:".length()).replace("kB", "").strip());
      }
    }
    throw new IllegalStateException("no VmRSS for " + pid);
  }

  /** The archive {@code package} wrote in {@code target}. */
  static Path findArchive(Path target) throws IOException {
    try (Stream<Path> files = Files.list(target)) {
      return files
          .filter(f -> f.getFileName().toString().matches("studio-worker-.*-linux-x64\\.tar\\.gz"))
          .findFirst()
          .orElseThrow(
              () -> new IllegalStateException("no archive in " + target + "; run package first"));
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
