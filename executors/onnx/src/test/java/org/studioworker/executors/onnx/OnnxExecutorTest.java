package org.studioworker.executors.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.spi.Claim;
import org.studioworker.spi.CliDefaults;
import org.studioworker.spi.EngineId;
import org.studioworker.spi.ExecutorEnvironment;
import org.studioworker.spi.ExecutorException;
import org.studioworker.spi.FileRole;
import org.studioworker.spi.JobResult;
import org.studioworker.spi.ModelFile;
import org.studioworker.spi.ModelSource;
import org.studioworker.spi.Task;
import org.studioworker.spi.TaskKind;
import org.studioworker.spi.UnsupportedJobException;

/** The engine with the real ONNX Runtime and a hand-written fake LaMa. */
final class OnnxExecutorTest {
  private static TestImages images;
  private static OnnxExecutor executor;

  @TempDir Path dir;

  @BeforeAll
  static void load() {
    images = new TestImages();
    executor =
        (OnnxExecutor)
            new OnnxExecutorProvider()
                .create(new ExecutorEnvironment(TestImages.modelsRoot(), TestImages.modelsRoot()));
  }

  @AfterAll
  static void close() {
    executor.close();
    images.close();
  }

  private static Claim claim(Task task, List<ModelFile> files) {
    return new Claim(
        "job-1",
        "game",
        "asset",
        "lama",
        1.0,
        task,
        new ModelSource(EngineId.ONNX, files, CliDefaults.of(4.5, 20, 512, 512)));
  }

  private static Task.Image removal(String init, String mask, int w, int h, String ext) {
    return new Task.Image("", null, init, mask, null, null, null, null, w, h, 20, null, ext);
  }

  private static ModelFile model() {
    return new ModelFile(FileRole.MODEL, "https://example.test/lama.onnx", "lama.onnx", null, null);
  }

  private FakeJobContext context(byte[] model) throws Exception {
    Path file = dir.resolve("lama.onnx");
    Files.write(file, model);
    return new FakeJobContext(dir).withFile("lama.onnx", file);
  }

  @Test
  void theRuntimeLoadsAtTheFirstJobOnTheCpuFromTheCacheFolder() throws Exception {
    OnnxExecutor fresh =
        (OnnxExecutor)
            new OnnxExecutorProvider()
                .create(new ExecutorEnvironment(TestImages.modelsRoot(), TestImages.modelsRoot()));
    assertThat(fresh.readiness())
        .isEqualTo("ok: ONNX Runtime 1.29.0, loaded at the first job (on the CPU)");
    assertThat(fresh.serves()).isEqualTo(Map.of(TaskKind.IMAGE, List.of("onnx:*")));
    String png = images.serve("/first.png", TestImages.png(TestImages.pattern(32, 32)));
    fresh.run(
        claim(removal(png, png, 32, 32, "webp"), List.of(model())),
        context(OnnxModels.fakeLama(1f, 0f)));
    assertThat(fresh.readiness()).isEqualTo("ok: ONNX Runtime 1.29.0 on the CPU");
    fresh.close();
    Path cache = OrtHost.cpuFolder(TestImages.modelsRoot(), OrtHost.platform());
    assertThat(cache.resolve("libonnxruntime.so")).isRegularFile();
    assertThat(cache.resolve("libonnxruntime4j_jni.so")).isRegularFile();
    assertThat(System.getProperty("onnxruntime.native.path")).isEqualTo(cache.toString());
  }

