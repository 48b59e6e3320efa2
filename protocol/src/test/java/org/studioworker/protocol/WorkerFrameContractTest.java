package org.studioworker.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.studioworker.protocol.Json.assertNoKey;
import static org.studioworker.protocol.Json.assertSameJson;
import static org.studioworker.protocol.Samples.CAPABILITIES;
import static org.studioworker.protocol.Samples.CAPABILITIES_JSON;
import static org.studioworker.protocol.Samples.HELLO_JSON;
import static org.studioworker.protocol.Samples.SECRET;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.studioworker.spi.JsonText;

/** The worker → studio frames of PROTOCOL.md §3, against literal JSON. */
final class WorkerFrameContractTest {
  private final FrameCodec codec = new FrameCodec();

  private void assertBothWays(WorkerFrame frame, String json) throws FrameDecodeException {
    assertSameJson(codec.encode(frame), json);
    assertThat(codec.decodeWorkerFrame(json)).isEqualTo(frame);
  }

  @Test
  void helloCarriesAuthTokenAndCapabilities() throws FrameDecodeException {
    assertBothWays(new WorkerFrame.Hello(SECRET, CAPABILITIES), HELLO_JSON);
  }

  @Test
  void helloToStringRedactsTheToken() {
    assertThat(new WorkerFrame.Hello(SECRET, CAPABILITIES).toString()).doesNotContain(SECRET);
  }

  @Test
  void heartbeatOmitsCurrentJobIdWhenIdle() throws FrameDecodeException {
    String json = codec.encode(new WorkerFrame.Heartbeat(CAPABILITIES, null));

    assertSameJson(json, "{\"type\":\"heartbeat\",\"capabilities\":" + CAPABILITIES_JSON + "}");
    assertNoKey(json, "", "currentJobId");
  }

  @Test
  void heartbeatCarriesCurrentJobIdWhileBusy() throws FrameDecodeException {
    assertBothWays(
        new WorkerFrame.Heartbeat(CAPABILITIES, "job-1"),
        "{\"type\":\"heartbeat\",\"capabilities\":"
            + CAPABILITIES_JSON
            + ",\"currentJobId\":\"job-1\"}");
  }

  @Test
  void heartbeatReadsAbsentOrNullCurrentJobIdAsIdle() throws FrameDecodeException {
    WorkerFrame idle = new WorkerFrame.Heartbeat(CAPABILITIES, null);

    assertThat(
            codec.decodeWorkerFrame(
                "{\"type\":\"heartbeat\",\"capabilities\":" + CAPABILITIES_JSON + "}"))
        .isEqualTo(idle);
    assertThat(
            codec.decodeWorkerFrame(
                "{\"type\":\"heartbeat\",\"currentJobId\":null,\"capabilities\":"
                    + CAPABILITIES_JSON
                    + "}"))
        .isEqualTo(idle);
  }

  @Test
  void acceptCarriesJobIdWithTypeAsFirstKey() throws FrameDecodeException {
    assertThat(codec.encode(new WorkerFrame.Accept("job-1")))
        .isEqualTo("{\"type\":\"accept\",\"jobId\":\"job-1\"}");
    assertThat(codec.decodeWorkerFrame("{\"jobId\":\"job-1\",\"type\":\"accept\"}"))
        .isEqualTo(new WorkerFrame.Accept("job-1"));
  }

  @ParameterizedTest
  @CsvSource({"BUSY, busy", "PAUSED, paused"})
  void rejectCarriesItsCodeByWireName(RejectCode code, String wire) throws FrameDecodeException {
    assertBothWays(
        new WorkerFrame.Reject("job-1", "worker already has an in-flight job", code),
        "{\"type\":\"reject\",\"jobId\":\"job-1\","
            + "\"reason\":\"worker already has an in-flight job\",\"code\":\""
            + wire
            + "\"}");
  }

