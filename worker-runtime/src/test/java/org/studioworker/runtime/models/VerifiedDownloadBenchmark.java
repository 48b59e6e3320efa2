package org.studioworker.runtime.models;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.studioworker.runtime.http.StudioHttp;
import org.studioworker.runtime.status.Traffic;
import org.studioworker.spi.FileRole;
import org.studioworker.spi.ModelFile;

/**
 * The verified model download ({@link ModelStore#fetch}: GET to a {@code .part}, SHA-256, fsync,
 * rename) next to its floor, {@code curl -s -o file} then {@code openssl dgst -sha256 file}, both
 * measured in the same run against the same server: a JDK {@link HttpServer} on loopback that
 * serves a random file from the page cache.
 *
 * <p>Not a test: {@code ./mvnw verify} compiles it and never runs it. Run it by hand (see {@code
 * docs/performance.md}, "Verified download"). Arguments: {@code [runs (5)] [MiB (512)]}. One
 * untimed warm-up of each side comes first (the JIT and the page cache), then {@code runs} rounds
 * of ours and the floor in turn; it prints every round and the medians. MB = 10^6 bytes.
 */
public final class VerifiedDownloadBenchmark {
  private VerifiedDownloadBenchmark() {}

  public static void main(String[] args) throws Exception {
    // The test class path's logback logs at DEBUG; the figures are what this prints.
    ((ch.qos.logback.classic.Logger)
            org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(ch.qos.logback.classic.Level.WARN);
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    long bytes = (args.length > 1 ? Long.parseLong(args[1]) : 512) * 1024 * 1024;
    Path dir = Files.createTempDirectory("download-bench");
    HttpServer server = null;
    try {
      Path source = dir.resolve("model.bin");
      String sha = writeRandom(source, bytes);
      server = serve(source);
      String url =
          "http://127.0.0.1:" + server.getAddress().getPort() + "/files/model.bin?token=bench";
      ModelFile file = new ModelFile(FileRole.MODEL, url, "model.bin", bytes, sha);
      System.out.printf(Locale.ROOT, "%d MiB, %d runs after one warm-up%n", bytes >> 20, runs);

      List<Double> ours = new ArrayList<>();
      List<Double> floor = new ArrayList<>();
      for (int r = 0; r <= runs; r++) {
        double store = mbps(bytes, ours(dir.resolve("models-" + r), file));
        double curl = mbps(bytes, floor(dir, url, sha));
        if (r == 0) {
          System.out.printf(
              Locale.ROOT, "warm-up: ModelStore %.0f MB/s, floor %.0f MB/s%n", store, curl);
          continue;
        }
        ours.add(store);
        floor.add(curl);
        System.out.printf(
            Locale.ROOT, "run %d: ModelStore %.0f MB/s, floor %.0f MB/s%n", r, store, curl);
      }
      List<Double> ratios = new ArrayList<>();
      for (int i = 0; i < runs; i++) {
        ratios.add(ours.get(i) / floor.get(i));
      }
      System.out.printf(
          Locale.ROOT,
          "| verified download, %d MiB | ModelStore %.0f MB/s | curl + openssl dgst -sha256 %.0f MB/s"
              + " | %.2f× (median of the runs' ratios %.2f×) |%n",
          bytes >> 20,
          median(ours),
          median(floor),
          median(ours) / median(floor),
          median(ratios));
    } finally {
      if (server != null) {
        server.stop(0);
      }
      deleteTree(dir);
    }
  }

  /** Seconds for one {@link ModelStore#fetch} into an empty models folder. */
  private static double ours(Path models, ModelFile file) throws Exception {
    ModelStore store =
        new ModelStore(
            models,
            StudioHttp.client(Duration.ofSeconds(10)),
            InstantSource.system(),
            Duration.ofMinutes(5),
            new Traffic());
    long t0 = System.nanoTime();
    Path got = store.fetch("bench-model", file, () -> false);
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (Files.size(got) != file.approxBytes()) {
      throw new IllegalStateException("ModelStore wrote " + Files.size(got) + " bytes");
    }
    deleteTree(models);
    return seconds;
  }

  /** Seconds for {@code curl -s -o file} then {@code openssl dgst -sha256 file}, wall time. */
  private static double floor(Path dir, String url, String sha) throws Exception {
    Path copy = dir.resolve("curl-model.bin");
    Path digest = dir.resolve("curl-model.sha256");
    ProcessBuilder curl =
        new ProcessBuilder(
                "bash",
                "-c",
                "curl -s --fail -o \"$1\" \"$2\" && openssl dgst -sha256 -r \"$1\" > \"$3\"",
                "floor",
                copy.toString(),
                url,
                digest.toString())
            .inheritIO();
    long t0 = System.nanoTime();
    int rc = curl.start().waitFor();
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (rc != 0) {
      throw new IllegalStateException("curl + openssl exited " + rc);
    }
    String printed = Files.readString(digest).strip().split("\\s+")[0];
    if (!printed.equals(sha)) {
      throw new IllegalStateException("openssl printed " + printed + ", not " + sha);
    }
    Files.delete(copy);
    return seconds;
  }

  /** Serves {@code file} at any path, whole, in 1 MiB writes. */
  private static HttpServer serve(Path file) throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    long size = Files.size(file);
    server.createContext(
        "/",
        exchange -> {
          try (exchange;
              InputStream in = Files.newInputStream(file);
              OutputStream out = exchange.getResponseBody()) {
            exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
            if (exchange.getRequestMethod().equals("HEAD")) {
              exchange.sendResponseHeaders(200, -1);
              return;
            }
            exchange.sendResponseHeaders(200, size);
            byte[] buffer = new byte[1024 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
              out.write(buffer, 0, n);
            }
          } catch (IOException e) {
            // The client went away; nothing to do.
          }
        });
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.start();
    return server;
  }

  /** Writes {@code bytes} random bytes to {@code file}; returns their SHA-256 in hex. */
  private static String writeRandom(Path file, long bytes) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    SplittableRandom random = new SplittableRandom(15);
    byte[] chunk = new byte[1024 * 1024];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long left = bytes; left > 0; left -= chunk.length) {
        for (int i = 0; i < chunk.length; i += 8) {
          long v = random.nextLong();
          for (int k = 0; k < 8; k++) {
            chunk[i + k] = (byte) (v >>> (8 * k));
          }
        }
        int n = (int) Math.min(left, chunk.length);
        out.write(chunk, 0, n);
        digest.update(chunk, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static double mbps(long bytes, double seconds) {
    return bytes / seconds / 1e6;
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
