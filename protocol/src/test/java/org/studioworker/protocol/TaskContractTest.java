package org.studioworker.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.studioworker.protocol.Json.assertNoKey;
import static org.studioworker.protocol.Json.assertSameJson;
import static org.studioworker.protocol.Samples.MODEL_SOURCE_JSON;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.studioworker.spi.ChatMessage;
import org.studioworker.spi.CliDefaults;
import org.studioworker.spi.EngineId;
import org.studioworker.spi.FileRole;
import org.studioworker.spi.JsonText;
import org.studioworker.spi.ModelFile;
import org.studioworker.spi.ModelSource;
import org.studioworker.spi.Task;

/** The task kinds and the model source inside a claim (PROTOCOL.md §3), against literal JSON. */
final class TaskContractTest {
  private final FrameCodec codec = new FrameCodec();

  private void assertBothWays(Task task, String json) throws FrameDecodeException {
    assertSameJson(codec.encodeTask(task), json);
    assertThat(codec.decodeTask(json)).isEqualTo(task);
  }

  @Test
  void imageAppliesDefaultsWhenFieldsAreAbsent() throws FrameDecodeException {
    Task task = codec.decodeTask("{\"kind\":\"image\",\"prompt\":\"a cat\"}");

    assertThat(task).isEqualTo(Task.Image.of("a cat"));
    Task.Image image = (Task.Image) task;
    assertThat(image.width()).isEqualTo(512);
    assertThat(image.height()).isEqualTo(512);
    assertThat(image.steps()).isEqualTo(20);
    assertThat(image.ext()).isEqualTo("webp");
  }

  @Test
  void imageReadsNullOptionalsAsDefaults() throws FrameDecodeException {
    assertThat(
            codec.decodeTask(
                "{\"kind\":\"image\",\"prompt\":\"a cat\",\"negativePrompt\":null,\"width\":null,"
                    + "\"steps\":null,\"seed\":null,\"ext\":null}"))
        .isEqualTo(Task.Image.of("a cat"));
  }

  @Test
  void imageWritesDefaultsAndOmitsAbsentOptionals() {
    String json = codec.encodeTask(Task.Image.of("a cat"));

    assertSameJson(
        json,
        "{\"kind\":\"image\",\"prompt\":\"a cat\",\"width\":512,\"height\":512,\"steps\":20,"
            + "\"ext\":\"webp\"}");
    for (String key :
        List.of(
            "negativePrompt",
            "initImageUrl",
            "maskUrl",
            "refImageUrl",
            "denoise",
            "cfgScale",
            "samplingMethod",
            "seed")) {
      assertNoKey(json, "", key);
    }
  }

  @Test
  void imageCarriesEveryParameter() throws FrameDecodeException {
    assertBothWays(
        new Task.Image(
            "a cat",
            "blurry",
            "https://x/init.png",
            "https://x/mask.png",
            "https://x/ref.png",
            0.75,
            6.5,
            "euler_a",
            768,
            1024,
            28,
            4_294_967_296L,
            "png"),
        """
        {"kind":"image","prompt":"a cat","negativePrompt":"blurry","initImageUrl":"https://x/init.png",
         "maskUrl":"https://x/mask.png","refImageUrl":"https://x/ref.png","denoise":0.75,
         "cfgScale":6.5,"samplingMethod":"euler_a","width":768,"height":1024,"steps":28,
         "seed":4294967296,"ext":"png"}
        """);
  }

