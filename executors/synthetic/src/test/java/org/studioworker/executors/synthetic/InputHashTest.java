package org.studioworker.executors.synthetic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.studioworker.spi.ChatMessage;
import org.studioworker.spi.JsonText;
import org.studioworker.spi.Task;

final class InputHashTest {

  @Test
  void everyImageParameterChangesTheHash() {
    Task.Image base = Task.Image.of("a red fox");
    List<Task> variants =
        List.of(
            base,
            new Task.Image(
                "a red fax", null, null, null, null, null, null, null, 512, 512, 20, null, "webp"),
            new Task.Image(
                "a red fox", "", null, null, null, null, null, null, 512, 512, 20, null, "webp"),
            new Task.Image(
                "a red fox", null, "u", null, null, null, null, null, 512, 512, 20, null, "webp"),
            new Task.Image(
                "a red fox", null, null, "u", null, null, null, null, 512, 512, 20, null, "webp"),
            new Task.Image(
                "a red fox", null, null, null, "u", null, null, null, 512, 512, 20, null, "webp"),
            new Task.Image(
                "a red fox", null, null, null, null, 0.5, null, null, 512, 512, 20, null, "webp"),
            new Task.Image(
                "a red fox", null, null, null, null, null, 7.0, null, 512, 512, 20, null, "webp"),
            new Task.Image(
                "a red fox",
                null,
                null,
                null,
                null,
                null,
                null,
                "euler",
                512,
                512,
                20,
                null,
                "webp"),
            new Task.Image(
                "a red fox", null, null, null, null, null, null, null, 513, 512, 20, null, "webp"),
            new Task.Image(
                "a red fox", null, null, null, null, null, null, null, 512, 513, 20, null, "webp"),
            new Task.Image(
                "a red fox", null, null, null, null, null, null, null, 512, 512, 21, null, "webp"),
            new Task.Image(
                "a red fox", null, null, null, null, null, null, null, 512, 512, 20, 0L, "webp"));

    assertThat(hexes("synthetic", variants)).hasSize(variants.size());
  }

  @Test
  void everyLlmParameterChangesTheHash() {
    List<ChatMessage> hi = List.of(new ChatMessage("user", "hi"));
    List<Task> variants =
        List.of(
            Task.Llm.of(hi),
            Task.Llm.of(List.of(new ChatMessage("system", "hi"))),
            new Task.Llm(hi, "sys", 512, 0.7, null, null, null, null, null),
            new Task.Llm(hi, null, 511, 0.7, null, null, null, null, null),
            new Task.Llm(hi, null, 512, 0.8, null, null, null, null, null),
            new Task.Llm(hi, null, 512, 0.7, 0.9, null, null, null, null),
            new Task.Llm(hi, null, 512, 0.7, null, List.of(), null, null, null),
            new Task.Llm(hi, null, 512, 0.7, null, null, new JsonText("{}"), null, null),
            new Task.Llm(hi, null, 512, 0.7, null, null, null, new JsonText("{}"), null),
            new Task.Llm(hi, null, 512, 0.7, null, null, null, null, new JsonText("{}")));

    assertThat(hexes("synthetic", variants)).hasSize(variants.size());
  }

  @Test
  void fieldBoundariesAreUnambiguous() {
    Task joinedLeft =
        Task.Llm.of(List.of(new ChatMessage("user", "ab"), new ChatMessage("user", "c")));
    Task joinedRight =
        Task.Llm.of(List.of(new ChatMessage("user", "a"), new ChatMessage("user", "bc")));

    assertThat(InputHash.of("synthetic", joinedLeft).hex())
        .isNotEqualTo(InputHash.of("synthetic", joinedRight).hex());
  }

  @Test
  void unpairedSurrogatesAreNotFoldedTogether() {
    assertThat(InputHash.of("synthetic", Task.Image.of("\uD800")).hex())
        .isNotEqualTo(InputHash.of("synthetic", Task.Image.of("\uD801")).hex());
  }

  @Test
  void modelAndKindArePartOfTheInput() {
    assertThat(InputHash.of("synthetic", Task.Image.of("x")).hex())
        .isNotEqualTo(InputHash.of("synthetic-image", Task.Image.of("x")).hex())
        .isNotEqualTo(InputHash.of("synthetic", Task.Video.of("x")).hex());
  }

  @Test
  void outputExtensionIsNotPartOfTheInput() {
    Task.Image webp = Task.Image.of("x");
    Task.Image png =
        new Task.Image("x", null, null, null, null, null, null, null, 512, 512, 20, null, "png");

    assertThat(InputHash.of("synthetic", webp).hex())
        .isEqualTo(InputHash.of("synthetic", png).hex());
  }

  @Test
  void encodingIsPinned() {
    // If this changes, every synthetic output changes: bump InputHash.FORMAT on purpose.
    assertThat(InputHash.of("synthetic", Task.Image.of("a red fox")).hex())
        .isEqualTo("ced3166f9a327cda3a964506acaaf0191dc08d43dfe50da18ee1f1733cc19a9c");
  }

  private static Set<String> hexes(String model, List<Task> tasks) {
    return tasks.stream().map(t -> InputHash.of(model, t).hex()).collect(Collectors.toSet());
  }
}
