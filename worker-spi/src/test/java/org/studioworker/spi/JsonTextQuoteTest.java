package org.studioworker.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.strings;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

final class JsonTextQuoteTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Test
  void escapesQuoteBackslashAndControlCharacters() {
    assertThat(JsonText.quote("a\"b\\c\n\r\t\b\f\u0001\u001f"))
        .isEqualTo("\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u001f\"");
  }

  @Test
  void keepsOtherCharactersAndSurrogatePairsAsTheyAre() {
    assertThat(JsonText.quote("é/€ \uD83E\uDD8A")).isEqualTo("\"é/€ \uD83E\uDD8A\"");
  }

  @Test
  void escapesUnpairedSurrogatesAndJavaScriptLineBreaks() {
    assertThat(JsonText.quote("\uD800x\uDC00\u2028\u2029"))
        .isEqualTo("\"\\ud800x\\udc00\\u2028\\u2029\"");
  }

  @Test
  void anyStringRoundTripsThroughAnIndependentParser() {
    qt().withExamples(2000)
        .forAll(strings().allPossible().ofLengthBetween(0, 40))
        .checkAssert(
            text -> assertThat(JSON.readTree(JsonText.quote(text)).asString()).isEqualTo(text));
  }
}
