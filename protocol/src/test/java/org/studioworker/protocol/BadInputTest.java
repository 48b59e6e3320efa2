package org.studioworker.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.studioworker.protocol.Samples.OFFER_JSON;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.studioworker.spi.ChatMessage;
import org.studioworker.spi.Claim;
import org.studioworker.spi.JsonText;
import org.studioworker.spi.Task;

/** Input that must not decode: each gives a FrameDecodeException, and nothing else escapes. */
final class BadInputTest {
  private final FrameCodec codec = new FrameCodec();

  private static final String ACCEPT = "{\"type\":\"accept\",\"jobId\":\"j\"}";

  private static String offerWith(String from, String to) {
    assertThat(OFFER_JSON).contains(from);
    return OFFER_JSON.replace(from, to);
  }

  private static String heartbeatWith(String from, String to) {
    String json = "{\"type\":\"heartbeat\",\"capabilities\":" + Samples.CAPABILITIES_JSON + "}";
    assertThat(json).contains(from);
    return json.replace(from, to);
  }

  static Stream<Arguments> badStudioFrames() {
    return Stream.of(
        // wrong types
        Arguments.of(
            offerWith("\"vramGbEstimate\":8.5", "\"vramGbEstimate\":\"8.5\""),
            "offer: claim.vramGbEstimate must be a number, got a string"),
        Arguments.of(
            offerWith("\"jobId\":\"job-1\"", "\"jobId\":1"),
            "offer: claim.jobId must be a string, got a number"),
        Arguments.of(
            OFFER_JSON.replaceFirst(
                "(?s)\"files\":\\[.*?\\],\\s*\"cliDefaults\"", "\"files\":{},\"cliDefaults\""),
            "offer: claim.modelSource.files must be an array, got an object"),
        Arguments.of(
            offerWith("\"width\":512", "\"width\":512.5"),
            "offer: claim.task.width must be an integer, got a number"),
        Arguments.of(
            offerWith("\"task\":{", "\"task\":[{").replace("\"webp\"}", "\"webp\"}]"),
            "offer: claim.task must be a JSON object, got an array"),
        // huge numbers
        Arguments.of(
            offerWith("\"width\":512", "\"width\":1e400"),
            "offer: claim.task.width must be an integer, got a number"),
        Arguments.of(
            offerWith("\"width\":512", "\"width\":99999999999999999999"),
            "offer: claim.task.width is out of range"),
        Arguments.of(
            offerWith("\"vramGbEstimate\":8.5", "\"vramGbEstimate\":1e400"),
            "offer: claim.vramGbEstimate is out of range"),
        Arguments.of(
            offerWith("\"vramGbEstimate\":8.5", "\"vramGbEstimate\":-1e400"),
            "offer: claim.vramGbEstimate is out of range"),
        Arguments.of(
            offerWith("\"approxBytes\":6938040682", "\"approxBytes\":99999999999999999999"),
            "offer: claim.modelSource.files[0].approxBytes is out of range"),
        // values the records refuse, checked with a path
        Arguments.of(
            offerWith("\"width\":512", "\"width\":0"),
            "offer: claim.task.width must be greater than zero"),
        Arguments.of(
            offerWith("\"steps\":20", "\"steps\":-3"),
            "offer: claim.task.steps must be greater than zero"),
        Arguments.of(
            offerWith("\"vramGbEstimate\":8.5", "\"vramGbEstimate\":-0.5"),
            "offer: claim.vramGbEstimate must not be negative"),
        Arguments.of(
            offerWith("\"approxBytes\":6938040682", "\"approxBytes\":-1"),
            "offer: claim.modelSource.files[0].approxBytes must not be negative"),
        // invalid enum values, unknown kind, invalid engine
        Arguments.of(
            offerWith("\"kind\":\"image\"", "\"kind\":\"hologram\""),
            "offer: claim.task.kind is unknown; expected one of image, llm, audio_stt, audio_tts,"
                + " video"),
        Arguments.of(
            offerWith("\"kind\":\"image\"", "\"kind\":\"Image\""),
            "offer: claim.task.kind is unknown; expected one of image, llm, audio_stt, audio_tts,"
                + " video"),
        Arguments.of(
            offerWith("\"engine\":\"sd-cpp\"", "\"engine\":\"SD/CPP\""),
            "offer: claim.modelSource.engine is not a valid engine name (1-64 lowercase letters,"
                + " digits, -)"),
        Arguments.of(
            offerWith("\"engine\":\"sd-cpp\"", "\"engine\":\"" + "e".repeat(65) + "\""),
            "offer: claim.modelSource.engine is not a valid engine name (1-64 lowercase letters,"
                + " digits, -)"),
        Arguments.of(
            offerWith("\"role\":\"vae\"", "\"role\":\"VAE\""),
            "offer: claim.modelSource.files[1].role is unknown; expected one of diffusion-model,"
                + " text-encoder, text-encoder-vision, vae, lora, model"),
        Arguments.of(
            "{\"type\":\"error\",\"code\":\"AUTH_FAILED\",\"message\":\"m\"}",
            "error: code is unknown; expected one of auth_failed, protocol_violation,"
                + " duplicate_worker, worker_deleted, internal_error"),
        // missing fields
        Arguments.of(
            offerWith("\"cliDefaults\":", "\"defaults\":"),
            "offer: missing required field claim.modelSource.cliDefaults"),
        Arguments.of(
            "{\"type\":\"welcome\",\"workerId\":\"w\"}",
            "welcome: missing required field serverTime"),
        Arguments.of("{\"type\":\"completeAck\"}", "completeAck: missing required field jobId"));
  }

