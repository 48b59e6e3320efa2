package org.studioworker.executors.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.spi.Claim;
import org.studioworker.spi.CliDefaults;
import org.studioworker.spi.EngineId;
import org.studioworker.spi.ExecutorEnvironment;
import org.studioworker.spi.FileRole;
import org.studioworker.spi.JobResult;
import org.studioworker.spi.ModelFile;
import org.studioworker.spi.ModelSource;
import org.studioworker.spi.Task;

/**
 * The real LaMa ({@code lama_fp32.onnx}, about 208 MB), opt-in: {@code LAMA_MODEL}, {@code
 * LAMA_IMAGE} and {@code LAMA_MASK} name local files; {@code LAMA_EXPECTED} optionally names the
 * expected output (PNG or WebP), compared within ±2 per channel; {@code LAMA_OUTPUT} optionally
 * names where to write ours (docs/onnx.md).
 */
@EnabledIfEnvironmentVariable(named = "LAMA_MODEL", matches = ".+")
final class LamaGoldenTest {
  @TempDir Path dir;

  @Test
  void theRealModelRemovesTheMaskedObject() throws Exception {
    Path model = Path.of(System.getenv("LAMA_MODEL"));
    byte[] image = Files.readAllBytes(Path.of(System.getenv("LAMA_IMAGE")));
    byte[] mask = Files.readAllBytes(Path.of(System.getenv("LAMA_MASK")));
    Raster decoded = Images.decode("LAMA_IMAGE", image);
    try (TestImages server = new TestImages();
        var executor =
            new OnnxExecutorProvider()
                .create(new ExecutorEnvironment(TestImages.modelsRoot(), dir))) {
      Task.Image task =
          new Task.Image(
              "",
              null,
              server.serve("/image", image),
              server.serve("/mask", mask),
              null,
              null,
              null,
              null,
              decoded.width(),
              decoded.height(),
              20,
              null,
              "png");
      Claim claim =
          new Claim(
              "golden",
              "game",
              "asset",
              "lama",
              1.0,
              task,
              new ModelSource(
                  EngineId.ONNX,
                  List.of(new ModelFile(FileRole.MODEL, "file:///lama", "lama.onnx", null, null)),
                  CliDefaults.of(1, 1, 512, 512)));
      long started = System.nanoTime();
      JobResult.Binary out =
          (JobResult.Binary)
              executor.run(claim, new FakeJobContext(dir).withFile("lama.onnx", model));
      System.out.printf("LaMa job: %d ms%n", (System.nanoTime() - started) / 1_000_000);
      String output = System.getenv("LAMA_OUTPUT");
      if (output != null) {
        Files.write(Path.of(output), out.bytes());
      }
      Raster ours = Images.decode("output", out.bytes());
      assertThat(ours.width()).isEqualTo(decoded.width());
      String expectedFile = System.getenv("LAMA_EXPECTED");
      if (expectedFile != null) {
        Raster expected = Images.decode("LAMA_EXPECTED", Files.readAllBytes(Path.of(expectedFile)));
        for (int i = 0; i < ours.pixels().length; i++) {
          for (int shift = 0; shift <= 16; shift += 8) {
            int a = (ours.pixels()[i] >> shift) & 0xFF;
            int b = (expected.pixels()[i] >> shift) & 0xFF;
            assertThat(Math.abs(a - b)).as("pixel %d", i).isLessThanOrEqualTo(2);
          }
        }
      }
    }
  }
}