  @Test
  void rejectOmitsCodeWhenAbsentAndReadsNullAsAbsent() throws FrameDecodeException {
    WorkerFrame.Reject reject = new WorkerFrame.Reject("job-1", "no such model", null);
    String json = codec.encode(reject);

    assertSameJson(json, "{\"type\":\"reject\",\"jobId\":\"job-1\",\"reason\":\"no such model\"}");
    assertNoKey(json, "", "code");
    assertThat(
            codec.decodeWorkerFrame(
                "{\"type\":\"reject\",\"jobId\":\"job-1\",\"reason\":\"no such model\",\"code\":null}"))
        .isEqualTo(reject);
  }

  @Test
  void completeJsonCarriesResultAndFullPrompt() throws FrameDecodeException {
    String prompt = "p".repeat(500);
    assertBothWays(
        new WorkerFrame.CompleteJson(
            "job-1", new JsonText("{\"text\":\"hi\",\"tokens\":[1,2.5,true,null]}"), prompt),
        "{\"type\":\"completeJson\",\"jobId\":\"job-1\","
            + "\"result\":{\"text\":\"hi\",\"tokens\":[1,2.5,true,null]},\"prompt\":\""
            + prompt
            + "\"}");
  }

  @Test
  void completeJsonOmitsPromptWhenAbsentAndReadsNullAsAbsent() throws FrameDecodeException {
    WorkerFrame.CompleteJson complete =
        new WorkerFrame.CompleteJson("job-1", new JsonText("[\"a\"]"), null);
    String json = codec.encode(complete);

    assertSameJson(json, "{\"type\":\"completeJson\",\"jobId\":\"job-1\",\"result\":[\"a\"]}");
    assertNoKey(json, "", "prompt");
    assertThat(
            codec.decodeWorkerFrame(
                "{\"type\":\"completeJson\",\"jobId\":\"job-1\",\"result\":[\"a\"],\"prompt\":null}"))
        .isEqualTo(complete);
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"text\"", "42", "-0.5", "true", "null", "[]", "{}"})
  void completeJsonResultMayBeAnyJsonValue(String result) throws FrameDecodeException {
    WorkerFrame frame =
        codec.decodeWorkerFrame(
            "{\"type\":\"completeJson\",\"jobId\":\"j\",\"result\":" + result + "}");

    assertThat(frame).isEqualTo(new WorkerFrame.CompleteJson("j", new JsonText(result), null));
    assertSameJson(
        codec.encode(frame),
        "{\"type\":\"completeJson\",\"jobId\":\"j\",\"result\":" + result + "}");
  }

  @Test
  void completeJsonResultKeepsNumbersExactly() throws FrameDecodeException {
    String result =
        "{\"big\":1E+400,\"long\":123456789012345678901234567890.5,\"n\":99999999999999999999}";

    WorkerFrame frame =
        codec.decodeWorkerFrame(
            "{\"type\":\"completeJson\",\"jobId\":\"j\",\"result\":" + result + "}");

    assertThat(((WorkerFrame.CompleteJson) frame).result().json()).isEqualTo(result);
    assertThat(codec.encode(frame)).contains(result);
  }

  @Test
  void completeJsonWithoutResultDoesNotDecode() {
    assertThatThrownBy(() -> codec.decodeWorkerFrame("{\"type\":\"completeJson\",\"jobId\":\"j\"}"))
        .isInstanceOf(FrameDecodeException.class)
        .hasMessage("completeJson: missing required field result");
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void failCarriesErrorAndRetryable(boolean retryable) throws FrameDecodeException {
    assertBothWays(
        new WorkerFrame.Fail("job-1", "engine crashed", retryable),
        "{\"type\":\"fail\",\"jobId\":\"job-1\",\"error\":\"engine crashed\",\"retryable\":"
            + retryable
            + "}");
  }

  @Test
  void logBatchWritesMillisecondUtcTimestampsAndOmitsAbsentJobId() throws FrameDecodeException {
    WorkerFrame.LogBatch batch =
        new WorkerFrame.LogBatch(
            List.of(
                new LogEntry(
                    Instant.parse("2026-01-02T03:04:05.678Z"),
                    LogLevel.INFO,
                    "jobs",
                    "done",
                    "j-1"),
                new LogEntry(
                    Instant.parse("2026-01-02T03:04:05Z"),
                    LogLevel.WARN,
                    "logs",
                    "dropped 3",
                    null)));
    String json = codec.encode(batch);

    assertThat(json)
        .isEqualTo(
            "{\"type\":\"logBatch\",\"entries\":["
                + "{\"ts\":\"2026-01-02T03:04:05.678Z\",\"level\":\"info\",\"category\":\"jobs\","
                + "\"message\":\"done\",\"jobId\":\"j-1\"},"
                + "{\"ts\":\"2026-01-02T03:04:05.000Z\",\"level\":\"warn\",\"category\":\"logs\","
                + "\"message\":\"dropped 3\"}]}");
    assertThat(codec.decodeWorkerFrame(json)).isEqualTo(batch);
  }

  @Test
  void logBatchTruncatesTimestampsToMilliseconds() {
    LogEntry entry =
        new LogEntry(
            Instant.parse("2026-01-02T03:04:05.678999999Z"), LogLevel.ERROR, "session", "x", null);

    assertThat(codec.encode(new WorkerFrame.LogBatch(List.of(entry))))
        .contains("\"ts\":\"2026-01-02T03:04:05.678Z\"");
    assertThat(FrameCodec.timestamp(Instant.parse("1999-12-31T23:59:59.001Z")))
        .isEqualTo("1999-12-31T23:59:59.001Z");
  }

  @ParameterizedTest
  @CsvSource({"TRACE, trace", "DEBUG, debug", "INFO, info", "WARN, warn", "ERROR, error"})
  void logLevelsUseLowercaseWireNames(LogLevel level, String wire) throws FrameDecodeException {
    String json =
        "{\"type\":\"logBatch\",\"entries\":[{\"ts\":\"2026-01-02T03:04:05.678Z\",\"level\":\""
            + wire
            + "\",\"category\":\"c\",\"message\":\"m\",\"jobId\":null}]}";

    assertThat(codec.decodeWorkerFrame(json))
        .isEqualTo(
            new WorkerFrame.LogBatch(
                List.of(
                    new LogEntry(
                        Instant.parse("2026-01-02T03:04:05.678Z"), level, "c", "m", null))));
    assertThat(level.wireName()).isEqualTo(wire);
  }

  @Test
  void readyForMoreIsOnlyItsType() throws FrameDecodeException {
    assertThat(codec.encode(new WorkerFrame.ReadyForMore()))
        .isEqualTo("{\"type\":\"readyForMore\"}");
    assertThat(codec.decodeWorkerFrame("{\"type\":\"readyForMore\"}"))
        .isEqualTo(new WorkerFrame.ReadyForMore());
  }

  @Test
  void unknownKeysAreIgnored() throws FrameDecodeException {
    assertThat(
            codec.decodeWorkerFrame(
                "{\"type\":\"accept\",\"jobId\":\"j\",\"future\":{\"x\":[1]},\"extra\":null}"))
        .isEqualTo(new WorkerFrame.Accept("j"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"welcome", "offer", "Accept", "bogus", ""})
  void unknownWorkerFrameTypeIsRejected(String type) {
    assertThatThrownBy(() -> codec.decodeWorkerFrame("{\"type\":\"" + type + "\",\"jobId\":\"j\"}"))
        .isExactlyInstanceOf(FrameDecodeException.class)
        .hasMessageStartingWith("unknown frame type; expected one of hello, heartbeat, accept")
        .satisfies(e -> assertThat(((FrameDecodeException) e).frameType()).isNull());
  }
}