  @ParameterizedTest
  @MethodSource("badStudioFrames")
  void badStudioFrameGivesADecodeErrorNamingTheFrameAndField(String json, String message) {
    assertThatThrownBy(() -> codec.decodeStudioFrame(json))
        .isExactlyInstanceOf(FrameDecodeException.class)
        .hasMessage(message)
        .hasNoCause();
  }

  static Stream<Arguments> badWorkerFrames() {
    return Stream.of(
        Arguments.of(
            "{\"type\":\"accept\",\"jobId\":5}", "accept: jobId must be a string, got a number"),
        Arguments.of(
            "{\"type\":\"fail\",\"jobId\":\"j\",\"error\":\"e\",\"retryable\":\"true\"}",
            "fail: retryable must be a boolean, got a string"),
        Arguments.of(
            "{\"type\":\"logBatch\",\"entries\":{}}",
            "logBatch: entries must be an array, got an object"),
        Arguments.of(
            "{\"type\":\"logBatch\",\"entries\":[\"line\"]}",
            "logBatch: entries[0] must be a JSON object, got a string"),
        Arguments.of(
            "{\"type\":\"logBatch\",\"entries\":[{\"ts\":\"yesterday\",\"level\":\"info\","
                + "\"category\":\"c\",\"message\":\"m\"}]}",
            "logBatch: entries[0].ts must be an RFC 3339 timestamp"),
        Arguments.of(
            "{\"type\":\"logBatch\",\"entries\":[{\"ts\":\"2026-01-02T03:04:05.678Z\","
                + "\"level\":\"loud\",\"category\":\"c\",\"message\":\"m\"}]}",
            "logBatch: entries[0].level is unknown; expected one of trace, debug, info, warn, error"),
        Arguments.of(
            "{\"type\":\"reject\",\"jobId\":\"j\",\"reason\":\"r\",\"code\":\"later\"}",
            "reject: code is unknown; expected one of busy, paused"),
        Arguments.of(
            heartbeatWith("\"supportedModels\":[\"llama-3\",\"sdxl\"]", "\"supportedModels\":{}"),
            "heartbeat: capabilities.supportedModels must be an array of strings, got an object"),
        Arguments.of(
            heartbeatWith(
                "\"supportedModels\":[\"llama-3\",\"sdxl\"]", "\"supportedModels\":\"sdxl\""),
            "heartbeat: capabilities.supportedModels must be an array of strings, got a string"),
        Arguments.of(
            heartbeatWith("\"image\":[\"sdxl\"]", "\"image\":\"sdxl\""),
            "heartbeat: capabilities.supportedModelsPerKind values must be arrays of strings"),
        Arguments.of(
            heartbeatWith("\"vramTotalGb\":24.0", "\"vramTotalGb\":1e400"),
            "heartbeat: capabilities.vramTotalGb is out of range"),
        Arguments.of(
            heartbeatWith("\"vramTotalGb\":24.0", "\"vramTotalGb\":\"24\""),
            "heartbeat: capabilities.vramTotalGb must be a number, got a string"),
        Arguments.of(
            heartbeatWith("\"autoEnabled\":true", "\"autoEnabled\":1"),
            "heartbeat: capabilities.autoEnabled must be a boolean, got a number"),
        Arguments.of(
            "{\"type\":\"heartbeat\",\"capabilities\":null}",
            "heartbeat: missing required field capabilities"));
  }

