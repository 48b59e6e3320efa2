package org.studioworker.executors.synthetic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.lang.module.ModuleDescriptor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.Test;
import org.studioworker.spi.ChatMessage;
import org.studioworker.spi.EngineId;
import org.studioworker.spi.Executor;
import org.studioworker.spi.ExecutorEnvironment;
import org.studioworker.spi.ExecutorException;
import org.studioworker.spi.ExecutorProvider;
import org.studioworker.spi.JobResult;
import org.studioworker.spi.Task;
import org.studioworker.spi.TaskKind;
import org.studioworker.spi.UnsupportedJobException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

final class SyntheticExecutorTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final SyntheticExecutor executor = new SyntheticExecutor();
  private final FakeJobContext context = FakeJobContext.running();

  @Test
  void imageJobProducesDecodableWebpOfRequestedSize() throws Exception {
    JobResult.Binary result = binary(Claims.image("a red fox", 96, 40, "webp"));

    assertThat(result.ext()).isEqualTo("webp");
    assertThat(RiffChunks.parseFile(result.bytes(), "WEBP"))
        .extracting(RiffChunks.Chunk::id)
        .containsExactly("VP8L");
    BufferedImage image = Decoders.image(result.bytes(), "webp");
    assertThat(image.getWidth()).isEqualTo(96);
    assertThat(image.getHeight()).isEqualTo(40);
    assertThat(Arrays.stream(Decoders.argb(image)).distinct().count())
        .as("a picture, not a flat fill")
        .isGreaterThan(3);
  }

  @Test
  void imageJobAskingForPngProducesDecodablePngOfTheSamePicture() throws Exception {
    JobResult.Binary png = binary(Claims.image("a red fox", 33, 17, "png"));
    JobResult.Binary webp = binary(Claims.image("a red fox", 33, 17, "webp"));

    assertThat(png.ext()).isEqualTo("png");
    BufferedImage decoded = Decoders.image(png.bytes(), "png");
    assertThat(decoded.getWidth()).isEqualTo(33);
    assertThat(decoded.getHeight()).isEqualTo(17);
    assertThat(Decoders.argb(decoded))
        .as("the extension picks the container, not the content")
        .containsExactly(Decoders.argb(Decoders.image(webp.bytes(), "webp")));
  }

  @Test
  void imageExtensionsOtherThanWebpFallBackToPng() throws Exception {
    JobResult.Binary result = binary(Claims.image("a red fox", 4, 4, "jpg"));

    assertThat(result.ext()).isEqualTo("png");
    assertThat(Decoders.image(result.bytes(), "png").getWidth()).isEqualTo(4);
    assertThat(binary(Claims.image("a red fox", 4, 4, "WEBP")).ext()).isEqualTo("webp");
  }

  @Test
  void sameInputGivesSameOutputForEveryKind() throws Exception {
    for (Task task : Claims.everyKind()) {
      assertThat(executor.run(Claims.synthetic(task), context))
          .as("%s", task.kind())
          .isEqualTo(executor.run(Claims.synthetic(task), FakeJobContext.running()));
    }
  }

  @Test
  void differentPromptGivesDifferentOutputForEveryKind() throws Exception {
    List<Task> others =
        List.of(
            Claims.image("a blue fox", 8, 8, "webp"),
            Claims.chat("goodbye"),
            Claims.transcription("https://studio.example/audio/line-2.wav", null),
            Claims.speech("hello here", "wav"),
            Claims.video("clouds", 0.5, 4, 8, 8));
    List<Task> tasks = Claims.everyKind();
    for (int i = 0; i < tasks.size(); i++) {
      assertThat(executor.run(Claims.synthetic(tasks.get(i)), context))
          .as("%s", tasks.get(i).kind())
          .isNotEqualTo(executor.run(Claims.synthetic(others.get(i)), context));
    }
  }

  @Test
  void modelIdIsPartOfTheInput() throws Exception {
    Task task = Claims.image("a red fox", 8, 8, "webp");

    assertThat(executor.run(Claims.claim("synthetic", task, EngineId.SYNTHETIC), context))
        .isNotEqualTo(
            executor.run(Claims.claim("synthetic-image", task, EngineId.SYNTHETIC), context));
  }

  @Test
  void speechJobProducesOneSecondMonoWavSineAtTheHashedFrequency() throws Exception {
    Task.AudioTts task = Claims.speech("hello there", "wav");

    JobResult.Binary result = binary(task);

    assertThat(result.ext()).isEqualTo("wav");
    short[] samples = decodeWav(result.bytes());
    assertThat(samples).hasSize(22_050);
    int hertz = SpeechProducer.hertz(InputHash.of("synthetic", task));
    assertThat(hertz).isBetween(220, 880);
    int rising = 0;
    for (int i = 1; i < samples.length; i++) {
      if (samples[i - 1] < 0 && samples[i] >= 0) {
        rising++;
      }
    }
    // One rising zero crossing a cycle; the fades may hide one at either end.
    assertThat(rising).isBetween(hertz - 2, hertz + 1);
    int peak = 0;
    for (short sample : samples) {
      peak = Math.max(peak, Math.abs(sample));
    }
    assertThat(peak).as("half of full scale").isBetween(16_000, 16_384);
    assertThat(samples[0]).as("fades in from silence").isZero();
  }

  @Test
  void speechJobAskingForAnotherFormatStillReturnsWav() throws Exception {
    JobResult.Binary result = binary(Claims.speech("hello there", "mp3"));

    assertThat(result.ext()).isEqualTo("wav");
    assertThat(decodeWav(result.bytes())).hasSize(22_050);
  }

  @Test
  void videoJobProducesAnimatedWebpWithSecondsTimesFpsFrames() throws Exception {
    JobResult.Binary result = binary(Claims.video("waves", 1.5, 4, 32, 24));

    assertThat(result.ext()).as("asked for mp4, got what it is").isEqualTo("webp");
    List<RiffChunks.Chunk> chunks = RiffChunks.parseFile(result.bytes(), "WEBP");
    assertThat(chunks.stream().filter(c -> c.id().equals("ANMF")).count()).isEqualTo(6);
    assertThat(RiffChunks.int24(chunks.get(2).payload(), 12)).as("ms a frame").isEqualTo(250);
    ImageReader reader = Decoders.reader("webp");
    try (ImageInputStream in =
        ImageIO.createImageInputStream(new ByteArrayInputStream(result.bytes()))) {
      reader.setInput(in);
      assertThat(reader.getNumImages(true)).isEqualTo(6);
      int[] first = Decoders.argb(reader.read(0));
      BufferedImage second = reader.read(1);
      assertThat(second.getWidth()).isEqualTo(32);
      assertThat(second.getHeight()).isEqualTo(24);
      assertThat(Decoders.argb(second)).as("the rings move").isNotEqualTo(first);
    } finally {
      reader.dispose();
    }
  }

  @Test
  void videoWithoutFpsUsesEightFramesASecond() throws Exception {
    JobResult.Binary result = binary(Claims.video("waves", 2.0, null, 8, 8));

    assertThat(
            RiffChunks.parseFile(result.bytes(), "WEBP").stream()
                .filter(c -> c.id().equals("ANMF"))
                .count())
        .isEqualTo(16);
  }

  @Test
  void chatJobReturnsChatCompletionMentioningTheLastMessage() throws Exception {
    String last = "Name a \"tricky\" fox\\wolf\nin one line \u0001 \uD83E\uDD8A";
    Task.Llm task =
        new Task.Llm(
            List.of(new ChatMessage("user", "first question"), new ChatMessage("user", last)),
            "be brief",
            512,
            0.7,
            null,
            null,
            null,
            null,
            null);

    JsonNode completion = json(executor.run(Claims.synthetic(task), context));

    assertThat(completion.get("id").asString()).startsWith("chatcmpl-");
    assertThat(completion.get("object").asString()).isEqualTo("chat.completion");
    assertThat(completion.get("created").isIntegralNumber()).isTrue();
    assertThat(completion.get("model").asString()).isEqualTo("synthetic");
    JsonNode choice = completion.get("choices").get(0);
    assertThat(completion.get("choices").size()).isEqualTo(1);
    assertThat(choice.get("index").asInt()).isZero();
    assertThat(choice.get("message").get("role").asString()).isEqualTo("assistant");
    assertThat(choice.get("message").get("content").asString()).contains(last);
    assertThat(choice.get("finish_reason").asString()).isEqualTo("stop");
    JsonNode usage = completion.get("usage");
    assertThat(usage.get("prompt_tokens").asInt()).isEqualTo(2 + 9 + 2);
    assertThat(usage.get("completion_tokens").asInt()).isPositive();
    assertThat(usage.get("total_tokens").asInt())
        .isEqualTo(usage.get("prompt_tokens").asInt() + usage.get("completion_tokens").asInt());
  }

  @Test
  void chatAnswerIsCutAtMaxTokens() throws Exception {
    Task.Llm task =
        new Task.Llm(
            List.of(new ChatMessage("user", "hello")), null, 3, 0.7, null, null, null, null, null);

    JsonNode completion = json(executor.run(Claims.synthetic(task), context));

    assertThat(completion.get("usage").get("completion_tokens").asInt()).isEqualTo(3);
    assertThat(completion.get("choices").get(0).get("finish_reason").asString())
        .isEqualTo("length");
  }

  @Test
  void transcriptionJobReturnsTextLanguageAndDuration() throws Exception {
    JsonNode english =
        json(
            executor.run(
                Claims.synthetic(
                    Claims.transcription("https://studio.example/audio/line-1.wav?x=1", null)),
                context));
    JsonNode german =
        json(
            executor.run(
                Claims.synthetic(Claims.transcription("https://studio.example/a.wav", "de")),
                context));

    assertThat(english.properties().stream().map(Map.Entry::getKey).toList())
        .containsExactly("text", "language", "duration");
    assertThat(english.get("text").asString()).contains("line-1.wav");
    assertThat(english.get("language").asString()).isEqualTo("en");
    assertThat(english.get("duration").asDouble()).isBetween(1.0, 30.0);
    assertThat(german.get("language").asString()).isEqualTo("de");
  }

  @Test
  void servesOnlySyntheticModelsForEveryKind() {
    Map<TaskKind, List<String>> serves = executor.serves();

    assertThat(serves).containsOnlyKeys(TaskKind.values());
    assertThat(serves.get(TaskKind.IMAGE)).containsExactly("synthetic", "synthetic-image");
    assertThat(serves.get(TaskKind.AUDIO_TTS)).containsExactly("synthetic", "synthetic-audio_tts");
    assertThat(serves.get(TaskKind.AUDIO_STT)).containsExactly("synthetic", "synthetic-audio_stt");
    assertThat(serves.get(TaskKind.LLM)).containsExactly("synthetic", "synthetic-llm");
    assertThat(serves.get(TaskKind.VIDEO)).containsExactly("synthetic", "synthetic-video");
    assertThatThrownBy(() -> serves.put(TaskKind.IMAGE, List.of("flux")))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void refusesRealModelsOfEveryKind() {
    for (Task task : Claims.everyKind()) {
      assertThatThrownBy(
              () ->
                  executor.run(Claims.claim("flux-schnell-q4", task, EngineId.SYNTHETIC), context))
          .as("%s", task.kind())
          .isInstanceOf(UnsupportedJobException.class)
          .hasMessageContaining("flux-schnell-q4");
    }
    assertThat(context.lines()).as("nothing was made").isEmpty();
  }

  @Test
  void refusesSyntheticModelOfAnotherKind() {
    assertThatThrownBy(
            () ->
                executor.run(
                    Claims.claim("synthetic-image", Claims.chat("hi"), EngineId.SYNTHETIC),
                    context))
        .isInstanceOf(UnsupportedJobException.class)
        .hasMessageContaining("synthetic-llm");
  }

  @Test
  void refusesJobsRoutedToAnotherEngine() {
    Task task = Claims.image("a red fox", 8, 8, "webp");

    assertThatThrownBy(
            () -> executor.run(Claims.claim("synthetic", task, EngineId.SD_CPP), context))
        .isInstanceOf(UnsupportedJobException.class)
        .hasMessageContaining("sd-cpp");
  }

  @Test
  void failsImagesBeyondTheSizeCapWithARetryableError() {
    assertThatThrownBy(() -> binary(Claims.image("huge", 4097, 16, "webp")))
        .isInstanceOf(ExecutorException.class)
        .isNotInstanceOf(UnsupportedJobException.class)
        .hasMessageContaining("4097x16")
        .hasMessageContaining("1..4096");
  }

  @Test
  void failsVideosBeyondTheFrameAndPixelBudgets() {
    assertThatThrownBy(() -> binary(Claims.video("long", 31, 8, 8, 8)))
        .isInstanceOf(ExecutorException.class)
        .hasMessageContaining("at most 240 frames");
    assertThatThrownBy(() -> binary(Claims.video("big", 10, 24, 1024, 1024)))
        .isInstanceOf(ExecutorException.class)
        .hasMessageContaining("pixels over all frames");
  }

  @Test
  void frameLimitHoldsWhereRoundingWouldGoOverIt() throws Exception {
    // 60.125 s x 4 fps = 240.5 frames, which rounds to 241.
    assertThatThrownBy(() -> binary(Claims.video("edge", 60.125, 4, 2, 2)))
        .isInstanceOf(ExecutorException.class)
        .hasMessageContaining("at most 240 frames");
    JobResult.Binary longest = binary(Claims.video("edge", 60.1, 4, 2, 2));
    assertThat(
            RiffChunks.parseFile(longest.bytes(), "WEBP").stream()
                .filter(c -> c.id().equals("ANMF"))
                .count())
        .isEqualTo(240);
  }

  @Test
  void cancelledJobStopsBeforeAnyWork() {
    FakeJobContext cancelled = FakeJobContext.cancelledAfter(0);

    assertThatThrownBy(
            () -> executor.run(Claims.synthetic(Claims.image("x", 64, 64, "webp")), cancelled))
        .isInstanceOf(InterruptedException.class)
        .hasMessageContaining("job-1");
    assertThat(cancelled.checks()).isEqualTo(1);
  }

  @Test
  void imageCancelledMidwayStopsBetweenRows() {
    FakeJobContext cancelled = FakeJobContext.cancelledAfter(10);

    assertThatThrownBy(
            () -> executor.run(Claims.synthetic(Claims.image("x", 64, 64, "webp")), cancelled))
        .isInstanceOf(InterruptedException.class);
    assertThat(cancelled.checks()).as("stopped at the first check after the cancel").isEqualTo(11);
  }

  @Test
  void videoCancelledMidwayStopsBetweenFrames() {
    // One check before the job, then per frame one check plus one per row: 1 + 2 x (1 + 8).
    FakeJobContext cancelled = FakeJobContext.cancelledAfter(19);

    assertThatThrownBy(
            () -> executor.run(Claims.synthetic(Claims.video("x", 1, 8, 8, 8)), cancelled))
        .isInstanceOf(InterruptedException.class);
    assertThat(cancelled.checks()).isEqualTo(20);
  }

  @Test
  void speechCancelledMidwayStops() {
    FakeJobContext cancelled = FakeJobContext.cancelledAfter(3);

    assertThatThrownBy(() -> executor.run(Claims.synthetic(Claims.speech("x", "wav")), cancelled))
        .isInstanceOf(InterruptedException.class);
    assertThat(cancelled.checks()).isEqualTo(4);
  }

  @Test
  void interruptedThreadStopsTheJobAndClearsTheInterrupt() {
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(
              () -> executor.run(Claims.synthetic(Claims.image("x", 8, 8, "webp")), context))
          .isInstanceOf(InterruptedException.class);
      assertThat(Thread.currentThread().isInterrupted()).isFalse();
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void logsWhatItMakes() throws Exception {
    executor.run(Claims.synthetic(Claims.image("x", 8, 8, "webp")), context);

    assertThat(context.lines()).hasSize(2);
    assertThat(context.lines().get(0)).startsWith("info synthetic image for model synthetic");
    assertThat(context.lines().get(1)).startsWith("info synthetic image done: ").endsWith("webp");
  }

  @Test
  void providerIsFoundByServiceLoaderAndRunsSyntheticJobs() throws Exception {
    getClass().getModule().addUses(ExecutorProvider.class);

    List<ExecutorProvider> providers =
        ServiceLoader.load(ExecutorProvider.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(p -> p.engine().equals(EngineId.SYNTHETIC))
            .toList();

    assertThat(providers).hasSize(1);
    try (Executor created =
        providers
            .getFirst()
            .create(
                new ExecutorEnvironment(java.nio.file.Path.of("m"), java.nio.file.Path.of("w")))) {
      assertThat(created.serves()).isEqualTo(executor.serves());
    }
  }

  @Test
  void mainModuleNeedsNothingBeyondJavaBaseAndTheSpi() {
    ModuleDescriptor descriptor = SyntheticExecutor.class.getModule().getDescriptor();

    assertThat(
            descriptor.requires().stream()
                .map(ModuleDescriptor.Requires::name)
                .collect(Collectors.toSet()))
        .containsExactlyInAnyOrder("java.base", "org.studioworker.spi", "org.jspecify");
  }

  private JobResult.Binary binary(Task task) throws Exception {
    return (JobResult.Binary) executor.run(Claims.synthetic(task), context);
  }

  private static JsonNode json(JobResult result) {
    return JSON.readTree(((JobResult.Json) result).json().json());
  }

  private static short[] decodeWav(byte[] wav) throws Exception {
    try (AudioInputStream in = AudioSystem.getAudioInputStream(new ByteArrayInputStream(wav))) {
      AudioFormat format = in.getFormat();
      assertThat(format.getSampleRate()).isEqualTo(22_050f);
      assertThat(format.getSampleSizeInBits()).isEqualTo(16);
      assertThat(format.getChannels()).isEqualTo(1);
      assertThat(format.getEncoding()).isEqualTo(AudioFormat.Encoding.PCM_SIGNED);
      assertThat(format.isBigEndian()).isFalse();
      byte[] data = in.readAllBytes();
      short[] samples = new short[data.length / 2];
      for (int i = 0; i < samples.length; i++) {
        samples[i] = (short) ((data[2 * i] & 0xff) | data[2 * i + 1] << 8);
      }
      return samples;
    }
  }
}
