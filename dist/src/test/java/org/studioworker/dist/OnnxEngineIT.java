package org.studioworker.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.devstudio.DevStudio;
import org.studioworker.devstudio.JobSnapshot;
import org.studioworker.devstudio.JobStatus;
import org.studioworker.devstudio.WorkerCredentials;
import org.studioworker.protocol.LogEntry;
import org.studioworker.spi.CliDefaults;
import org.studioworker.spi.EngineId;
import org.studioworker.spi.FileRole;
import org.studioworker.spi.ModelFile;
import org.studioworker.spi.ModelSource;
import org.studioworker.spi.Task;

/**
 * The onnx engine as an operator meets it: the packaged worker, its onnx plugin jar moved out of
 * the distribution into the config's plugins folder (a drop-in), run with native access denied to
 * everything the worker does not grant it, takes two object-removal jobs from the reference studio
 * (a JPEG init image under a {@code .webp} URL and a PNG mask, both on loopback) through the real
 * ONNX Runtime and a fake LaMa (executors/onnx/src/test/resources), and uploads WebP of the
 * requested size; the second job reuses the loaded session.
 */
final class OnnxEngineIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  /** output = mask·255: the fake paints the masked part white (written by OnnxModels). */
  private static final Path FAKE_LAMA =
      Path.of("..", "executors", "onnx", "src", "test", "resources", "fake-lama-white.onnx");

  @TempDir Path dir;

  @Test
  void aDroppedInOnnxPluginRemovesAnObjectUnderDeniedNativeAccess() throws Exception {
    Path archive = PackagedInstall.archive();
    Path root = dir.resolve("root");
    PackagedInstall.install(archive, dir.resolve("unpacked"), root);
    Path shipped = root.resolve("current").resolve("plugins");
    Path plugins = Files.createDirectories(dir.resolve("plugins"));
    Path jar;
    try (Stream<Path> jars = Files.list(shipped)) {
      jar =
          jars.filter(p -> p.getFileName().toString().startsWith("executor-onnx-"))
              .findFirst()
              .orElseThrow();
    }
    Files.move(jar, plugins.resolve(jar.getFileName()));

    byte[] model = Files.readAllBytes(FAKE_LAMA);
    byte[] jpeg = encode(pattern(640, 480), "jpeg");
    byte[] png = encode(mask(640, 480), "png");
    HttpServer files =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    Map<String, byte[]> served = Map.of("/lama.onnx", model, "/photo.webp", jpeg, "/mask.png", png);
    files.createContext(
        "/",
        exchange -> {
          byte[] body = served.get(exchange.getRequestURI().getPath());
          exchange.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
          if (body != null) {
            exchange.getResponseBody().write(body);
          }
          exchange.close();
        });
    files.start();
    String base = "http://127.0.0.1:" + files.getAddress().getPort();

    try (DevStudio studio = DevStudio.start(DevStudio.Options.defaults())) {
      WorkerCredentials worker = studio.createWorker();
      Path config = PackagedInstall.writeConfig(dir, studio, worker, null);
      Path log = dir.resolve("worker.log");
      Process process =
          PackagedInstall.startRun(
              root, config, log, Map.of("STUDIO_WORKER_JAVA_OPTS", "--illegal-native-access=deny"));
      try {
        studio.awaitConnected(worker.workerId(), WAIT);
        ModelSource source =
            new ModelSource(
                EngineId.ONNX,
                List.of(
                    new ModelFile(
                        FileRole.MODEL,
                        base + "/lama.onnx",
                        "lama.onnx",
                        (long) model.length,
                        sha256(model))),
                CliDefaults.of(1, 1, 512, 512));
        Task.Image task =
            new Task.Image(
                "",
                null,
                base + "/photo.webp",
                base + "/mask.png",
                null,
                null,
                null,
                null,
                512,
                384,
                20,
                null,
                "webp");
        for (int round = 0; round < 2; round++) {
          String jobId = studio.submitJob("lama", 1.0, task, source);
          JobSnapshot done =
              studio.awaitJob(
                  jobId,
                  s -> s.status() == JobStatus.COMPLETED || s.status() == JobStatus.FAILED,
                  WAIT);
          assertThat(done.status())
              .as("job error: %s; worker log:%n%s", done.error(), Files.readString(log))
              .isEqualTo(JobStatus.COMPLETED);
          assertThat(done.ext()).isEqualTo("webp");
          byte[] webp = studio.result(jobId).orElseThrow().bytes();
          assertThat(new String(webp, 8, 4, java.nio.charset.StandardCharsets.US_ASCII))
              .isEqualTo("WEBP");
          // Decoded by TwelveMonkeys' reader (the plugin API brings it), on ImageIO's registry
          // here.
          BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(webp));
          assertThat(decoded).isNotNull();
          assertThat(decoded.getWidth()).isEqualTo(512);
          assertThat(decoded.getHeight()).isEqualTo(384);
          // The middle of the mask (330, 230 of 640×480) is white: the fake model painted it.
          assertThat(decoded.getRGB(264, 184) & 0xFFFFFF).isEqualTo(0xFFFFFF);
        }
        // Job lines reach the studio with the log shipper's next batch.
        await()
            .atMost(WAIT)
            .untilAsserted(
                () -> {
                  List<String> lines =
                      studio.logs(worker.workerId()).stream().map(LogEntry::message).toList();
                  assertThat(lines).anyMatch(l -> l.startsWith("onnx: loaded lama.onnx in "));
                  assertThat(lines).contains("onnx: reusing the loaded lama.onnx");
                });
        assertThat(Files.readString(log))
            .contains("may call native code")
            .doesNotContain("WARNING: A restricted method")
            .doesNotContain("restricted method");
        assertThat(dir.resolve("models/.onnxruntime/1.29.0/linux-x64/libonnxruntime.so"))
            .isRegularFile();
      } finally {
        process.destroy();
        process.waitFor(30, TimeUnit.SECONDS);
        process.destroyForcibly();
        files.stop(0);
      }
    }
  }

  private static BufferedImage pattern(int w, int h) {
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        image.setRGB(x, y, ((x * 3) & 0xFF) << 16 | ((y * 5) & 0xFF) << 8 | ((x + y) & 0xFF));
      }
    }
    return image;
  }

  private static BufferedImage mask(int w, int h) {
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 200; y < 260; y++) {
      for (int x = 300; x < 360; x++) {
        image.setRGB(x, y, 0xFFFFFF);
      }
    }
    return image;
  }

  private static byte[] encode(BufferedImage image, String format) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(ImageIO.write(image, format, out)).isTrue();
    assertThat(ImageIO.read(new ByteArrayInputStream(out.toByteArray()))).isNotNull();
    return out.toByteArray();
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
