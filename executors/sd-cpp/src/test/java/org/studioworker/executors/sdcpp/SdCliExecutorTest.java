package org.studioworker.executors.sdcpp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.spi.Claim;
import org.studioworker.spi.CliDefaults;
import org.studioworker.spi.EngineId;
import org.studioworker.spi.ExecutorException;
import org.studioworker.spi.FileRole;
import org.studioworker.spi.JobResult;
import org.studioworker.spi.ModelFile;
import org.studioworker.spi.ModelSource;
import org.studioworker.spi.Task;
import org.studioworker.spi.TaskKind;
import org.studioworker.spi.UnsupportedJobException;
import org.studioworker.spi.net.InputDownloads;

final class SdCliExecutorTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path temp;

  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable closeable : closeables) {
      closeable.close();
    }
  }

  /**
   * The result is the image as a file handed over to the runtime: in the engine's folder (not the
   * job's folder, which is gone), named for its real format, holding exactly what sd-cli wrote.
   */
  private void assertHandedOver(JobResult result, byte[] bytes, String ext) throws IOException {
    assertThat(result)
        .isInstanceOfSatisfying(
            JobResult.File.class,
            file -> {
              assertThat(file.ext()).isEqualTo(ext);
              assertThat(file.path())
                  .hasParent(temp.resolve("work").resolve("sd-cpp"))
                  .hasBinaryContent(bytes);
              assertThat(file.path().getFileName().toString()).endsWith("." + ext);
            });
    Files.delete(((JobResult.File) result).path());
  }

  // --- the argument contract -------------------------------------------------------------

  @Test
  void passesTheExactArgumentsForADiffusionModelAndReturnsTheWebpAsked() throws Exception {
    StandInSdCli sdCli = StandInSdCli.write(temp.resolve("bin"), StandInSdCli.Mode.WRITE_IMAGE);
    Path models = Files.createDirectories(temp.resolve("models"));
    Path diffusion = file(models.resolve("qwen-image.gguf"));
    Path encoder = file(models.resolve("qwen2.5-vl.gguf"));
    Path vision = file(models.resolve("mmproj.gguf"));
    Path vae = file(models.resolve("vae.safetensors"));
    Path lora = file(models.resolve("loras/pixel.safetensors"));
    FakeJobContext context =
        new FakeJobContext(models)
            .withFile("qwen-image.gguf", diffusion)
            .withFile("qwen2.5-vl.gguf", encoder)
            .withFile("mmproj.gguf", vision)
            .withFile("vae.safetensors", vae)
            .withFile("pixel.safetensors", lora);
    CliDefaults defaults = new CliDefaults(2.5, 8, 1024, 768, "euler", 3.0, true, true, null, null);
    Task.Image task =
        new Task.Image(
            "a red fox <lora:pixel:1>",
            "blurry",
            null,
            null,
            null,
            null,
            null,
            null,
            512,
            512,
            20,
            7L,
            "webp");
    Claim claim =
        claim(
            task,
            defaults,
            model(FileRole.DIFFUSION_MODEL, "qwen-image.gguf"),
            model(FileRole.TEXT_ENCODER, "qwen2.5-vl.gguf"),
            model(FileRole.TEXT_ENCODER_VISION, "mmproj.gguf"),
            model(FileRole.VAE, "vae.safetensors"),
            model(FileRole.LORA, "pixel.safetensors"));

    JobResult result = executor(sdCli, models, settings()).run(claim, context);

    assertHandedOver(result, StandInSdCli.WEBP, "webp");
    List<String> args = sdCli.arguments();
    String output = args.getLast();
    assertThat(args)
        .containsExactly(
            "--diffusion-model",
            diffusion.toString(),
            "--llm",
            encoder.toString(),
            "--llm_vision",
            vision.toString(),
            "--vae",
            vae.toString(),
            "--lora-model-dir",
            models.resolve("loras").toString(),
            "-p",
            "a red fox <lora:pixel:1>",
            "--negative-prompt",
            "blurry",
            "--cfg-scale",
            "2.5",
            "--steps",
            "8",
            "-W",
            "1024",
            "-H",
            "768",
            "--seed",
            "7",
            "--sampling-method",
            "euler",
            "--flow-shift",
            "3",
            "--qwen-image-zero-cond-t",
            "--offload-to-cpu",
            "--diffusion-fa",
            "-o",
            output);
    assertThat(output)
        .startsWith(temp.resolve("work").resolve("sd-cpp").toString())
        .endsWith(".webp");
    assertThat(Path.of(output)).as("the private output file is moved out").doesNotExist();
    assertThat(Path.of(output).getParent()).as("the job's folder is deleted").doesNotExist();
  }

  @Test
  void taskValuesWinOverCliDefaultsAndASingleModelRunsWithoutFlashAttention() throws Exception {
    StandInSdCli sdCli = StandInSdCli.write(temp.resolve("bin"), StandInSdCli.Mode.WRITE_IMAGE);
    Path models = Files.createDirectories(temp.resolve("models"));
    Path checkpoint = file(models.resolve("sdxl.safetensors"));
    FakeJobContext context = new FakeJobContext(models).withFile("sdxl.safetensors", checkpoint);
    Task.Image task =
        new Task.Image(
            "a castle", null, null, null, null, null, 6.0, "dpm++2m", 768, 640, 30, null, "png");
    Claim claim =
        claim(
            task,
            new CliDefaults(1.0, 4, 1024, 1024, "euler", null, false, false, null, null),
            model(FileRole.MODEL, "sdxl.safetensors"));

    JobResult result = executor(sdCli, models, settings()).run(claim, context);

    assertHandedOver(result, StandInSdCli.PNG, "png");
    List<String> args = sdCli.arguments();
    assertThat(args.getLast()).endsWith(".png");
    assertThat(args)
        .containsExactly(
            "--model",
            checkpoint.toString(),
            "-p",
            "a castle",
            "--cfg-scale",
            "6",
            "--steps",
            "30",
            "-W",
            "768",
            "-H",
            "640",
            "--sampling-method",
            "dpm++2m",
            "-o",
            args.getLast());
  }

  // --- the output format ---------------------------------------------------------------

  @Test
  void writesWebpWhenTheTaskKeepsTheDefaultExt() throws Exception {
    StandInSdCli sdCli = StandInSdCli.write(temp.resolve("bin"), StandInSdCli.Mode.WRITE_IMAGE);
    Path models = Files.createDirectories(temp.resolve("models"));
    FakeJobContext context =
        new FakeJobContext(models).withFile("m.gguf", file(models.resolve("m.gguf")));

    JobResult result = executor(sdCli, models, settings()).run(simpleClaim(), context);

    List<String> args = sdCli.arguments();
    assertThat(args).endsWith("-o", args.getLast());
    assertThat(args.getLast()).endsWith(".webp");
    assertHandedOver(result, StandInSdCli.WEBP, "webp");
  }

  @Test
  void writesJpegUnderTheExtensionTheTaskSpells() throws Exception {
    StandInSdCli sdCli = StandInSdCli.write(temp.resolve("bin"), StandInSdCli.Mode.WRITE_IMAGE);
    Path models = Files.createDirectories(temp.resolve("models"));
    FakeJobContext context =
        new FakeJobContext(models).withFile("m.gguf", file(models.resolve("m.gguf")));

    JobResult result =
        executor(sdCli, models, settings()).run(simpleClaim(withExt("JPEG")), context);

    assertThat(sdCli.arguments().getLast()).endsWith(".jpeg");
    assertHandedOver(result, StandInSdCli.JPEG, "jpeg");
  }

  @Test
  void reportsThePngAnOlderSdCliWritesWhenWebpWasAsked() throws Exception {
    StandInSdCli sdCli =
        StandInSdCli.write(temp.resolve("bin"), StandInSdCli.Mode.WRITE_PNG_ALWAYS);
    Path models = Files.createDirectories(temp.resolve("models"));
    FakeJobContext context =
        new FakeJobContext(models).withFile("m.gguf", file(models.resolve("m.gguf")));

    JobResult result = executor(sdCli, models, settings()).run(simpleClaim(), context);

    assertThat(sdCli.arguments().getLast()).endsWith(".webp");
    assertHandedOver(result, StandInSdCli.PNG, "png");
    assertThat(context.lines())
        .contains("warn sd-cli was asked for webp but wrote png; sending that");
  }

  @Test
  void rejectsAnOutputInNoneOfTheFormatsSdCliWrites() throws Exception {
    StandInSdCli sdCli = StandInSdCli.write(temp.resolve("bin"), StandInSdCli.Mode.WRITE_NO_IMAGE);
    Path models = Files.createDirectories(temp.resolve("models"));
    FakeJobContext context =
        new FakeJobContext(models).withFile("m.gguf", file(models.resolve("m.gguf")));

    assertThatThrownBy(() -> executor(sdCli, models, settings()).run(simpleClaim(), context))
        .isInstanceOf(ExecutorException.class)
        .isNotInstanceOf(UnsupportedJobException.class)
        .hasMessage("sd-cli was asked for webp but wrote a file that is not a PNG, WebP or JPEG");
  }

  @Test
  void refusesAnExtSdCliCannotWriteWithoutRunningIt() throws Exception {
    StandInSdCli sdCli = StandInSdCli.write(temp.resolve("bin"), StandInSdCli.Mode.WRITE_IMAGE);
    Path models = Files.createDirectories(temp.resolve("models"));
    FakeJobContext context =
        new FakeJobContext(models).withFile("m.gguf", file(models.resolve("m.gguf")));

    assertThatThrownBy(
            () -> executor(sdCli, models, settings()).run(simpleClaim(withExt("gif")), context))
        .isInstanceOf(UnsupportedJobException.class)
        .hasMessage("sd-cli writes png, webp or jpg images; this job asks for ext \"gif\"");
    assertThat(sdCli.wasRun()).isFalse();
  }

  // --- input images ------------------------------------------------------------------------

  @Test
  void downloadsInputImagesNamedByTheirContentHash() throws Exception {
    byte[] jpeg = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 1, 2, 3, 4};
    byte[] ref = {(byte) 0x89, 'P', 'N', 'G', 9, 9, 9};
    HttpServer server = server(Map.of("/init.png", StandInSdCli.PNG, "/mask", jpeg, "/ref", ref));
    String base = "http://127.0.0.1:" + server.getAddress().getPort();
    StandInSdCli sdCli = StandInSdCli.write(temp.resolve("bin"), StandInSdCli.Mode.WRITE_IMAGE);
    Path models = Files.createDirectories(temp.resolve("models"));
    Path checkpoint = file(models.resolve("sd15.safetensors"));
    FakeJobContext context = new FakeJobContext(models).withFile("sd15.safetensors", checkpoint);
    Task.Image task =
        new Task.Image(
            "repaint",
            null,
            base + "/init.png?signature=abc",
            base + "/mask",
            base + "/ref",
            0.6,
            null,
            null,
            512,
            512,
            20,
            null,
            "webp");
    Claim claim =
        claim(task, CliDefaults.of(7.0, 20, 512, 512), model(FileRole.MODEL, "sd15.safetensors"));

    executor(sdCli, models, settings()).run(claim, context);

    List<String> args = sdCli.arguments();
    Path inputs = Path.of(args.getLast()).resolveSibling("inputs");
    String initName = sha256(StandInSdCli.PNG) + ".png";
    String maskName = sha256(jpeg) + ".jpg";
    String refName = sha256(ref) + ".png";
    assertThat(args)
        .containsSubsequence(
            "--init-img",
            inputs.resolve(initName).toString(),
            "--strength",
            "0.6",
            "--mask",
            inputs.resolve(maskName).toString(),
            "-r",
            inputs.resolve(refName).toString(),
            "-o");
    assertThat(sdCli.copiedInput(initName)).hasBinaryContent(StandInSdCli.PNG);
    assertThat(sdCli.copiedInput(maskName)).hasBinaryContent(jpeg);
    assertThat(sdCli.copiedInput(refName)).hasBinaryContent(ref);
    assertThat(inputs).as("the job's folder is deleted").doesNotExist();
  }

  @Test
  void refusesPlainHttpToAnotherHostWithoutRunningSdCli() throws Exception {
    StandInSdCli sdCli = StandInSdCli.write(temp.resolve("bin"), StandInSdCli.Mode.WRITE_IMAGE);
    Path models = Files.createDirectories(temp.resolve("models"));
    FakeJobContext context =
        new FakeJobContext(models).withFile("m.gguf", file(models.resolve("m.gguf")));
    Task.Image task = imageWithInit("http://example.com/init.png?token=secret");
    Claim claim = claim(task, CliDefaults.of(7.0, 20, 512, 512), model(FileRole.MODEL, "m.gguf"));

    assertThatThrownBy(() -> executor(sdCli, models, settings()).run(claim, context))
        .isInstanceOf(ExecutorException.class)
        .isNotInstanceOf(UnsupportedJobException.class)
        .hasMessageContaining("https")
        .hasMessageContaining("http://example.com/init.png")
        .hasMessageNotContaining("secret");
    assertThat(sdCli.wasRun()).isFalse();
  }

  @Test
  void refusesAnInputImageLargerThanTheLimit() throws Exception {
    HttpServer server = server(Map.of("/big.png", new byte[4096]));
    StandInSdCli sdCli = StandInSdCli.write(temp.resolve("bin"), StandInSdCli.Mode.WRITE_IMAGE);
    Path models = Files.createDirectories(temp.resolve("models"));
    FakeJobContext context =
        new FakeJobContext(models).withFile("m.gguf", file(models.resolve("m.gguf")));
    Task.Image task =
        imageWithInit("http://127.0.0.1:" + server.getAddress().getPort() + "/big.png");
    Claim claim = claim(task, CliDefaults.of(7.0, 20, 512, 512), model(FileRole.MODEL, "m.gguf"));
    SdCppSettings small =
        new SdCppSettings(
            Duration.ofMinutes(1), Duration.ofSeconds(5), Duration.ZERO, Duration.ofHours(1), 1024);

    assertThatThrownBy(() -> executor(sdCli, models, small).run(claim, context))
        .isInstanceOf(ExecutorException.class)
        .hasMessageContaining("larger than the limit of 1 KiB");
    assertThat(sdCli.wasRun()).isFalse();
  }

  @Test
  void refusesAnInputImageLargerThanTheLimitSentWithoutALength() throws Exception {
    HttpServer server =
        server(
            exchange -> {
              exchange.sendResponseHeaders(200, 0); // 0: chunked, no Content-Length
              try (OutputStream out = exchange.getResponseBody()) {
                out.write(new byte[4096]);
              }
            });
    StandInSdCli sdCli = StandInSdCli.write(temp.resolve("bin"), StandInSdCli.Mode.WRITE_IMAGE);
    Path models = Files.createDirectories(temp.resolve("models"));
    FakeJobContext context =
        new FakeJobContext(models).withFile("m.gguf", file(models.resolve("m.gguf")));
    Claim claim = simpleClaim(imageWithInit(url(server, "/big.png")));
    SdCppSettings small =
        new SdCppSettings(
            Duration.ofMinutes(1), Duration.ofSeconds(5), Duration.ZERO, Duration.ofHours(1), 1024);

    assertThatThrownBy(() -> executor(sdCli, models, small).run(claim, context))
        .isInstanceOf(ExecutorException.class)
        .hasMessageContaining("larger than the limit of 1 KiB");
    assertThat(sdCli.wasRun()).isFalse();
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aDownloadThatGoesQuietMidBodyFailsAfterTheIdleTimeout() throws Exception {
    HttpServer server = stallingServer(new AtomicBoolean());
    StandInSdCli sdCli = StandInSdCli.write(temp.resolve("bin"), StandInSdCli.Mode.WRITE_IMAGE);
    Path models = Files.createDirectories(temp.resolve("models"));
    FakeJobContext context =
        new FakeJobContext(models).withFile("m.gguf", file(models.resolve("m.gguf")));
    Claim claim = simpleClaim(imageWithInit(url(server, "/init.png?signature=secret")));

    assertThatThrownBy(
            () -> executor(sdCli, models, settings(), Duration.ofMillis(300)).run(claim, context))
        .isInstanceOf(ExecutorException.class)
        .isNotInstanceOf(UnsupportedJobException.class)
        .hasMessage(
            "initImageUrl "
                + url(server, "/init.png")
                + " stalled: no data for 300 ms mid-download")
        .hasMessageNotContaining("secret");
    assertThat(sdCli.wasRun()).isFalse();
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void anInterruptedDownloadEndsTheJobAsCancelled() throws Exception {
    AtomicBoolean bodyStarted = new AtomicBoolean();
    HttpServer server = stallingServer(bodyStarted);
    StandInSdCli sdCli = StandInSdCli.write(temp.resolve("bin"), StandInSdCli.Mode.WRITE_IMAGE);
    Path models = Files.createDirectories(temp.resolve("models"));
    FakeJobContext context =
        new FakeJobContext(models).withFile("m.gguf", file(models.resolve("m.gguf")));
    SdCliExecutor executor = executor(sdCli, models, settings(), Duration.ofHours(1));
    Claim claim = simpleClaim(imageWithInit(url(server, "/init.png")));
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread thread =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    executor.run(claim, context);
                  } catch (Throwable t) {
                    thrown.set(t);
                  }
                });

    await().atMost(WAIT).untilTrue(bodyStarted);
    thread.interrupt();
    thread.join(WAIT);

    assertThat(thread.isAlive()).isFalse();
    assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
    assertThat(sdCli.wasRun()).isFalse();
  }

  @Test
  void downloadsOverHttp11FromAServerThatRefusesAnUpgradeOffer() throws Exception {
    List<String> upgrades = new CopyOnWriteArrayList<>();
    HttpServer server =
        server(
            exchange -> {
              String upgrade = exchange.getRequestHeaders().getFirst("Upgrade");
              if (upgrade != null) {
                upgrades.add(upgrade);
                exchange.sendResponseHeaders(400, -1);
              } else {
                exchange.sendResponseHeaders(200, StandInSdCli.PNG.length);
                exchange.getResponseBody().write(StandInSdCli.PNG);
              }
              exchange.close();
            });
    StandInSdCli sdCli = StandInSdCli.write(temp.resolve("bin"), StandInSdCli.Mode.WRITE_IMAGE);
    Path models = Files.createDirectories(temp.resolve("models"));
    FakeJobContext context =
        new FakeJobContext(models).withFile("m.gguf", file(models.resolve("m.gguf")));
    Claim claim = simpleClaim(imageWithInit(url(server, "/init.png")));

    executor(sdCli, models, settings()).run(claim, context);

    assertThat(upgrades).isEmpty();
    assertThat(sdCli.copiedInput(sha256(StandInSdCli.PNG) + ".png"))
        .hasBinaryContent(StandInSdCli.PNG);
  }

  // --- failures, cancellation, timeouts ---------------------------------------------------

  @Test
  void aNonZeroExitFailsRetryablyWithTheLastErrorLine() throws Exception {
    StandInSdCli sdCli = StandInSdCli.write(temp.resolve("bin"), StandInSdCli.Mode.FAIL);
    Path models = Files.createDirectories(temp.resolve("models"));
    FakeJobContext context =
        new FakeJobContext(models).withFile("m.gguf", file(models.resolve("m.gguf")));
    Claim claim = simpleClaim();

    assertThatThrownBy(() -> executor(sdCli, models, settings()).run(claim, context))
        .isInstanceOf(ExecutorException.class)
        .isNotInstanceOf(UnsupportedJobException.class)
        .hasMessage("sd-cli failed with exit status 3: " + StandInSdCli.ERROR_LINE);
    assertThat(context.lines()).contains("warn " + StandInSdCli.ERROR_LINE);
  }

  @Test
  void aCancelledJobStopsSdCliAndItsChildren() throws Exception {
    StandInSdCli sdCli = StandInSdCli.write(temp.resolve("bin"), StandInSdCli.Mode.HANG);
    Path models = Files.createDirectories(temp.resolve("models"));
    FakeJobContext context =
        new FakeJobContext(models).withFile("m.gguf", file(models.resolve("m.gguf")));
    SdCliExecutor executor = executor(sdCli, models, settings());
    CompletableFuture<JobResult> job = runAsync(executor, simpleClaim(), context);

    long child = awaitChild(sdCli);
    context.cancel();

    assertThatThrownBy(job::join).hasCauseInstanceOf(InterruptedException.class);
    await().atMost(WAIT).until(() -> isGone(child));
  }

  @Test
  void anInterruptedJobThreadStopsSdCliAndItsChildren() throws Exception {
    StandInSdCli sdCli = StandInSdCli.write(temp.resolve("bin"), StandInSdCli.Mode.HANG);
    Path models = Files.createDirectories(temp.resolve("models"));
    FakeJobContext context =
        new FakeJobContext(models).withFile("m.gguf", file(models.resolve("m.gguf")));
    SdCliExecutor executor = executor(sdCli, models, settings());
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread thread =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    executor.run(simpleClaim(), context);
                  } catch (Throwable t) {
                    thrown.set(t);
                  }
                });

    long child = awaitChild(sdCli);
    thread.interrupt();
    thread.join(WAIT);

    assertThat(thread.isAlive()).isFalse();
    assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
    await().atMost(WAIT).until(() -> isGone(child));
  }

  @Test
  void aJobPastItsTimeoutFailsAndStopsTheProcessTree() throws Exception {
    StandInSdCli sdCli = StandInSdCli.write(temp.resolve("bin"), StandInSdCli.Mode.HANG);
    Path models = Files.createDirectories(temp.resolve("models"));
    FakeJobContext context =
        new FakeJobContext(models).withFile("m.gguf", file(models.resolve("m.gguf")));
    SdCppSettings shortTimeout =
        new SdCppSettings(
            Duration.ofSeconds(2),
            Duration.ofSeconds(5),
            Duration.ZERO,
            Duration.ofHours(1),
            InputDownloads.DEFAULT_MAX_BYTES);

    assertThatThrownBy(() -> executor(sdCli, models, shortTimeout).run(simpleClaim(), context))
        .isInstanceOf(ExecutorException.class)
        .hasMessageContaining("ran past the job timeout of 2 s");
    long child = sdCli.childPid().orElseThrow();
    await().atMost(WAIT).until(() -> isGone(child));
  }

  // --- readiness ---------------------------------------------------------------------------

  @Test
  void withoutSdCliTheEngineServesNothingFailsWithARemedyAndTheDebugLineSaysWhereItLooked()
      throws Exception {
    Path models = Files.createDirectories(temp.resolve("models"));
    FakeJobContext context =
        new FakeJobContext(models).withFile("m.gguf", file(models.resolve("m.gguf")));
    Path emptyBin = Files.createDirectories(temp.resolve("empty-bin"));
    SdCliExecutor executor =
        new SdCliExecutor(
            Map.of("PATH", emptyBin.toString(), "HOME", temp.resolve("home").toString()),
            models,
            temp.resolve("work"),
            settings(),
            vulkanPresent(),
            InputDownloads.create(InputDownloads.DEFAULT_MAX_BYTES),
            System::nanoTime);

    assertThat(executor.serves()).isEmpty();
    assertThatThrownBy(() -> executor.run(simpleClaim(), context))
        .isInstanceOf(ExecutorException.class)
        .isNotInstanceOf(UnsupportedJobException.class)
        .hasMessage(
            "sd-cli was not found (set STUDIO_WORKER_SD_CLI to its path, or put it on PATH)");
    // Where it looked is for the operator's debug log, not for the studio.
    assertThat(executor.describe())
        .contains("$STUDIO_WORKER_SD_CLI (not set)")
        .contains(models.resolve("bin/sd-cli").toString())
        .contains(temp.resolve("home/.local/bin/sd-cli").toString())
        .contains("PATH (" + emptyBin + ")");
  }

  @Test
  void withoutTheVulkanLoaderImageJobsFailAtOnceWithTheRemedy() throws Exception {
    StandInSdCli sdCli = StandInSdCli.write(temp.resolve("bin"), StandInSdCli.Mode.WRITE_IMAGE);
    Path models = Files.createDirectories(temp.resolve("models"));
    FakeJobContext context =
        new FakeJobContext(models).withFile("m.gguf", file(models.resolve("m.gguf")));
    SdCliExecutor executor =
        new SdCliExecutor(
            Map.of(SdCliExecutor.PROGRAM_VAR, sdCli.path().toString()),
            models,
            temp.resolve("work"),
            settings(),
            new VulkanLoaderProbe(List.of(temp.resolve("no-libs")), () -> ""),
            InputDownloads.create(InputDownloads.DEFAULT_MAX_BYTES),
            System::nanoTime);

    assertThat(executor.serves()).isEmpty();
    assertThat(executor.describe())
        .contains("install the Vulkan loader: apt-get install libvulkan1");
    assertThatThrownBy(() -> executor.run(simpleClaim(), context))
        .isInstanceOf(ExecutorException.class)
        .isNotInstanceOf(UnsupportedJobException.class)
        .hasMessage(
            "sd-cli cannot use the GPU: libvulkan.so.1 is missing; install the Vulkan loader:"
                + " apt-get install libvulkan1");
    assertThat(sdCli.wasRun()).isFalse();
  }

  @Test
  void servesImageWithTheModelsTheOperatorListsAndNoticesChanges() throws Exception {
    StandInSdCli sdCli = StandInSdCli.write(temp.resolve("bin"), StandInSdCli.Mode.WRITE_IMAGE);
    Path models = Files.createDirectories(temp.resolve("models"));
    SdCppSettings refreshAlways =
        new SdCppSettings(
            Duration.ofMinutes(1),
            Duration.ofSeconds(5),
            Duration.ZERO,
            Duration.ZERO,
            InputDownloads.DEFAULT_MAX_BYTES);
    SdCliExecutor executor = executor(sdCli, models, refreshAlways);
    assertThat(executor.serves()).isEqualTo(Map.of(TaskKind.IMAGE, List.of()));

    Files.writeString(
        models.resolve(ModelList.FILE_NAME), "# image models\nqwen-image\n\nflux-schnell\n");

    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(executor.serves())
                    .isEqualTo(Map.of(TaskKind.IMAGE, List.of("flux-schnell", "qwen-image"))));
  }

  @Test
  void refusesJobsOfAnotherKindOrEngineAsUnsupported() throws Exception {
    StandInSdCli sdCli = StandInSdCli.write(temp.resolve("bin"), StandInSdCli.Mode.WRITE_IMAGE);
    Path models = Files.createDirectories(temp.resolve("models"));
    FakeJobContext context = new FakeJobContext(models);
    SdCliExecutor executor = executor(sdCli, models, settings());
    ModelSource source =
        new ModelSource(EngineId.SD_CPP, List.of(), CliDefaults.of(7.0, 20, 512, 512));
    Claim llm = new Claim("job-1", "g", "a", "m", 1.0, Task.Llm.of(List.of()), source);
    Claim otherEngine =
        new Claim(
            "job-1",
            "g",
            "a",
            "m",
            1.0,
            Task.Image.of("x"),
            new ModelSource(EngineId.ONNX, List.of(), CliDefaults.of(7.0, 20, 512, 512)));

    assertThatThrownBy(() -> executor.run(llm, context))
        .isInstanceOf(UnsupportedJobException.class)
        .hasMessageContaining("only image jobs");
    assertThatThrownBy(() -> executor.run(otherEngine, context))
        .isInstanceOf(UnsupportedJobException.class)
        .hasMessageContaining("not onnx");
  }

  @Test
  void sdCliLinesReachTheJobLog() throws Exception {
    StandInSdCli sdCli = StandInSdCli.write(temp.resolve("bin"), StandInSdCli.Mode.WRITE_IMAGE);
    Path models = Files.createDirectories(temp.resolve("models"));
    FakeJobContext context =
        new FakeJobContext(models).withFile("m.gguf", file(models.resolve("m.gguf")));

    executor(sdCli, models, settings()).run(simpleClaim(), context);

    assertThat(context.lines())
        .contains(
            "info [INFO ] stable-diffusion.cpp:100 - loading model",
            "info |=====>      | 1/4 - 1.00s/it",
            "info |==========>| 4/4 - 1.00s/it");
  }

  // --- helpers ----------------------------------------------------------------------------

  private SdCliExecutor executor(StandInSdCli sdCli, Path models, SdCppSettings settings) {
    return executor(sdCli, models, settings, InputDownloads.DEFAULT_IDLE_TIMEOUT);
  }

  /** An executor whose downloads use the engine's own client and the given idle timeout. */
  private SdCliExecutor executor(
      StandInSdCli sdCli, Path models, SdCppSettings settings, Duration idleTimeout) {
    SdCliExecutor executor =
        new SdCliExecutor(
            Map.of(SdCliExecutor.PROGRAM_VAR, sdCli.path().toString()),
            models,
            temp.resolve("work"),
            settings,
            vulkanPresent(),
            new InputDownloads(
                InputDownloads.client(),
                settings.maxInputBytes(),
                Duration.ofSeconds(20),
                idleTimeout),
            System::nanoTime);
    closeables.add(executor);
    return executor;
  }

  /** Every line logged, no timeout worth speaking of, no background refresh. */
  private static SdCppSettings settings() {
    return new SdCppSettings(
        Duration.ofMinutes(5),
        Duration.ofSeconds(5),
        Duration.ZERO,
        Duration.ofHours(1),
        InputDownloads.DEFAULT_MAX_BYTES);
  }

  private VulkanLoaderProbe vulkanPresent() {
    try {
      Path libs = Files.createDirectories(temp.resolve("libs"));
      file(libs.resolve(VulkanLoaderProbe.LIBRARY));
      return new VulkanLoaderProbe(List.of(libs), () -> "");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private HttpServer server(Map<String, byte[]> files) throws IOException {
    return server(
        exchange -> {
          byte[] body = files.get(exchange.getRequestURI().getPath());
          if (body == null) {
            exchange.sendResponseHeaders(404, -1);
          } else {
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
          }
          exchange.close();
        });
  }

  /**
   * A server that sends the headers and the first 8 bytes of a PNG, sets {@code bodyStarted}, and
   * then sends nothing more until the test ends.
   */
  private HttpServer stallingServer(AtomicBoolean bodyStarted) throws IOException {
    CountDownLatch testEnded = new CountDownLatch(1);
    closeables.add(testEnded::countDown);
    return server(
        exchange -> {
          exchange.sendResponseHeaders(200, 0); // 0: chunked, no Content-Length
          OutputStream out = exchange.getResponseBody();
          out.write(StandInSdCli.PNG, 0, 8);
          out.flush();
          bodyStarted.set(true);
          try {
            testEnded.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          exchange.close();
        });
  }

  /** A loopback server with one handler, each exchange on a virtual thread of its own. */
  private HttpServer server(HttpHandler handler) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", handler);
    server.start();
    closeables.add(() -> server.stop(0));
    return server;
  }

  private static String url(HttpServer server, String pathAndQuery) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + pathAndQuery;
  }

  private static CompletableFuture<JobResult> runAsync(
      SdCliExecutor executor, Claim claim, FakeJobContext context) {
    CompletableFuture<JobResult> future = new CompletableFuture<>();
    Thread.ofPlatform()
        .start(
            () -> {
              try {
                future.complete(executor.run(claim, context));
              } catch (Throwable t) {
                future.completeExceptionally(t);
              }
            });
    return future;
  }

  private static long awaitChild(StandInSdCli sdCli) {
    await().atMost(WAIT).until(() -> sdCli.childPid().isPresent());
    try {
      long child = sdCli.childPid().orElseThrow();
      assertThat(ProcessHandle.of(child)).as("the child runs").isPresent();
      return child;
    } catch (IOException e) {
      throw new CompletionException(e);
    }
  }

  private static boolean isGone(long pid) {
    return ProcessHandle.of(pid).map(handle -> !handle.isAlive()).orElse(true);
  }

  private static Claim simpleClaim() {
    return simpleClaim(Task.Image.of("a cat"));
  }

  private static Claim simpleClaim(Task.Image task) {
    return claim(task, CliDefaults.of(7.0, 20, 512, 512), model(FileRole.MODEL, "m.gguf"));
  }

  private static Task.Image withExt(String ext) {
    return new Task.Image(
        "a cat", null, null, null, null, null, null, null, 512, 512, 20, null, ext);
  }

  private static Task.Image imageWithInit(String url) {
    return new Task.Image("x", null, url, null, null, null, null, null, 512, 512, 20, null, "webp");
  }

  private static Claim claim(Task task, CliDefaults defaults, ModelFile... files) {
    return new Claim(
        "job-1",
        "game",
        "asset",
        "model-id",
        8.0,
        task,
        new ModelSource(EngineId.SD_CPP, List.of(files), defaults));
  }

  private static ModelFile model(FileRole role, String filename) {
    return new ModelFile(role, "https://models.example/" + filename, filename, null, null);
  }

  private static Path file(Path path) throws IOException {
    Files.createDirectories(path.getParent());
    Files.write(path, new byte[] {1});
    return path;
  }

  private static String sha256(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }
}
