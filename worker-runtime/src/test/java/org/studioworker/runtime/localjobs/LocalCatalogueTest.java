package org.studioworker.runtime.localjobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.executors.synthetic.SyntheticExecutorProvider;
import org.studioworker.runtime.jobs.EngineRegistry;
import org.studioworker.spi.ChatMessage;
import org.studioworker.spi.Claim;
import org.studioworker.spi.CliDefaults;
import org.studioworker.spi.EngineId;
import org.studioworker.spi.ExecutorEnvironment;
import org.studioworker.spi.FileRole;
import org.studioworker.spi.ModelFile;
import org.studioworker.spi.ModelSource;
import org.studioworker.spi.Task;
import org.studioworker.spi.TaskKind;

final class LocalCatalogueTest {
  @TempDir Path dir;

  private @Nullable EngineRegistry engines;

  @AfterEach
  void closeEngines() {
    if (engines != null) {
      engines.close();
    }
  }

  private LocalCatalogue catalogue() {
    EngineRegistry registry = engines;
    if (registry == null) {
      registry =
          EngineRegistry.of(
              List.of(new SyntheticExecutorProvider()), new ExecutorEnvironment(dir, dir));
      engines = registry;
    }
    return new LocalCatalogue(dir.resolve("config.toml"), registry, InstantSource.system());
  }

  private static final ModelSource SD =
      new ModelSource(
          EngineId.SD_CPP,
          List.of(
              new ModelFile(
                  FileRole.DIFFUSION_MODEL,
                  "https://models.example/flux.gguf",
                  "flux.gguf",
                  123L,
                  "a".repeat(64))),
          new CliDefaults(1.0, 4, 1024, 1024, "euler", 3.0, null, true, null, null));

  private static Claim claim(String model, Task task, ModelSource source) {
    return new Claim("j-" + model, "game", "asset", model, 4.0, task, source);
  }

  private static String synthetic(String model) {
    return model;
  }

  @Test
  void aFreshWorkerListsTheModelsItsEnginesAdvertise() {
    LocalCatalogue catalogue = catalogue();

    assertThat(catalogue.entries())
        .extracting(e -> e.kind().wireName() + ":" + e.model())
        .contains("image:synthetic-image", "llm:synthetic-llm", "video:synthetic-video");
    LocalCatalogue.Entry image =
        found(catalogue.resolve(synthetic("synthetic-image"), TaskKind.IMAGE));
    assertThat(image.modelSource().engine()).isEqualTo(EngineId.SYNTHETIC);
    assertThat(image.modelSource().files()).isEmpty();
    assertThat(image.source()).isEqualTo(LocalCatalogue.ENGINE);
    assertThat(found(catalogue.resolve(null, TaskKind.LLM)).kind()).isEqualTo(TaskKind.LLM);
    assertThat(catalogue.file()).doesNotExist();
  }

  @Test
  void aRememberedModelIsSavedAndReadBackFirstOfItsKind() throws Exception {
    LocalCatalogue catalogue = catalogue();

    catalogue.remember(claim("flux-schnell", Task.Image.of("a fox"), SD));

    LocalCatalogue again = catalogue();
    assertThat(again.fileEntries())
        .singleElement()
        .satisfies(
            entry -> {
              assertThat(entry.model()).isEqualTo("flux-schnell");
              assertThat(entry.kind()).isEqualTo(TaskKind.IMAGE);
              assertThat(entry.modelSource()).isEqualTo(SD);
              assertThat(entry.source()).isEqualTo(LocalCatalogue.STUDIO);
              assertThat(entry.lastUsed()).isNotNull();
            });
    assertThat(found(again.resolve(null, TaskKind.IMAGE)).model()).isEqualTo("flux-schnell");
    assertThat(found(again.resolve("flux-schnell", TaskKind.IMAGE)).modelSource()).isEqualTo(SD);
    assertThat(Files.readString(again.file())).contains("\"flux.gguf\"");
  }

