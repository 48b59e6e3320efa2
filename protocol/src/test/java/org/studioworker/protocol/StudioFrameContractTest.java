package org.studioworker.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.studioworker.protocol.Json.assertSameJson;
import static org.studioworker.protocol.Samples.CLAIM_JSON;
import static org.studioworker.protocol.Samples.OFFER_JSON;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The studio → worker frames of PROTOCOL.md §3, against literal JSON. */
final class StudioFrameContractTest {
  private final FrameCodec codec = new FrameCodec();

  private void assertBothWays(StudioFrame frame, String json) throws FrameDecodeException {
    assertSameJson(codec.encode(frame), json);
    assertThat(codec.decodeStudioFrame(json)).isEqualTo(frame);
  }

  @Test
  void welcomeCarriesWorkerIdAndServerTimeAsSent() throws FrameDecodeException {
    assertBothWays(
        new StudioFrame.Welcome("w-42", "2026-01-02T03:04:05.678+01:00"),
        "{\"type\":\"welcome\",\"workerId\":\"w-42\",\"serverTime\":\"2026-01-02T03:04:05.678+01:00\"}");
  }

  @Test
  void offerCarriesTheWholeClaim() throws FrameDecodeException {
    assertBothWays(new StudioFrame.Offer(Samples.claim()), OFFER_JSON);
    assertThat(codec.decodeClaim(CLAIM_JSON)).isEqualTo(Samples.claim());
    assertSameJson(codec.encodeClaim(Samples.claim()), CLAIM_JSON);
  }

  @ParameterizedTest
  @ValueSource(strings = {"task", "modelSource"})
  void offerWithoutTaskOrModelSourceDoesNotDecode(String missing) {
    String json = OFFER_JSON.replace("\"" + missing + "\":", "\"was-" + missing + "\":");

    assertThatThrownBy(() -> codec.decodeStudioFrame(json))
        .isExactlyInstanceOf(FrameDecodeException.class)
        .hasMessage("offer: missing required field claim." + missing);
  }

  @Test
  void offerWithNullTaskDoesNotDecode() {
    String json = OFFER_JSON.replaceFirst("\"task\":\\{[^}]*\\}", "\"task\":null");

    assertThatThrownBy(() -> codec.decodeStudioFrame(json))
        .isExactlyInstanceOf(FrameDecodeException.class)
        .hasMessage("offer: missing required field claim.task");
  }

  @Test
  void offerWithoutClaimDoesNotDecode() {
    assertThatThrownBy(() -> codec.decodeStudioFrame("{\"type\":\"offer\"}"))
        .isExactlyInstanceOf(FrameDecodeException.class)
        .hasMessage("offer: missing required field claim");
  }

  @Test
  void heartbeatAckIsOnlyItsType() throws FrameDecodeException {
    assertThat(codec.encode(new StudioFrame.HeartbeatAck()))
        .isEqualTo("{\"type\":\"heartbeatAck\"}");
    assertThat(codec.decodeStudioFrame("{\"type\":\"heartbeatAck\"}"))
        .isEqualTo(new StudioFrame.HeartbeatAck());
  }

  @Test
  void completeAckAndFailAckCarryJobId() throws FrameDecodeException {
    assertBothWays(
        new StudioFrame.CompleteAck("job-1"), "{\"type\":\"completeAck\",\"jobId\":\"job-1\"}");
    assertBothWays(new StudioFrame.FailAck("job-2"), "{\"type\":\"failAck\",\"jobId\":\"job-2\"}");
  }

  @ParameterizedTest
  @CsvSource({
    "AUTH_FAILED, auth_failed",
    "PROTOCOL_VIOLATION, protocol_violation",
    "DUPLICATE_WORKER, duplicate_worker",
    "WORKER_DELETED, worker_deleted",
    "INTERNAL_ERROR, internal_error"
  })
  void errorCarriesEveryCodeByWireName(ErrorCode code, String wire) throws FrameDecodeException {
    assertBothWays(
        new StudioFrame.Error(code, "bye"),
        "{\"type\":\"error\",\"code\":\"" + wire + "\",\"message\":\"bye\"}");
    assertThat(code.wireName()).isEqualTo(wire);
    assertThat(ErrorCode.fromWire(wire)).contains(code);
  }

  @Test
  void errorWithUnknownCodeDoesNotDecode() {
    assertThatThrownBy(
            () ->
                codec.decodeStudioFrame(
                    "{\"type\":\"error\",\"code\":\"teapot\",\"message\":\"m\"}"))
        .isExactlyInstanceOf(FrameDecodeException.class)
        .hasMessage(
            "error: code is unknown; expected one of auth_failed, protocol_violation,"
                + " duplicate_worker, worker_deleted, internal_error");
  }

  @ParameterizedTest
  @ValueSource(strings = {"hello", "accept", "Welcome", "bogus", ""})
  void unknownStudioFrameTypeIsRejected(String type) {
    assertThatThrownBy(() -> codec.decodeStudioFrame("{\"type\":\"" + type + "\"}"))
        .isExactlyInstanceOf(FrameDecodeException.class)
        .hasMessage(
            "unknown frame type; expected one of welcome, offer, heartbeatAck, completeAck,"
                + " failAck, error");
  }

  @Test
  void frameWithoutTypeDoesNotDecode() {
    assertThatThrownBy(() -> codec.decodeStudioFrame("{\"jobId\":\"j\"}"))
        .isExactlyInstanceOf(FrameDecodeException.class)
        .hasMessage("missing required field type");
    assertThatThrownBy(() -> codec.decodeStudioFrame("{\"type\":7}"))
        .isExactlyInstanceOf(FrameDecodeException.class)
        .hasMessage("type must be a string, got a number");
  }
}
