package org.studioworker.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.studioworker.protocol.Samples.CAPABILITIES_JSON;
import static org.studioworker.protocol.Samples.HELLO_JSON;
import static org.studioworker.protocol.Samples.SECRET;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/** A decode error never carries a field's value: not in its message, not in a cause. */
final class DecodeErrorSecrecyTest {
  private final FrameCodec codec = new FrameCodec();

  /** The part of the secret that must never show; shorter than the token, so cut copies count. */
  private static final String FRAGMENT = "s3cr3t";

  private static void assertDoesNotLeak(Throwable thrown) {
    for (Throwable t = thrown; t != null; t = t.getCause()) {
      assertThat(String.valueOf(t.getMessage())).doesNotContain(FRAGMENT);
      assertThat(t.toString()).doesNotContain(FRAGMENT);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        // malformed: the token unquoted, cut, badly escaped, followed by junk
        "{\"type\":\"hello\",\"authToken\":s3cr3t-token-value,\"capabilities\":{}}",
        "{\"type\":\"hello\",\"authToken\":s3cr3t-token-value}",
        "{\"type\":\"hello\",\"authToken\":\"s3cr3t-token-value",
        "{\"type\":\"hello\",\"authToken\":\"s3cr3t\\q-token-value\"}",
        "{\"type\":\"hello\",\"authToken\":\"s3cr3t-token-value\" x}",
        "{\"type\":\"hello\",\"authToken\":'s3cr3t-token-value'}",
        "{\"type\":\"hello\",s3cr3t-token-value:1}",
        "{\"type\":\"hello\",\"authToken\":\"s3cr3t-token-value\",\"capabilities\":x}",
        "{\"type\":\"hello\",\"authToken\":\"s3cr3t-token-value\",\"capabilities\":{]}",
        "{\"type\":\"hello\",\"authToken\":\"s3cr3t-token-value\",\"capabilities\":NaN}",
        "{\"type\":\"hello\",\"authToken\":\"s3cr3t-token-value\",\"authToken\":\"x\"}",
        "{\"type\":\"hello\",\"s3cr3t-token-value\":1,\"s3cr3t-token-value\":2}",
        // well-formed but wrong: the token next to a wrong-typed part
        "{\"type\":\"hello\",\"authToken\":\"s3cr3t-token-value\",\"capabilities\":\"x\"}",
        "{\"type\":\"hello\",\"authToken\":\"s3cr3t-token-value\",\"capabilities\":{}}",
        "{\"type\":\"hello\",\"authToken\":[\"s3cr3t-token-value\"],\"capabilities\":{}}",
        "{\"type\":\"hello\",\"authToken\":{\"v\":\"s3cr3t-token-value\"}}",
        // the secret in a place where a value is checked against a list
        "{\"type\":\"s3cr3t-token-value\"}",
        "{\"type\":\"reject\",\"jobId\":\"j\",\"reason\":\"r\",\"code\":\"s3cr3t-token-value\"}",
        "{\"type\":\"logBatch\",\"entries\":[{\"ts\":\"s3cr3t-token-value\",\"level\":\"info\","
            + "\"category\":\"c\",\"message\":\"m\"}]}",
        "{\"type\":\"logBatch\",\"entries\":[{\"ts\":\"2026-01-02T03:04:05.678Z\","
            + "\"level\":\"s3cr3t-token-value\",\"category\":\"c\",\"message\":\"m\"}]}",
      })
  void helloWithABrokenPartDoesNotQuoteTheToken(String json) {
    Throwable thrown = catchThrowable(() -> codec.decodeWorkerFrame(json));

    assertThat(thrown).isExactlyInstanceOf(FrameDecodeException.class);
    assertDoesNotLeak(thrown);
  }

  @Test
  void wrongTypedCapabilitiesNextToTheTokenNameOnlyTheField() {
    String json = HELLO_JSON.replace("\"vramTotalGb\":24.0", "\"vramTotalGb\":\"" + SECRET + "\"");

    Throwable thrown = catchThrowable(() -> codec.decodeWorkerFrame(json));

    assertThat(thrown)
        .isExactlyInstanceOf(FrameDecodeException.class)
        .hasMessage("hello: capabilities.vramTotalGb must be a number, got a string");
  }

  @Test
  void supportedModelsPerKindKeyIsNotQuoted() {
    String json = CAPABILITIES_JSON.replace("\"image\":[\"sdxl\"]", "\"" + SECRET + "\":5");

    assertDoesNotLeak(catchThrowable(() -> codec.decodeCapabilities(json)));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"status\":\"s3cr3t-token-value\"}",
        "{\"status\":\"approved\",\"workerId\":\"w\",\"authToken\":s3cr3t-token-value}",
        "{\"status\":\"approved\",\"workerId\":7,\"authToken\":\"s3cr3t-token-value\"}",
      })
  void registrationStatusErrorsDoNotQuoteTheToken(String json) {
    Throwable thrown = catchThrowable(() -> codec.decodeRegistrationStatus(json));

    assertThat(thrown).isExactlyInstanceOf(FrameDecodeException.class);
    assertDoesNotLeak(thrown);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"kind\":\"s3cr3t-token-value\"}",
        "{\"kind\":\"image\",\"prompt\":\"p\",\"width\":-7}",
        "{\"kind\":\"video\",\"prompt\":\"p\",\"seconds\":-0.25}",
      })
  void taskErrorsDoNotQuoteTheValue(String json) {
    Throwable thrown = catchThrowable(() -> codec.decodeTask(json));

    assertThat(thrown).isExactlyInstanceOf(FrameDecodeException.class);
    assertDoesNotLeak(thrown);
    assertThat(thrown.getMessage()).doesNotContain("-7").doesNotContain("0.25");
  }

  /** Characters that break JSON in many ways, and the letters of the token. */
  private static final String MUTATIONS = "{}[]:,\"'\\ 0-1eE.ntfasx\u0000\u00e9\ud83d";

  @Test
  void noCorruptionOfAHelloFrameLeaksTheToken() {
    String hello = HELLO_JSON.strip();
    Gen<String> corrupted =
        integers()
            .between(0, hello.length())
            .zip(
                integers().between(0, MUTATIONS.length() - 1),
                Generate.pick(java.util.List.of("insert", "replace", "delete", "cut")),
                (at, pick, how) -> corrupt(hello, at, MUTATIONS.charAt(pick), how));

    qt().withExamples(3_000)
        .forAll(corrupted)
        .checkAssert(
            text -> {
              Throwable thrown = catchThrowable(() -> codec.decodeWorkerFrame(text));
              if (thrown != null) {
                assertThat(thrown).isExactlyInstanceOf(FrameDecodeException.class);
                assertThat(thrown.getMessage()).isNotBlank();
                assertDoesNotLeak(thrown);
              }
            });
  }

  private static String corrupt(String text, int at, char c, String how) {
    int end = Math.min(at + 1, text.length());
    return switch (how) {
      case "insert" -> text.substring(0, at) + c + text.substring(at);
      case "replace" -> text.substring(0, at) + c + text.substring(end);
      case "delete" -> text.substring(0, at) + text.substring(end);
      default -> text.substring(0, at);
    };
  }
}