  @Test
  void jobsOfTheSameModelBackToBackWriteTheFileOnlyOncePerMinute() throws Exception {
    Instant start = Instant.parse("2026-12-02T10:00:00Z");
    AtomicReference<Instant> now = new AtomicReference<>(start);
    EngineRegistry registry =
        EngineRegistry.of(
            List.of(new SyntheticExecutorProvider()), new ExecutorEnvironment(dir, dir));
    engines = registry;
    LocalCatalogue catalogue = new LocalCatalogue(dir.resolve("config.toml"), registry, now::get);
    Claim flux = claim("flux-schnell", Task.Image.of("a fox"), SD);

    catalogue.remember(flux);
    String first = Files.readString(catalogue.file());
    now.set(start.plusSeconds(59));
    catalogue.remember(flux);

    assertThat(Files.readString(catalogue.file())).isEqualTo(first);
    assertThat(catalogue.fileEntries().getFirst().lastUsed()).isEqualTo(start);

    now.set(start.plusSeconds(61));
    catalogue.remember(flux);

    assertThat(catalogue.fileEntries()).singleElement();
    assertThat(catalogue.fileEntries().getFirst().lastUsed()).isEqualTo(start.plusSeconds(61));

    ModelSource moved =
        new ModelSource(
            SD.engine(),
            List.of(
                new ModelFile(
                    FileRole.DIFFUSION_MODEL,
                    "https://models.example/flux-2.gguf",
                    "flux.gguf",
                    123L,
                    "b".repeat(64))),
            SD.cliDefaults());
    now.set(start.plusSeconds(62));
    catalogue.remember(claim("flux-schnell", Task.Image.of("a fox"), moved));

    assertThat(catalogue.fileEntries().getFirst().modelSource()).isEqualTo(moved);
  }

  @Test
  void theMostRecentlyUsedModelComesFirstAndARememberedModelIsNotDuplicated() {
    LocalCatalogue catalogue = catalogue();
    Task.Llm chat = Task.Llm.of(List.of(new ChatMessage("user", "hi")));
    ModelSource llama =
        new ModelSource(EngineId.LLAMA_CPP, List.of(), CliDefaults.of(1.0, 1, 512, 512));

    catalogue.remember(claim("qwen", chat, llama));
    catalogue.remember(claim("gemma", chat, llama));
    catalogue.remember(claim("qwen", chat, llama));

    assertThat(catalogue.fileEntries())
        .extracting(LocalCatalogue.Entry::model)
        .containsExactly("qwen", "gemma");
    assertThat(found(catalogue.resolve(null, TaskKind.LLM)).model()).isEqualTo("qwen");
  }

  @Test
  void anOperatorsEntryIsKeptAsItIs() throws Exception {
    String operator =
        """
        {"models":[{"model":"my-flux","kind":"image","source":"operator",
          "modelSource":{"engine":"sd-cpp","files":[],
            "cliDefaults":{"cfgScale":2.5,"steps":8,"width":768,"height":768}}}]}
        """;
    Files.writeString(dir.resolve(LocalCatalogue.FILE_NAME), operator);
    LocalCatalogue catalogue = catalogue();

    catalogue.remember(claim("my-flux", Task.Image.of("a fox"), SD));
    catalogue.remember(claim("flux-schnell", Task.Image.of("a fox"), SD));

    List<LocalCatalogue.Entry> entries = catalogue().fileEntries();
    assertThat(entries)
        .extracting(LocalCatalogue.Entry::model)
        .containsExactlyInAnyOrder("my-flux", "flux-schnell");
    LocalCatalogue.Entry mine =
        entries.stream().filter(e -> e.model().equals("my-flux")).findFirst().orElseThrow();
    assertThat(mine.source()).isEqualTo(LocalCatalogue.OPERATOR);
    assertThat(mine.lastUsed()).isNull();
    assertThat(mine.modelSource().cliDefaults().steps()).isEqualTo(8);
    assertThat(mine.modelSource().files()).isEmpty();
  }

  @Test
  void anOperatorsEditIsSeenWithoutARestart() throws Exception {
    LocalCatalogue catalogue = catalogue();
    assertThat(catalogue.resolve("my-llm", TaskKind.LLM))
        .isInstanceOf(LocalCatalogue.Resolution.Refused.class);

    Files.writeString(
        catalogue.file(),
        """
        {"models":[{"model":"my-llm","kind":"llm","source":"operator",
          "modelSource":{"engine":"llama-cpp","files":[],
            "cliDefaults":{"cfgScale":1,"steps":1,"width":512,"height":512}}}]}
        """);

    assertThat(found(catalogue.resolve("my-llm", TaskKind.LLM)).source())
        .isEqualTo(LocalCatalogue.OPERATOR);
  }

