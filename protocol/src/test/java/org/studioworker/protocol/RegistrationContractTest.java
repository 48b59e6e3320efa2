package org.studioworker.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.studioworker.protocol.Json.assertSameJson;
import static org.studioworker.protocol.Samples.CAPABILITIES;
import static org.studioworker.protocol.Samples.CAPABILITIES_JSON;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The bodies of the registration routes (PROTOCOL.md §2), against literal JSON. */
final class RegistrationContractTest {
  private final FrameCodec codec = new FrameCodec();
  private static final String HASH = "0123456789abcdef".repeat(4);

  @Test
  void registerRequestCarriesInstallIdSecretHashCapabilitiesAndUserAgent()
      throws FrameDecodeException {
    Registration.Request request =
        new Registration.Request(
            "123e4567-e89b-12d3-a456-426614174000", HASH, CAPABILITIES, "studio-worker/0.5.0");
    String json =
        "{\"installId\":\"123e4567-e89b-12d3-a456-426614174000\",\"registrationSecretHash\":\""
            + HASH
            + "\",\"capabilities\":"
            + CAPABILITIES_JSON
            + ",\"userAgent\":\"studio-worker/0.5.0\"}";

    assertSameJson(codec.encode(request), json);
    assertThat(codec.decodeRegistrationRequest(json)).isEqualTo(request);
  }

  @Test
  void registerRequestReplyCarriesRequestIdAndPendingStatus() throws FrameDecodeException {
    Registration.Accepted accepted = new Registration.Accepted("rr-1", "pending");

    assertSameJson(codec.encode(accepted), "{\"requestId\":\"rr-1\",\"status\":\"pending\"}");
    assertThat(codec.decodeRegistrationAccepted("{\"requestId\":\"rr-1\",\"status\":\"pending\"}"))
        .isEqualTo(accepted);
  }

  @Test
  void pendingPollReplyIsOnlyItsStatus() throws FrameDecodeException {
    assertThat(codec.encode(new Registration.Pending())).isEqualTo("{\"status\":\"pending\"}");
    assertThat(codec.decodeRegistrationStatus("{\"status\":\"pending\"}"))
        .isEqualTo(new Registration.Pending());
  }

  @Test
  void approvedPollReplyCarriesWorkerIdAndAuthToken() throws FrameDecodeException {
    Registration.Approved approved = new Registration.Approved("w-1", Samples.SECRET);
    String json =
        "{\"status\":\"approved\",\"workerId\":\"w-1\",\"authToken\":\"" + Samples.SECRET + "\"}";

    assertSameJson(codec.encode(approved), json);
    assertThat(codec.decodeRegistrationStatus(json)).isEqualTo(approved);
    assertThat(approved.toString()).doesNotContain(Samples.SECRET);
  }

  @Test
  void rejectedPollReplyCarriesTheReason() throws FrameDecodeException {
    assertSameJson(
        codec.encode(new Registration.Rejected("unknown machine")),
        "{\"status\":\"rejected\",\"reason\":\"unknown machine\"}");
    assertThat(
            codec.decodeRegistrationStatus(
                "{\"status\":\"rejected\",\"reason\":\"unknown machine\"}"))
        .isEqualTo(new Registration.Rejected("unknown machine"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"status\":\"rejected\"}", "{\"status\":\"rejected\",\"reason\":null}"})
  void rejectedPollReplyWithoutReasonHasAnEmptyReason(String json) throws FrameDecodeException {
    assertThat(codec.decodeRegistrationStatus(json)).isEqualTo(new Registration.Rejected(""));
  }

  @Test
  void approvedPollReplyWithoutTokenDoesNotDecode() {
    assertThatThrownBy(
            () -> codec.decodeRegistrationStatus("{\"status\":\"approved\",\"workerId\":\"w-1\"}"))
        .isExactlyInstanceOf(FrameDecodeException.class)
        .hasMessage("registration status: missing required field authToken");
  }

  @Test
  void unknownPollStatusDoesNotDecodeAndIsNotQuoted() {
    assertThatThrownBy(() -> codec.decodeRegistrationStatus("{\"status\":\"maybe-later\"}"))
        .isExactlyInstanceOf(FrameDecodeException.class)
        .hasMessage(
            "registration status: status is unknown; expected one of pending, approved, rejected");
  }
}
