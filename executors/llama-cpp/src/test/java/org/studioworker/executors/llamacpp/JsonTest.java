package org.studioworker.executors.llamacpp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.studioworker.spi.JsonText;

final class JsonTest {
  @Test
  void escapesQuotesBackslashesControlCharactersAndLoneSurrogates() {
    String tricky = "a\"b\\c\nd\te\u0001f\u2028g😀h\uD800";

    String json = JsonWriter.quote(tricky);

    // A valid surrogate pair stays as it is; a lone surrogate is escaped.
    assertThat(json).isEqualTo("\"a\\\"b\\\\c\\nd\\te\\u0001f\\u2028g😀h\\ud800\"");
    assertThat(JsonReader.parse(json)).isEqualTo(tricky);
  }

  @Test
  void writesAnObjectThatReadsBack() {
    String json =
        new JsonWriter()
            .string("s", "x")
            .number("i", 3)
            .number("d", 0.7)
            .bool("b", false)
            .strings("list", List.of("p", "q"))
            .raw("o", "{\"k\":null}")
            .close();

    assertThat(json)
        .isEqualTo(
            "{\"s\":\"x\",\"i\":3,\"d\":0.7,\"b\":false,\"list\":[\"p\",\"q\"],\"o\":{\"k\":null}}");
    assertThat(JsonReader.parse(json))
        .isEqualTo(
            Map.of(
                "s",
                "x",
                "i",
                new BigDecimal("3"),
                "d",
                new BigDecimal("0.7"),
                "b",
                false,
                "list",
                List.of("p", "q"),
                "o",
                Map.of("k", JsonReader.NULL)));
  }

  @Test
  void acceptsOnlyOneValidValue() {
    assertThat(JsonReader.isObject(" {\"a\":[1,-2.5e3,true,null,\"\\u00e9\"]} ")).isTrue();
    assertThat(JsonReader.isObject("[1]")).isFalse();
    assertThat(JsonReader.isObject("{\"a\":1} x")).isFalse();
    assertThat(JsonReader.isObject("{\"a\":01}")).isFalse();
    assertThat(JsonReader.isObject("{\"a\":1,}")).isFalse();
    assertThat(JsonReader.isObject("{\"a\":\"\n\"}")).isFalse();
    assertThat(JsonReader.isObject("{")).isFalse();
    assertThatThrownBy(() -> JsonReader.parse("[".repeat(300) + "]".repeat(300)))
        .hasMessageContaining("nested deeper");
  }

  @Test
  void mapsReasoningToLlamaServersReasoningEffort() {
    assertThat(ChatRequest.reasoningEffort(new JsonText("{\"effort\":\"high\"}")))
        .isEqualTo("high");
    assertThat(ChatRequest.reasoningEffort(new JsonText("\"medium\""))).isEqualTo("medium");
    assertThat(ChatRequest.reasoningEffort(new JsonText("false"))).isEqualTo("none");
    assertThat(ChatRequest.reasoningEffort(new JsonText("{\"enabled\":false}"))).isEqualTo("none");
    assertThat(ChatRequest.reasoningEffort(new JsonText("{\"budget\":100}"))).isNull();
    assertThat(ChatRequest.reasoningEffort(new JsonText("not json"))).isNull();
  }
}