  @Test
  void aCorruptFileIsMovedAsideAndRebuilt() throws Exception {
    for (String corrupt :
        List.of(
            "this is not json",
            "[1,2,3]",
            "{\"models\":[{\"model\":\"x\",\"kind\":\"painting\",\"source\":\"studio\","
                + "\"modelSource\":{}}]}")) {
      Path file = dir.resolve(LocalCatalogue.FILE_NAME);
      Files.writeString(file, corrupt);
      LocalCatalogue catalogue = catalogue();

      assertThat(catalogue.fileEntries()).isEmpty();
      // The engines' models still serve.
      assertThat(catalogue.resolve(null, TaskKind.IMAGE))
          .isInstanceOf(LocalCatalogue.Resolution.Found.class);
      catalogue.remember(claim("flux-schnell", Task.Image.of("a fox"), SD));

      List<Path> aside = corruptCopies();
      assertThat(aside).isNotEmpty();
      assertThat(aside.stream().map(p -> read(p)).toList()).contains(corrupt);
      assertThat(catalogue().fileEntries())
          .extracting(LocalCatalogue.Entry::model)
          .containsExactly("flux-schnell");
      for (Path p : aside) {
        Files.delete(p);
      }
    }
  }

  private List<Path> corruptCopies() throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(
              p -> p.getFileName().toString().startsWith(LocalCatalogue.FILE_NAME + ".corrupt-"))
          .toList();
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void unknownModelWrongKindAndNoModelSayWhat() {
    LocalCatalogue catalogue = catalogue();

    assertThat(refused(catalogue.resolve("flux-dev", TaskKind.IMAGE)))
        .isEqualTo("unknown model flux-dev; known: synthetic, synthetic-image");
    assertThat(refused(catalogue.resolve("synthetic-llm", TaskKind.IMAGE)))
        .isEqualTo("model synthetic-llm serves llm jobs, not image");

    EngineRegistry none = EngineRegistry.of(List.of(), new ExecutorEnvironment(dir, dir));
    LocalCatalogue empty =
        new LocalCatalogue(dir.resolve("config.toml"), none, InstantSource.system());
    assertThat(refused(empty.resolve(null, TaskKind.VIDEO)))
        .isEqualTo("no model serves video jobs on this worker; name one with \"model\"");
    assertThat(refused(empty.resolve("x", TaskKind.VIDEO)))
        .isEqualTo("unknown model x; known: none for video jobs");
  }

  @Test
  void theFileKeeps500EntriesDroppingTheLeastRecentlyUsedStudioOnes() throws Exception {
    StringBuilder json = new StringBuilder("{\"models\":[");
    json.append(
        "{\"model\":\"mine\",\"kind\":\"image\",\"source\":\"operator\",\"modelSource\":"
            + "{\"engine\":\"sd-cpp\",\"files\":[],\"cliDefaults\":"
            + "{\"cfgScale\":1,\"steps\":1,\"width\":64,\"height\":64}}}");
    for (int i = 0; i < LocalCatalogue.MAX_ENTRIES - 1; i++) {
      json.append(",{\"model\":\"m-")
          .append(i)
          .append("\",\"kind\":\"image\",\"source\":\"studio\",\"lastUsed\":\"")
          .append(Instant.parse("2026-01-01T00:00:00Z").plusSeconds(i))
          .append(
              "\",\"modelSource\":{\"engine\":\"sd-cpp\",\"files\":[],\"cliDefaults\":"
                  + "{\"cfgScale\":1,\"steps\":1,\"width\":64,\"height\":64}}}");
    }
    json.append("]}");
    Files.writeString(dir.resolve(LocalCatalogue.FILE_NAME), json);
    LocalCatalogue catalogue = catalogue();

    catalogue.remember(claim("newest", Task.Image.of("a fox"), SD));

    List<String> models =
        catalogue().fileEntries().stream().map(LocalCatalogue.Entry::model).toList();
    assertThat(models).hasSize(LocalCatalogue.MAX_ENTRIES).contains("mine", "newest", "m-1");
    assertThat(models).doesNotContain("m-0");
  }

  private static LocalCatalogue.Entry found(LocalCatalogue.Resolution resolution) {
    assertThat(resolution).isInstanceOf(LocalCatalogue.Resolution.Found.class);
    return ((LocalCatalogue.Resolution.Found) resolution).entry();
  }

  private static String refused(LocalCatalogue.Resolution resolution) {
    assertThat(resolution).isInstanceOf(LocalCatalogue.Resolution.Refused.class);
    return ((LocalCatalogue.Resolution.Refused) resolution).message();
  }
}
