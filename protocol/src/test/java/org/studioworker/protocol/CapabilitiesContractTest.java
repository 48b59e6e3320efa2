package org.studioworker.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.studioworker.protocol.Json.assertNoKey;
import static org.studioworker.protocol.Json.assertSameJson;
import static org.studioworker.protocol.Samples.CAPABILITIES;
import static org.studioworker.protocol.Samples.CAPABILITIES_JSON;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.studioworker.spi.TaskKind;

/** The capabilities object of hello, heartbeat and the registration request. */
final class CapabilitiesContractTest {
  private final FrameCodec codec = new FrameCodec();

  @Test
  void capabilitiesCarryEveryRequiredKey() throws FrameDecodeException {
    assertSameJson(codec.encodeCapabilities(CAPABILITIES), CAPABILITIES_JSON);
    assertThat(codec.decodeCapabilities(CAPABILITIES_JSON)).isEqualTo(CAPABILITIES);
  }

  @Test
  void supportedModelsAreSortedAndDeduplicated() {
    Capabilities capabilities =
        Capabilities.of(
            "m",
            "u",
            "1",
            8,
            8,
            true,
            true,
            Map.of(
                TaskKind.LLM,
                List.of("zeta", "alpha", "zeta"),
                TaskKind.IMAGE,
                List.of("mid", "alpha")));

    String json = codec.encodeCapabilities(capabilities);

    assertThat(json).contains("\"supportedModels\":[\"alpha\",\"mid\",\"zeta\"]");
    assertThat(json)
        .contains(
            "\"supportedModelsPerKind\":{\"image\":[\"alpha\",\"mid\"],\"llm\":[\"alpha\",\"zeta\"]}");
  }

  @Test
  void taskKindsUseWireNames() throws FrameDecodeException {
    Map<TaskKind, List<String>> served = new EnumMap<>(TaskKind.class);
    for (TaskKind kind : TaskKind.values()) {
      served.put(kind, List.of("m-" + kind.wireName()));
    }
    Capabilities capabilities = Capabilities.of("m", "u", "1", 8, 8, true, true, served);

    String json = codec.encodeCapabilities(capabilities);

    assertThat(json)
        .contains("\"taskKinds\":[\"image\",\"llm\",\"audio_stt\",\"audio_tts\",\"video\"]")
        .contains("\"audio_stt\":[\"m-audio_stt\"]")
        .contains("\"audio_tts\":[\"m-audio_tts\"]")
        .contains("\"engine\":\"multi\"");
    assertThat(codec.decodeCapabilities(json)).isEqualTo(capabilities);
  }

  @Test
  void newerFieldsAreOmittedWhenNull() {
    String json = codec.encodeCapabilities(CAPABILITIES);

    for (String key : List.of("autoUpdate", "startMinimised", "onlyWhenIdle", "userPresence")) {
      assertNoKey(json, "", key);
    }
  }

  @Test
  void newerFieldsAreWrittenWhenSet() throws FrameDecodeException {
    Capabilities capabilities = CAPABILITIES.withClientSettings(true, false, true, null);

    String json = codec.encodeCapabilities(capabilities);

    assertThat(Json.tree(json).get("autoUpdate").booleanValue()).isTrue();
    assertThat(Json.tree(json).get("startMinimised").booleanValue()).isFalse();
    assertThat(Json.tree(json).get("onlyWhenIdle").booleanValue()).isTrue();
    assertNoKey(json, "", "userPresence");
    assertThat(codec.decodeCapabilities(json)).isEqualTo(capabilities);
  }

  @Test
  void newerFieldsReadNullAsAbsent() throws FrameDecodeException {
    String json =
        CAPABILITIES_JSON.strip().replaceFirst("}$", "")
            + ",\"autoUpdate\":null,\"startMinimised\":null,\"onlyWhenIdle\":null,\"userPresence\":null}";

    assertThat(codec.decodeCapabilities(json)).isEqualTo(CAPABILITIES);
  }

  @Test
  void userPresenceIsCarriedWhenSet() throws FrameDecodeException {
    String json = CAPABILITIES_JSON.strip().replaceFirst("}$", "") + ",\"userPresence\":\"away\"}";

    Capabilities capabilities = codec.decodeCapabilities(json);

    assertThat(capabilities.userPresence()).isEqualTo("away");
    assertThat(codec.encodeCapabilities(capabilities)).contains("\"userPresence\":\"away\"");
  }

  @Test
  void autoEnabledFollowsPause() {
    assertThat(codec.encodeCapabilities(CAPABILITIES.withAutoEnabled(false)))
        .contains("\"autoEnabled\":false");
  }

  @Test
  void unknownTaskKindsFromANewerPeerAreSkipped() throws FrameDecodeException {
    String json = CAPABILITIES_JSON.replace("[\"image\",\"llm\"]", "[\"image\",\"3d\",\"llm\"]");

    assertThat(codec.decodeCapabilities(json).taskKinds())
        .containsExactly(TaskKind.IMAGE, TaskKind.LLM);
  }
}