  @ParameterizedTest
  @MethodSource("badWorkerFrames")
  void badWorkerFrameGivesADecodeErrorNamingTheFrameAndField(String json, String message) {
    assertThatThrownBy(() -> codec.decodeWorkerFrame(json))
        .isExactlyInstanceOf(FrameDecodeException.class)
        .hasMessage(message)
        .hasNoCause();
  }

  static Stream<Arguments> badTasks() {
    return Stream.of(
        Arguments.of(
            "{\"kind\":\"llm\",\"messages\":[],\"maxTokens\":0}",
            "task: maxTokens must be greater than zero"),
        Arguments.of(
            "{\"kind\":\"llm\",\"messages\":{}}", "task: messages must be an array, got an object"),
        Arguments.of(
            "{\"kind\":\"llm\",\"messages\":[],\"stop\":[1]}",
            "task: stop[0] must be a string, got a number"),
        Arguments.of(
            "{\"kind\":\"video\",\"prompt\":\"p\",\"seconds\":0}",
            "task: seconds must be greater than zero"),
        Arguments.of(
            "{\"kind\":\"video\",\"prompt\":\"p\",\"seconds\":-1.5}",
            "task: seconds must be greater than zero"),
        Arguments.of(
            "{\"kind\":\"video\",\"prompt\":\"p\",\"seconds\":1e400}",
            "task: seconds is out of range"),
        Arguments.of(
            "{\"kind\":\"video\",\"prompt\":\"p\",\"fps\":0}",
            "task: fps must be greater than zero"),
        Arguments.of(
            "{\"kind\":\"video\",\"prompt\":\"p\",\"height\":-512}",
            "task: height must be greater than zero"),
        Arguments.of(
            "{\"kind\":\"image\",\"prompt\":\"p\",\"seed\":1.5}",
            "task: seed must be an integer, got a number"),
        Arguments.of(
            "{\"kind\":\"image\",\"prompt\":\"p\",\"seed\":99999999999999999999}",
            "task: seed is out of range"),
        Arguments.of("{\"kind\":\"image\",\"prompt\":null}", "task: missing required field prompt"),
        Arguments.of(
            "{\"kind\":\"audio_tts\",\"text\":[\"a\"]}",
            "task: text must be a string, got an array"),
        Arguments.of(
            "{\"kind\":\"audio_stt\",\"inputUrl\":\"u\",\"timestamps\":\"char\"}",
            "task: timestamps must be \"segment\" or \"word\""),
        Arguments.of("{\"kind\":7}", "task: kind must be a string, got a number"),
        Arguments.of("{\"prompt\":\"p\"}", "task: missing required field kind"));
  }