  @Test
  void llmAppliesDefaultsWhenFieldsAreAbsent() throws FrameDecodeException {
    List<ChatMessage> messages = List.of(new ChatMessage("user", "hi"));
    Task task =
        codec.decodeTask(
            "{\"kind\":\"llm\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

    assertThat(task).isEqualTo(Task.Llm.of(messages));
    assertThat(((Task.Llm) task).maxTokens()).isEqualTo(512);
    assertThat(((Task.Llm) task).temperature()).isEqualTo(0.7);
    assertSameJson(
        codec.encodeTask(task),
        "{\"kind\":\"llm\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
            + "\"maxTokens\":512,\"temperature\":0.7}");
  }

  @Test
  void llmCarriesEveryParameter() throws FrameDecodeException {
    assertBothWays(
        new Task.Llm(
            List.of(new ChatMessage("user", "hi"), new ChatMessage("assistant", "hello")),
            "be brief",
            64,
            0.2,
            0.9,
            List.of("\n\n", "END"),
            new JsonText("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"number\"}}}"),
            new JsonText("{\"effort\":\"low\"}"),
            new JsonText("{\"enable_thinking\":false}")),
        """
        {"kind":"llm","messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"}],
         "system":"be brief","maxTokens":64,"temperature":0.2,"topP":0.9,"stop":["\\n\\n","END"],
         "jsonSchema":{"type":"object","properties":{"a":{"type":"number"}}},
         "reasoning":{"effort":"low"},"chatTemplateKwargs":{"enable_thinking":false}}
        """);
  }

  @Test
  void llmOmitsAnOptionalJsonFieldHoldingJsonNull() {
    Task task =
        new Task.Llm(
            List.of(new ChatMessage("user", "hi")),
            null,
            8,
            0.7,
            null,
            null,
            new JsonText("null"),
            null,
            null);

    assertNoKey(codec.encodeTask(task), "", "jsonSchema");
  }

  @Test
  void llmReadsASingleStopStringAsAListOfOne() throws FrameDecodeException {
    Task task =
        codec.decodeTask(
            "{\"kind\":\"llm\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stop\":\"END\"}");

    assertThat(((Task.Llm) task).stop()).containsExactly("END");
  }

  @Test
  void llmPromptIsTheLastMessage() throws FrameDecodeException {
    Task task =
        codec.decodeTask(
            "{\"kind\":\"llm\",\"messages\":[{\"role\":\"user\",\"content\":\"first\"},"
                + "{\"role\":\"user\",\"content\":\"last\"}]}");

    assertThat(task.prompt()).isEqualTo("last");
  }

  @Test
  void audioSttCarriesEveryParameterAndItsPromptIsTheInputUrl() throws FrameDecodeException {
    Task.AudioStt task =
        new Task.AudioStt("https://x/a.wav", "de", true, "names: Ana", false, Task.Timestamps.WORD);

    assertBothWays(
        task,
        """
        {"kind":"audio_stt","inputUrl":"https://x/a.wav","language":"de","translate":true,
         "prompt":"names: Ana","vad":false,"timestamps":"word"}
        """);
    assertThat(task.prompt()).isEqualTo("https://x/a.wav");
    assertThat(task.initialPrompt()).isEqualTo("names: Ana");
  }

  @Test
  void audioSttOmitsAbsentOptionals() throws FrameDecodeException {
    Task.AudioStt task = new Task.AudioStt("https://x/a.wav", null, null, null, null, null);

    assertBothWays(task, "{\"kind\":\"audio_stt\",\"inputUrl\":\"https://x/a.wav\"}");
    assertThat(
            codec.decodeTask(
                "{\"kind\":\"audio_stt\",\"inputUrl\":\"https://x/a.wav\",\"timestamps\":\"segment\"}"))
        .isEqualTo(
            new Task.AudioStt("https://x/a.wav", null, null, null, null, Task.Timestamps.SEGMENT));
  }

  @Test
  void audioTtsAppliesDefaultsWhenFieldsAreAbsent() throws FrameDecodeException {
    Task task = codec.decodeTask("{\"kind\":\"audio_tts\",\"text\":\"hello\"}");

    assertThat(task).isEqualTo(Task.AudioTts.of("hello"));
    assertThat(((Task.AudioTts) task).voice()).isEqualTo("default");
    assertThat(((Task.AudioTts) task).ext()).isEqualTo("wav");
    assertSameJson(
        codec.encodeTask(task),
        "{\"kind\":\"audio_tts\",\"text\":\"hello\",\"voice\":\"default\",\"ext\":\"wav\"}");
  }

  @Test
  void audioTtsCarriesEveryParameter() throws FrameDecodeException {
    assertBothWays(
        new Task.AudioTts("hello", "ana", 1.25, "pt", "mp3"),
        "{\"kind\":\"audio_tts\",\"text\":\"hello\",\"voice\":\"ana\",\"speed\":1.25,"
            + "\"language\":\"pt\",\"ext\":\"mp3\"}");
  }

  @Test
  void videoAppliesDefaultsWhenFieldsAreAbsent() throws FrameDecodeException {
    Task task = codec.decodeTask("{\"kind\":\"video\",\"prompt\":\"waves\"}");

    assertThat(task).isEqualTo(Task.Video.of("waves"));
    Task.Video video = (Task.Video) task;
    assertThat(video.seconds()).isEqualTo(2.0);
    assertThat(video.width()).isEqualTo(512);
    assertThat(video.height()).isEqualTo(512);
    assertThat(video.ext()).isEqualTo("mp4");
    assertSameJson(
        codec.encodeTask(task),
        "{\"kind\":\"video\",\"prompt\":\"waves\",\"seconds\":2.0,\"width\":512,\"height\":512,"
            + "\"ext\":\"mp4\"}");
  }

  @Test
  void videoCarriesEveryParameter() throws FrameDecodeException {
    assertBothWays(
        new Task.Video("waves", "people", "https://x/i.png", 4.5, 24, 640, 360, "webm"),
        """
        {"kind":"video","prompt":"waves","negativePrompt":"people","initImageUrl":"https://x/i.png",
         "seconds":4.5,"fps":24,"width":640,"height":360,"ext":"webm"}
        """);
  }

  @Test
  void unknownTaskKindDoesNotDecode() {
    assertThatThrownBy(() -> codec.decodeTask("{\"kind\":\"audio\",\"text\":\"x\"}"))
        .isExactlyInstanceOf(FrameDecodeException.class)
        .hasMessage(
            "task: kind is unknown; expected one of image, llm, audio_stt, audio_tts, video");
  }

  @Test
  void modelSourceCarriesFilesAndOmitsAbsentOptionals() throws FrameDecodeException {
    String json = codec.encodeModelSource(Samples.modelSource());

    assertSameJson(json, MODEL_SOURCE_JSON);
    assertThat(codec.decodeModelSource(MODEL_SOURCE_JSON)).isEqualTo(Samples.modelSource());
    assertNoKey(json, "cliDefaults", "samplingMethod");
    assertNoKey(json, "cliDefaults", "flowShift");
    assertNoKey(json, "cliDefaults", "zeroCondT");
    assertNoKey(json, "cliDefaults", "offloadToCpu");
    assertNoKey(json, "cliDefaults", "contextSize");
    assertNoKey(json, "cliDefaults", "chatTemplateKwargs");
    assertThat(Json.tree(json).get("files").get(1).has("approxBytes")).isFalse();
    assertThat(Json.tree(json).get("files").get(1).has("sha256")).isFalse();
  }

  @Test
  void modelSourceCarriesEveryCliDefault() throws FrameDecodeException {
    ModelSource source =
        new ModelSource(
            EngineId.LLAMA_CPP,
            List.of(new ModelFile(FileRole.MODEL, "https://x/m.gguf", "m.gguf", 0L, null)),
            new CliDefaults(
                1.0, 4, 256, 256, "lcm", 3.0, true, false, 8192, new JsonText("{\"a\":1}")));

    assertSameJson(
        codec.encodeModelSource(source),
        """
        {"engine":"llama-cpp","files":[{"role":"model","url":"https://x/m.gguf","filename":"m.gguf",
         "approxBytes":0}],
         "cliDefaults":{"cfgScale":1.0,"steps":4,"width":256,"height":256,"samplingMethod":"lcm",
          "flowShift":3.0,"zeroCondT":true,"offloadToCpu":false,"contextSize":8192,
          "chatTemplateKwargs":{"a":1}}}
        """);
    assertThat(codec.decodeModelSource(codec.encodeModelSource(source))).isEqualTo(source);
  }

  @ParameterizedTest
  @ValueSource(strings = {"sd-cpp", "llama-cpp", "onnx", "parakeet", "synthetic", "my-engine-2"})
  void engineIsReadByName(String engine) throws FrameDecodeException {
    ModelSource source =
        codec.decodeModelSource(MODEL_SOURCE_JSON.replace("\"sd-cpp\"", "\"" + engine + "\""));

    assertThat(source.engine()).isEqualTo(new EngineId(engine));
    assertThat(codec.encodeModelSource(source)).contains("\"engine\":\"" + engine + "\"");
  }

  @Test
  void wellKnownEnginesHaveTheirWireNames() {
    assertThat(
            List.of(
                EngineId.SD_CPP,
                EngineId.LLAMA_CPP,
                EngineId.ONNX,
                EngineId.PARAKEET,
                EngineId.SYNTHETIC))
        .extracting(EngineId::name)
        .containsExactly("sd-cpp", "llama-cpp", "onnx", "parakeet", "synthetic");
  }

  @ParameterizedTest
  @CsvSource({
    "DIFFUSION_MODEL, diffusion-model",
    "TEXT_ENCODER, text-encoder",
    "TEXT_ENCODER_VISION, text-encoder-vision",
    "VAE, vae",
    "LORA, lora",
    "MODEL, model"
  })
  void fileRolesUseKebabCaseWireNames(FileRole role, String wire) throws FrameDecodeException {
    String json =
        "{\"engine\":\"sd-cpp\",\"files\":[{\"role\":\""
            + wire
            + "\",\"url\":\"u\",\"filename\":\"f\",\"approxBytes\":null,\"sha256\":null}],"
            + "\"cliDefaults\":{\"cfgScale\":7.0,\"steps\":30,\"width\":1024,\"height\":1024}}";

    ModelSource source = codec.decodeModelSource(json);

    assertThat(source.files()).containsExactly(new ModelFile(role, "u", "f", null, null));
    assertThat(codec.encodeModelSource(source)).contains("\"role\":\"" + wire + "\"");
  }

  @ParameterizedTest
  @ValueSource(strings = {"SD-CPP", "sd cpp", "", "-sd", "sd_cpp", "ß"})
  void invalidEngineNameDoesNotDecode(String engine) {
    String json = MODEL_SOURCE_JSON.replace("\"sd-cpp\"", "\"" + engine + "\"");

    assertThatThrownBy(() -> codec.decodeModelSource(json))
        .isExactlyInstanceOf(FrameDecodeException.class)
        .hasMessageStartingWith("modelSource: engine is not a valid engine name");
  }

  @Test
  void unknownFileRoleDoesNotDecode() {
    String json = MODEL_SOURCE_JSON.replace("\"vae\"", "\"weights\"");

    assertThatThrownBy(() -> codec.decodeModelSource(json))
        .isExactlyInstanceOf(FrameDecodeException.class)
        .hasMessageStartingWith("modelSource: files[1].role is unknown; expected one of")
        .hasMessageNotContaining("weights");
  }
}
