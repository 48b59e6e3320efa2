package org.studioworker.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.cfg.JsonNodeFeature;
import tools.jackson.databind.json.JsonMapper;

/** Property: every frame survives encode → decode unchanged. */
final class FrameRoundTripPropertyTest {
  private static final int EXAMPLES = 1_000;
  private final FrameCodec codec = new FrameCodec();

  @Test
  void anyWorkerFrameSurvivesEncodeThenDecode() {
    qt().withExamples(EXAMPLES)
        .forAll(Generators.workerFrames())
        .checkAssert(
            frame -> {
              String json = codec.encode(frame);
              assertThat(json).startsWith("{\"type\":\"" + frame.type() + "\"");
              assertThat(decodeWorker(json)).isEqualTo(frame);
            });
  }

  @Test
  void anyStudioFrameSurvivesEncodeThenDecode() {
    qt().withExamples(EXAMPLES)
        .forAll(Generators.studioFrames())
        .checkAssert(
            frame -> {
              String json = codec.encode(frame);
              assertThat(json).startsWith("{\"type\":\"" + frame.type() + "\"");
              assertThat(decodeStudio(json)).isEqualTo(frame);
            });
  }

  @Test
  void anyClaimTaskAndModelSourceSurviveOnTheirOwn() {
    qt().withExamples(EXAMPLES)
        .forAll(Generators.claims())
        .checkAssert(
            claim -> {
              try {
                assertThat(codec.decodeClaim(codec.encodeClaim(claim))).isEqualTo(claim);
                assertThat(codec.decodeTask(codec.encodeTask(claim.task())))
                    .isEqualTo(claim.task());
                assertThat(codec.decodeModelSource(codec.encodeModelSource(claim.modelSource())))
                    .isEqualTo(claim.modelSource());
              } catch (FrameDecodeException e) {
                throw new AssertionError(e);
              }
            });
  }

  @Test
  void anyCapabilitiesSurviveAndStaySortedAndDeduplicated() {
    qt().withExamples(EXAMPLES)
        .forAll(Generators.capabilities())
        .checkAssert(
            capabilities -> {
              try {
                assertThat(codec.decodeCapabilities(codec.encodeCapabilities(capabilities)))
                    .isEqualTo(capabilities);
              } catch (FrameDecodeException e) {
                throw new AssertionError(e);
              }
              assertThat(capabilities.supportedModels()).isSorted().doesNotHaveDuplicates();
            });
  }

  @Test
  void validatedJsonKeepsItsValueAndIsCanonical() {
    JsonMapper exact =
        JsonMapper.builder()
            .enable(JsonNodeFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();
    qt().withExamples(EXAMPLES)
        .forAll(Generators.json())
        .checkAssert(
            json -> {
              try {
                assertThat(codec.validateJson(json.json())).isEqualTo(json);
              } catch (FrameDecodeException e) {
                throw new AssertionError(e);
              }
              JsonNode tree = exact.readTree(json.json());
              assertThat(exact.readTree(tree.toString())).isEqualTo(tree);
            });
  }

  private WorkerFrame decodeWorker(String json) {
    try {
      return codec.decodeWorkerFrame(json);
    } catch (FrameDecodeException e) {
      throw new AssertionError("did not decode: " + json, e);
    }
  }

  private StudioFrame decodeStudio(String json) {
    try {
      return codec.decodeStudioFrame(json);
    } catch (FrameDecodeException e) {
      throw new AssertionError("did not decode: " + json, e);
    }
  }
}