  @ParameterizedTest
  @MethodSource("badTasks")
  void badTaskGivesADecodeErrorNamingTheField(String json, String message) {
    assertThatThrownBy(() -> codec.decodeTask(json))
        .isExactlyInstanceOf(FrameDecodeException.class)
        .hasMessage(message)
        .hasNoCause();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "   ",
        "null",
        "[]",
        "[{\"type\":\"accept\",\"jobId\":\"j\"}]",
        "42",
        "\"accept\"",
        "true",
        "{",
        "{\"type\":\"accept\",\"jobId\":\"j\"",
        "{\"type\":\"accept\",\"jobId\":\"j\"}}",
        "{\"type\":\"accept\",\"jobId\":\"j\"} {}",
        "{\"type\":\"accept\",\"type\":\"accept\",\"jobId\":\"j\"}",
        "{'type':'accept'}",
        "{\"type\":\"accept\",\"jobId\":\"j\",}",
        "{\"type\":\"heartbeat\",\"capabilities\":{\"vramTotalGb\":NaN}}",
        "{\"type\":\"heartbeat\",\"capabilities\":{\"vramTotalGb\":Infinity}}",
        "{\"type\":\"heartbeat\",\"capabilities\":{\"vramTotalGb\":-Infinity}}",
        "{\"type\":\"heartbeat\",\"capabilities\":{\"vramTotalGb\":01}}",
        "{\"type\":\"accept\",\"jobId\":\"j\\q\"}",
        "\uFEFF{\"type\":\"accept\",\"jobId\":\"j\"}",
      })
  void malformedOrNonObjectInputGivesADecodeError(String text) {
    for (Throwable thrown :
        List.of(
            catchThrowable(() -> codec.decodeWorkerFrame(text)),
            catchThrowable(() -> codec.decodeStudioFrame(text)))) {
      assertThat(thrown).isExactlyInstanceOf(FrameDecodeException.class).hasNoCause();
      assertThat(thrown.getMessage()).isNotBlank();
    }
  }

  @Test
  void emptyAndNonObjectInputSaySo() {
    assertThatThrownBy(() -> codec.decodeWorkerFrame("")).hasMessage("empty frame");
    assertThatThrownBy(() -> codec.decodeWorkerFrame("null"))
        .hasMessage("the frame must be a JSON object, got null");
    assertThatThrownBy(() -> codec.decodeStudioFrame("[]"))
        .hasMessage("the frame must be a JSON object, got an array");
    assertThatThrownBy(() -> codec.decodeClaim("")).hasMessage("claim: empty frame");
  }

  @Test
  void duplicateKeysAndTrailingContentAreRejected() {
    assertThatThrownBy(
            () ->
                codec.decodeWorkerFrame("{\"type\":\"accept\",\"type\":\"fail\",\"jobId\":\"j\"}"))
        .hasMessageStartingWith("malformed JSON: Duplicate Object property");
    assertThatThrownBy(() -> codec.decodeWorkerFrame(ACCEPT + "{}"))
        .hasMessageStartingWith("malformed JSON: trailing content after the JSON value");
  }

  @Test
  void nonFiniteNumberTokensAreMalformedJson() {
    assertThatThrownBy(
            () ->
                codec.decodeStudioFrame(
                    offerWith("\"vramGbEstimate\":8.5", "\"vramGbEstimate\":NaN")))
        .isExactlyInstanceOf(FrameDecodeException.class)
        .hasMessageStartingWith("malformed JSON: Non-standard token (line 1, column");
  }

  @Test
  void noCorruptionOfAnOfferLetsAnythingButADecodeErrorEscape() {
    String offer = OFFER_JSON.strip();
    String mutations = "{}[]:,\"\\ 0-9eE.+ntfu\u0000\ud800";

    qt().withExamples(3_000)
        .forAll(
            integers().between(0, offer.length() - 1),
            integers().between(0, mutations.length() - 1),
            integers().between(0, 2))
        .checkAssert(
            (at, pick, how) -> {
              char c = mutations.charAt(pick);
              String text =
                  switch (how) {
                    case 0 -> offer.substring(0, at) + c + offer.substring(at);
                    case 1 -> offer.substring(0, at) + c + offer.substring(at + 1);
                    default -> offer.substring(0, at) + offer.substring(at + 1);
                  };
              Throwable thrown = catchThrowable(() -> codec.decodeStudioFrame(text));
              if (thrown != null) {
                assertThat(thrown).isExactlyInstanceOf(FrameDecodeException.class).hasNoCause();
              }
            });
  }

  @Test
  void everyTruncationOfAnOfferGivesADecodeError() {
    for (int end = 0; end < OFFER_JSON.strip().length(); end++) {
      String truncated = OFFER_JSON.strip().substring(0, end);

      assertThat(catchThrowable(() -> codec.decodeStudioFrame(truncated)))
          .as("offer cut at %d", end)
          .isExactlyInstanceOf(FrameDecodeException.class);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"[", "{\"a\":", "{\"type\":\"completeJson\",\"jobId\":\"j\",\"result\":["})
  void deeplyNestedInputGivesADecodeError(String opener) {
    String text = opener.repeat(10_000);

    for (Throwable thrown :
        List.of(
            catchThrowable(() -> codec.decodeWorkerFrame(text)),
            catchThrowable(() -> codec.decodeStudioFrame(text)),
            catchThrowable(() -> codec.validateJson(text)))) {
      assertThat(thrown)
          .isExactlyInstanceOf(FrameDecodeException.class)
          .hasMessageContaining("nesting depth")
          .hasMessageContaining("exceeds the maximum allowed (64)");
    }
  }

  @Test
  void nestingUpToTheLimitIsAccepted() throws FrameDecodeException {
    // The frame object is level 1, so the result may nest 63 levels.
    String result = "[".repeat(63) + "]".repeat(63);

    assertThat(
            codec.decodeWorkerFrame(
                "{\"type\":\"completeJson\",\"jobId\":\"j\",\"result\":" + result + "}"))
        .isEqualTo(new WorkerFrame.CompleteJson("j", new JsonText(result), null));
  }

  @Test
  void oversizedTextGivesADecodeErrorBeforeParsing() {
    String text = " ".repeat(FrameCodec.MAX_FRAME_CHARS - ACCEPT.length() + 1) + ACCEPT;

    assertThatThrownBy(() -> codec.decodeWorkerFrame(text))
        .isExactlyInstanceOf(FrameDecodeException.class)
        .hasMessage(
            "frame of "
                + (FrameCodec.MAX_FRAME_CHARS + 1)
                + " characters is over the limit of "
                + FrameCodec.MAX_FRAME_CHARS);
  }

  @Test
  void overlongNumberLiteralGivesADecodeError() {
    String json = offerWith("\"width\":512", "\"width\":" + "9".repeat(100));

    assertThatThrownBy(() -> codec.decodeStudioFrame(json))
        .isExactlyInstanceOf(FrameDecodeException.class)
        .hasMessageStartingWith("malformed JSON: Number value length");
  }

  @Test
  void encodeRefusesWhatItCouldNotDecode() {
    Claim claim = Samples.claim();
    Task infiniteTemperature =
        new Task.Llm(
            List.of(new ChatMessage("user", "hi")),
            null,
            1,
            Double.POSITIVE_INFINITY,
            null,
            null,
            null,
            null,
            null);

    // A claim with a bad estimate cannot even be built, so no encoder ever sees one.
    assertThatThrownBy(
            () -> new Claim("j", "g", "a", "m", Double.NaN, claim.task(), claim.modelSource()))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("vramGbEstimate must be a finite number, 0 or more");
    assertThatThrownBy(() -> new Claim("j", "g", "a", "m", -1, claim.task(), claim.modelSource()))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("vramGbEstimate must be a finite number, 0 or more");
    assertThatThrownBy(() -> codec.encodeTask(infiniteTemperature))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("temperature must be a finite number");
    assertThatThrownBy(
            () -> codec.encode(new WorkerFrame.CompleteJson("j", new JsonText("{\"a\":"), null)))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("result is not valid JSON: malformed JSON");
  }

  @Test
  void encodeRefusesAFrameOverTheLimit() {
    String big = "x".repeat(FrameCodec.MAX_FRAME_CHARS);

    assertThatThrownBy(() -> codec.encode(new WorkerFrame.Fail("j", big, true)))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("over the limit of " + FrameCodec.MAX_FRAME_CHARS);
  }
}