  @Test
  void aSecondStartKeepsTheCopiedNatives() throws Exception {
    Path cache = OrtHost.cpuFolder(TestImages.modelsRoot(), OrtHost.platform());
    var before = Files.getLastModifiedTime(cache.resolve("libonnxruntime.so"));
    OrtHost.extract(OrtHost.platform(), cache);
    assertThat(Files.getLastModifiedTime(cache.resolve("libonnxruntime.so"))).isEqualTo(before);
    try (var entries = Files.list(cache)) {
      assertThat(entries.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("libonnxruntime.so", "libonnxruntime4j_jni.so");
    }
  }

  @Test
  void withoutCudaTheProbeFallsBackToTheCpuAndSaysWhy() {
    OrtHost.Loaded cpu = OrtHost.load(TestImages.modelsRoot(), 0);
    OrtHost.Loaded probed = OrtHost.probe(cpu.environment(), 0);
    assertThat(probed.provider()).isEqualTo(OrtHost.Provider.CPU);
    assertThat(probed.detail()).startsWith("ONNX Runtime 1.29.0 on the CPU (CUDA did not start: ");
    assertThat(OrtHost.ORT_VERSION).isEqualTo(cpu.environment().getVersion());
  }

  @Test
  void aJpegWithAPngMaskComesBackAsWebpOfTheTaskSizeWithTheMaskedPartFilled() throws Exception {
    String init = images.serve("/photo.webp", TestImages.jpeg(TestImages.pattern(640, 480), false));
    String mask =
        images.serve("/mask.png", TestImages.png(TestImages.mask(640, 480, 300, 200, 359, 259)));
    FakeJobContext context = context(OnnxModels.fakeLama(0f, 255f));

    JobResult.Binary out =
        (JobResult.Binary)
            executor.run(claim(removal(init, mask, 512, 384, "webp"), List.of(model())), context);

    assertThat(out.ext()).isEqualTo("webp");
    Raster result = Images.decode("result", out.bytes());
    assertThat(result.width()).isEqualTo(512);
    assertThat(result.height()).isEqualTo(384);
    // The fake model paints the mask white: the middle of the masked part is white.
    assertThat(result.at(264, 184)).isEqualTo(0xFFFFFF);
    // Far from the mask every pixel is the resized original, byte for byte.
    Raster base =
        Images.decode("init", TestImages.jpeg(TestImages.pattern(640, 480), false))
            .resized(512, 384, 3);
    for (int[] at : new int[][] {{0, 0}, {100, 300}, {511, 383}, {400, 20}}) {
      assertThat(result.at(at[0], at[1])).isEqualTo(base.at(at[0], at[1]));
    }
    assertThat(context.lines()).anyMatch(l -> l.contains("the model sees the square 256 px"));
  }

  @Test
  void pngWhenAskedAndTheSecondJobReusesTheSession() throws Exception {
    String init = images.serve("/a.png", TestImages.png(TestImages.pattern(300, 200)));
    String mask = images.serve("/m.png", TestImages.png(TestImages.mask(300, 200, 10, 10, 50, 50)));
    FakeJobContext first = context(OnnxModels.fakeLama(255f, 0f));
    int before = executor.sessionsBuilt();

    JobResult.Binary png =
        (JobResult.Binary)
            executor.run(claim(removal(init, mask, 200, 100, "png"), List.of(model())), first);
    FakeJobContext second = new FakeJobContext(dir).withFile("lama.onnx", dir.resolve("lama.onnx"));
    JobResult.Binary webp =
        (JobResult.Binary)
            executor.run(claim(removal(init, mask, 200, 100, "jpg"), List.of(model())), second);

    assertThat(png.ext()).isEqualTo("png");
    assertThat(Images.decode("r", png.bytes()).width()).isEqualTo(200);
    assertThat(webp.ext()).isEqualTo("webp");
    assertThat(executor.sessionsBuilt()).isEqualTo(before + 1);
    assertThat(second.lines()).contains("info onnx: reusing the loaded lama.onnx");
  }

  @Test
  void aModelFileThatIsNotOnnxFailsWithTheRuntimesReasonAndTheEngineKeepsServing()
      throws Exception {
    String init = images.serve("/b.png", TestImages.png(TestImages.pattern(64, 64)));
    String mask = images.serve("/bm.png", TestImages.png(TestImages.mask(64, 64, 1, 1, 9, 9)));
    Task.Image task = removal(init, mask, 64, 64, "webp");

    assertThatThrownBy(
            () -> executor.run(claim(task, List.of(model())), context("not a model".getBytes())))
        .isInstanceOf(ExecutorException.class)
        .hasMessageStartingWith("ONNX Runtime could not load lama.onnx: ");
    assertThat(executor.run(claim(task, List.of(model())), context(OnnxModels.fakeLama(1f, 0f))))
        .isInstanceOf(JobResult.Binary.class);
  }

  @Test
  void aModelWithOtherTensorNamesIsRefusedByName() throws Exception {
    String init = images.serve("/c.png", TestImages.png(TestImages.pattern(64, 64)));
    byte[] renamed =
        new String(OnnxModels.fakeLama(1f, 0f), java.nio.charset.StandardCharsets.ISO_8859_1)
            .replace("mask", "MASK")
            .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    assertThatThrownBy(
            () ->
                executor.run(
                    claim(removal(init, init, 64, 64, "webp"), List.of(model())), context(renamed)))
        .hasMessageContaining("is not a LaMa model: its inputs are");
  }

  @Test
  void badJobsFailWithAClearMessage() throws Exception {
    FakeJobContext context = context(OnnxModels.fakeLama(1f, 0f));
    String png = images.serve("/d.png", TestImages.png(TestImages.pattern(8, 8)));
    assertThatThrownBy(
            () ->
                executor.run(claim(removal(null, png, 64, 64, "webp"), List.of(model())), context))
        .hasMessage("an onnx job (object removal) needs initImageUrl; the task has none");
    assertThatThrownBy(
            () ->
                executor.run(claim(removal(png, null, 64, 64, "webp"), List.of(model())), context))
        .hasMessage("an onnx job (object removal) needs maskUrl; the task has none");
    assertThatThrownBy(
            () -> executor.run(claim(removal(png, png, 64, 64, "webp"), List.of()), context))
        .hasMessage("onnx modelSource has no model file (the .onnx weights)");
    assertThatThrownBy(() -> executor.run(claim(Task.Llm.of(List.of()), List.of(model())), context))
        .isInstanceOf(UnsupportedJobException.class);
    String gif = images.serve("/e.webp", "GIF89a-not-really".getBytes());
    assertThatThrownBy(
            () -> executor.run(claim(removal(png, gif, 64, 64, "webp"), List.of(model())), context))
        .hasMessageStartingWith("maskUrl is not a PNG, JPEG or WebP image");
    assertThatThrownBy(
            () ->
                executor.run(
                    claim(removal("http://192.0.2.1/x.png", png, 64, 64, "webp"), List.of(model())),
                    context))
        .hasMessageContaining("must be an https URL");
  }

  @Test
  void aCancelledJobStopsBeforeTheModelRuns() throws Exception {
    String png = images.serve("/f.png", TestImages.png(TestImages.pattern(8, 8)));
    FakeJobContext context = context(OnnxModels.fakeLama(1f, 0f));
    context.cancel();
    assertThatThrownBy(
            () -> executor.run(claim(removal(png, png, 64, 64, "webp"), List.of(model())), context))
        .isInstanceOf(InterruptedException.class);
  }

  @Test
  void aPinnedWorkerProbesItsOwnDevice() {
    assertThat(OnnxExecutorProvider.cudaDevice(Map.of("CUDA_VISIBLE_DEVICES", "2"))).isEqualTo(2);
    assertThat(OnnxExecutorProvider.cudaDevice(Map.of("CUDA_VISIBLE_DEVICES", "GPU-abc"))).isZero();
    assertThat(OnnxExecutorProvider.cudaDevice(Map.of())).isZero();
  }
}
