package org.studioworker.executors.llamacpp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.spi.ChatMessage;
import org.studioworker.spi.Claim;
import org.studioworker.spi.CliDefaults;
import org.studioworker.spi.EngineId;
import org.studioworker.spi.ExecutorException;
import org.studioworker.spi.FileRole;
import org.studioworker.spi.JobResult;
import org.studioworker.spi.JsonText;
import org.studioworker.spi.ModelFile;
import org.studioworker.spi.ModelSource;
import org.studioworker.spi.Task;
import org.studioworker.spi.TaskKind;
import org.studioworker.spi.UnsupportedJobException;

final class LlamaServerExecutorTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private static final String REPLY =
      "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"qwen3\","
          + "\"choices\":[{\"index\":0,\"finish_reason\":\"stop\",\"message\":{\"role\":"
          + "\"assistant\",\"content\":\"{\\\"name\\\":\\\"Ada\\\"}\"}}],"
          + "\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":5,\"total_tokens\":15}}";

  @TempDir Path temp;

  private LlamaServerExecutor executor;
  private StandInLlamaServer llamaServer;
  private Path models;

  @AfterEach
  void close() {
    if (executor != null) {
      executor.close();
    }
  }

  @Test
  void startsTheServerForTheModelAndMapsTheTaskToAChatCompletion() throws Exception {
    setUp(settings(Duration.ofHours(1)));
    Path model = file("qwen3-8b-q4.gguf");
    Path mmproj = file("mmproj-qwen3.gguf");
    FakeJobContext context =
        new FakeJobContext(models)
            .withFile("qwen3-8b-q4.gguf", model)
            .withFile("mmproj-qwen3.gguf", mmproj);
    Task.Llm task =
        new Task.Llm(
            List.of(
                new ChatMessage("user", "Name a \"famous\" mathematician.\n"),
                new ChatMessage("assistant", "Which era?"),
                new ChatMessage("user", "Any.")),
            "Answer in JSON.",
            256,
            0.2,
            0.9,
            List.of("</s>", "\n\n"),
            new JsonText("{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}}}"),
            new JsonText("{\"effort\":\"low\"}"),
            new JsonText("{\"enable_thinking\":false}"));
    CliDefaults defaults =
        new CliDefaults(
            1.0, 1, 1, 1, null, null, null, null, 8192, new JsonText("{\"ignored\":true}"));
    Claim claim =
        claim(
            "qwen3",
            task,
            defaults,
            model(FileRole.MODEL, "qwen3-8b-q4.gguf"),
            model(FileRole.TEXT_ENCODER_VISION, "mmproj-qwen3.gguf"));

    JobResult result = executor.run(claim, context);

    assertThat(result).isEqualTo(new JobResult.Json(new JsonText(REPLY)));
    List<StandInLlamaServer.Start> starts = llamaServer.starts();
    assertThat(starts).hasSize(1);
    List<String> args = starts.getFirst().arguments();
    assertThat(args)
        .containsExactly(
            "-m",
            model.toString(),
            "--host",
            "127.0.0.1",
            "--port",
            args.get(5),
            "-c",
            "8192",
            "--mmproj",
            mmproj.toString());
    assertThat(Integer.parseInt(args.get(5))).isPositive();
    assertThat(llamaServer.requests())
        .containsExactly(
            JsonReader.parse(
                """
                {"model":"qwen3",
                 "messages":[{"role":"system","content":"Answer in JSON."},
                             {"role":"user","content":"Name a \\"famous\\" mathematician.\\n"},
                             {"role":"assistant","content":"Which era?"},
                             {"role":"user","content":"Any."}],
                 "stream":false,
                 "max_tokens":256,
                 "temperature":0.2,
                 "top_p":0.9,
                 "stop":["</s>","\\n\\n"],
                 "response_format":{"type":"json_schema","json_schema":{"name":"result",
                   "schema":{"type":"object","properties":{"name":{"type":"string"}}}}},
                 "chat_template_kwargs":{"enable_thinking":false},
                 "reasoning_effort":"low"}
                """));
  }

  @Test
  void leavesOutWhatTheTaskDoesNotSetAndTakesTheModelsTemplateKwargs() throws Exception {
    setUp(settings(Duration.ofHours(1)));
    FakeJobContext context = new FakeJobContext(models).withFile("m.gguf", file("m.gguf"));
    CliDefaults defaults =
        new CliDefaults(
            1.0, 1, 1, 1, null, null, null, null, null, new JsonText("{\"enable_thinking\":true}"));
    Claim claim =
        claim(
            "m",
            Task.Llm.of(List.of(new ChatMessage("user", "hi"))),
            defaults,
            model(FileRole.MODEL, "m.gguf"));

    executor.run(claim, context);

    assertThat(llamaServer.starts().getFirst().arguments()).doesNotContain("-c", "--mmproj");
    assertThat(llamaServer.requests())
        .containsExactly(
            JsonReader.parse(
                """
                {"model":"m","messages":[{"role":"user","content":"hi"}],"stream":false,
                 "max_tokens":512,"temperature":0.7,
                 "chat_template_kwargs":{"enable_thinking":true}}
                """));
  }

  @Test
  void keepsTheServerForJobsOfTheSameModelAndRestartsItForAnother() throws Exception {
    setUp(settings(Duration.ofHours(1)));
    FakeJobContext context =
        new FakeJobContext(models)
            .withFile("a.gguf", file("a.gguf"))
            .withFile("b.gguf", file("b.gguf"));

    executor.run(simpleClaim("a.gguf"), context);
    executor.run(simpleClaim("a.gguf"), context);
    assertThat(llamaServer.starts()).hasSize(1);
    long first = llamaServer.starts().getFirst().pid();

    executor.run(simpleClaim("b.gguf"), context);

    List<StandInLlamaServer.Start> starts = llamaServer.starts();
    assertThat(starts).hasSize(2);
    assertThat(starts.get(1).arguments())
        .containsSubsequence("-m", models.resolve("b.gguf").toString());
    assertThat(isGone(first)).as("the first server was stopped").isTrue();
    assertThat(llamaServer.requests()).hasSize(3);
  }

  @Test
  void restartsAServerThatDied() throws Exception {
    setUp(settings(Duration.ofHours(1)));
    FakeJobContext context = new FakeJobContext(models).withFile("a.gguf", file("a.gguf"));
    executor.run(simpleClaim("a.gguf"), context);
    ProcessHandle first = ProcessHandle.of(llamaServer.starts().getFirst().pid()).orElseThrow();

    first.destroyForcibly();
    first.onExit().get();
    JobResult result = executor.run(simpleClaim("a.gguf"), context);

    assertThat(result).isEqualTo(new JobResult.Json(new JsonText(REPLY)));
    assertThat(llamaServer.starts()).hasSize(2);
    assertThat(context.lines()).anyMatch(line -> line.contains("had stopped"));
  }

  @Test
  void stopsTheServerAfterAnIdlePeriod() throws Exception {
    setUp(settings(Duration.ofMillis(300)));
    FakeJobContext context = new FakeJobContext(models).withFile("a.gguf", file("a.gguf"));

    executor.run(simpleClaim("a.gguf"), context);

    long pid = llamaServer.starts().getFirst().pid();
    await().atMost(WAIT).until(() -> isGone(pid) && executor.server() == null);
  }

  @Test
  void closeStopsTheServer() throws Exception {
    setUp(settings(Duration.ofHours(1)));
    FakeJobContext context = new FakeJobContext(models).withFile("a.gguf", file("a.gguf"));
    executor.run(simpleClaim("a.gguf"), context);
    long pid = llamaServer.starts().getFirst().pid();

    executor.close();

    await().atMost(WAIT).until(() -> isGone(pid));
    assertThatThrownBy(() -> executor.run(simpleClaim("a.gguf"), context))
        .isInstanceOf(ExecutorException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void anHttpErrorFailsRetryablyWithTheStatusAndAnExcerpt() throws Exception {
    setUp(settings(Duration.ofHours(1)));
    llamaServer.mode("http-500");
    FakeJobContext context = new FakeJobContext(models).withFile("a.gguf", file("a.gguf"));

    assertThatThrownBy(() -> executor.run(simpleClaim("a.gguf"), context))
        .isInstanceOf(ExecutorException.class)
        .isNotInstanceOf(UnsupportedJobException.class)
        .hasMessageStartingWith("llama-server answered HTTP 500: {\"error\":")
        .hasMessageContaining("exceeds the available context size");
  }

  @Test
  void aServerThatExitsWhileLoadingFailsWithItsLastLine() throws Exception {
    setUp(settings(Duration.ofHours(1)));
    llamaServer.mode("fail-start");
    FakeJobContext context = new FakeJobContext(models).withFile("a.gguf", file("a.gguf"));

    assertThatThrownBy(() -> executor.run(simpleClaim("a.gguf"), context))
        .isInstanceOf(ExecutorException.class)
        .isNotInstanceOf(UnsupportedJobException.class)
        .hasMessage(
            "llama-server exited with status 1 while loading the model: llama_model_load: error"
                + " loading model: tensor data is not within bounds");
    assertThat(executor.server()).isNull();
  }

  @Test
  void aCancelledCompletionFailsAsInterruptedAndKeepsTheServer() throws Exception {
    setUp(settings(Duration.ofHours(1)));
    llamaServer.mode("hang");
    FakeJobContext context = new FakeJobContext(models).withFile("a.gguf", file("a.gguf"));
    CompletableFuture<JobResult> job = new CompletableFuture<>();
    Thread.ofPlatform()
        .start(
            () -> {
              try {
                job.complete(executor.run(simpleClaim("a.gguf"), context));
              } catch (Throwable t) {
                job.completeExceptionally(t);
              }
            });

    await().atMost(WAIT).until(() -> llamaServer.requests().size() == 1);
    context.cancel();

    assertThatThrownBy(job::join).hasCauseInstanceOf(InterruptedException.class);
    LlamaServer server = executor.server();
    assertThat(server).isNotNull();
    assertThat(server.isAlive()).isTrue();
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void aCompletionWhoseBodyStallsFailsAtTheJobTimeout() throws Exception {
    setUp(settings(Duration.ofSeconds(2), Duration.ofMinutes(2), Duration.ofHours(1)));
    llamaServer.mode("stall");
    FakeJobContext context = new FakeJobContext(models).withFile("a.gguf", file("a.gguf"));

    assertThatThrownBy(() -> executor.run(simpleClaim("a.gguf"), context))
        .isInstanceOf(ExecutorException.class)
        .isNotInstanceOf(UnsupportedJobException.class)
        .hasMessage("llama-server did not answer within the job timeout of 2 s");
    assertThat(llamaServer.requests()).hasSize(1);
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void aHealthCheckWhoseBodyStallsCountsAgainstTheLoadTimeout() throws Exception {
    setUp(settings(Duration.ofMinutes(5), Duration.ofSeconds(3), Duration.ofHours(1)));
    llamaServer.mode("health-stall");
    FakeJobContext context = new FakeJobContext(models).withFile("a.gguf", file("a.gguf"));

    assertThatThrownBy(() -> executor.run(simpleClaim("a.gguf"), context))
        .isInstanceOf(ExecutorException.class)
        .hasMessageStartingWith("llama-server did not become healthy within 3 s");
    assertThat(executor.server()).isNull();
    assertThat(executor.residentVramGb()).isZero();
  }

  // --- streaming -----------------------------------------------------------------------------

  @Test
  @SuppressWarnings("unchecked")
  void aStreamedAnswerComesInPiecesThatMakeTheSameAnswerAsTheOneNotStreamed() throws Exception {
    setUp(settings(Duration.ofHours(1)));
    FakeJobContext context = new FakeJobContext(models).withFile("a.gguf", file("a.gguf"));
    List<String> pieces = new ArrayList<>();

    JobResult whole = executor.run(simpleClaim("a.gguf"), context);
    JobResult streamed = executor.stream(simpleClaim("a.gguf"), context, pieces::add);

    assertThat(pieces).hasSizeGreaterThan(2).containsExactly("{\"na", "me\":", "\"Ada", "\"}");
    Object answer = JsonReader.parse(((JobResult.Json) streamed).json().json());
    assertThat(content(answer)).isEqualTo(String.join("", pieces)).isEqualTo("{\"name\":\"Ada\"}");
    assertThat(answer)
        .as("the same document as the answer that is not streamed")
        .isEqualTo(JsonReader.parse(((JobResult.Json) whole).json().json()));
    assertThat(llamaServer.starts()).hasSize(1);
    List<Object> requests = llamaServer.requests();
    assertThat(requests).hasSize(2);
    Map<String, Object> expected = new LinkedHashMap<>((Map<String, Object>) requests.get(0));
    expected.put("stream", true);
    expected.put("stream_options", JsonReader.parse("{\"include_usage\":true}"));
    assertThat(requests.get(1)).isEqualTo(expected);
  }

  @Test
  void aStreamedAnswerCarriesTheLastFinishReasonAndNoUsageWhenTheServerSentNone() throws Exception {
    setUp(settings(Duration.ofHours(1)));
    String reply =
        "{\"id\":\"chatcmpl-9\",\"object\":\"chat.completion\",\"created\":7,\"model\":\"m\","
            + "\"choices\":[{\"index\":0,\"finish_reason\":\"length\",\"message\":{\"role\":"
            + "\"assistant\",\"content\":\"Once upon a time \\u00e9\\ud83e\\udd8a\"}}]}";
    llamaServer.streamEvents(StandInLlamaServer.events(reply, 3));
    FakeJobContext context = new FakeJobContext(models).withFile("a.gguf", file("a.gguf"));
    StringBuilder pieces = new StringBuilder();

    JobResult streamed = executor.stream(simpleClaim("a.gguf"), context, pieces::append);

    Object answer = JsonReader.parse(((JobResult.Json) streamed).json().json());
    assertThat(answer).isEqualTo(JsonReader.parse(reply));
    assertThat(pieces.toString()).isEqualTo("Once upon a time \u00e9\ud83e\udd8a");
  }

  @Test
  void whenTheCallerGoesAwayTheExchangeIsClosedAndTheJobFails() throws Exception {
    setUp(settings(Duration.ofHours(1)));
    llamaServer.mode("stream-forever");
    FakeJobContext context = new FakeJobContext(models).withFile("a.gguf", file("a.gguf"));
    List<String> pieces = new ArrayList<>();

    assertThatThrownBy(
            () ->
                executor.stream(
                    simpleClaim("a.gguf"),
                    context,
                    piece -> {
                      if (pieces.size() == 2) {
                        throw new IOException("the local client closed its connection");
                      }
                      pieces.add(piece);
                    }))
        .isInstanceOf(ExecutorException.class)
        .isNotInstanceOf(UnsupportedJobException.class)
        .hasMessage("the caller went away: the local client closed its connection");

    assertThat(pieces).hasSize(2);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> assertThat(llamaServer.disconnects()).as("generation stopped").hasSize(1));
    LlamaServer server = executor.server();
    assertThat(server).isNotNull();
    assertThat(server.isAlive()).as("the server is kept for the next job").isTrue();
    llamaServer.mode("ok");
    assertThat(executor.run(simpleClaim("a.gguf"), context))
        .isEqualTo(new JobResult.Json(new JsonText(REPLY)));
    assertThat(llamaServer.starts()).hasSize(1);
  }

  @Test
  void aJobCancelledMidStreamStopsTheGenerationAndFailsAsInterrupted() throws Exception {
    setUp(settings(Duration.ofHours(1)));
    llamaServer.mode("stream-forever");
    FakeJobContext context = new FakeJobContext(models).withFile("a.gguf", file("a.gguf"));
    AtomicInteger pieces = new AtomicInteger();

    assertThatThrownBy(
            () ->
                executor.stream(
                    simpleClaim("a.gguf"),
                    context,
                    piece -> {
                      if (pieces.incrementAndGet() == 2) {
                        context.cancel();
                      }
                    }))
        .isInstanceOf(InterruptedException.class);

    await().atMost(WAIT).untilAsserted(() -> assertThat(llamaServer.disconnects()).hasSize(1));
    LlamaServer server = executor.server();
    assertThat(server).isNotNull();
    assertThat(server.isAlive()).isTrue();
  }

  @Test
  void anInterruptMidStreamStopsTheGenerationAndFailsAsInterrupted() throws Exception {
    setUp(settings(Duration.ofHours(1)));
    llamaServer.mode("stream-forever");
    FakeJobContext context = new FakeJobContext(models).withFile("a.gguf", file("a.gguf"));
    CompletableFuture<JobResult> job = new CompletableFuture<>();
    AtomicInteger pieces = new AtomicInteger();
    Thread.ofPlatform()
        .start(
            () -> {
              try {
                job.complete(
                    executor.stream(
                        simpleClaim("a.gguf"),
                        context,
                        piece -> {
                          if (pieces.incrementAndGet() == 2) {
                            Thread.currentThread().interrupt(); // as the runtime's stop does
                          }
                        }));
              } catch (Throwable t) {
                job.completeExceptionally(t);
              }
            });

    assertThatThrownBy(job::join).hasCauseInstanceOf(InterruptedException.class);
    await().atMost(WAIT).untilAsserted(() -> assertThat(llamaServer.disconnects()).hasSize(1));
    assertThat(executor.server()).isNotNull();
  }

  @Test
  void aStreamThatIsNotLlamaServersFailsWithAClearMessage() throws Exception {
    setUp(settings(Duration.ofHours(1)));
    FakeJobContext context = new FakeJobContext(models).withFile("a.gguf", file("a.gguf"));
    List<String> events = StandInLlamaServer.events(REPLY, 4);
    String first = events.get(1);

    llamaServer.streamEvents(List.of(first, "data: {\"choices\":[{\"delta\":", "data: [DONE]"));
    assertThatThrownBy(() -> executor.stream(simpleClaim("a.gguf"), context, piece -> {}))
        .isInstanceOf(ExecutorException.class)
        .isNotInstanceOf(UnsupportedJobException.class)
        .hasMessageStartingWith(
            "llama-server sent a malformed stream chunk (invalid JSON at offset");

    llamaServer.streamEvents(
        List.of(first, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":7}}]}"));
    assertThatThrownBy(() -> executor.stream(simpleClaim("a.gguf"), context, piece -> {}))
        .isInstanceOf(ExecutorException.class)
        .hasMessage("llama-server sent a malformed stream chunk (delta.content is not a string)");

    llamaServer.streamEvents(
        List.of(first, "error: {\"code\":500,\"message\":\"the context is full\"}"));
    assertThatThrownBy(() -> executor.stream(simpleClaim("a.gguf"), context, piece -> {}))
        .isInstanceOf(ExecutorException.class)
        .hasMessage("llama-server stopped the stream with an error: the context is full");

    llamaServer.streamEvents(List.of(first, events.get(2)));
    assertThatThrownBy(() -> executor.stream(simpleClaim("a.gguf"), context, piece -> {}))
        .isInstanceOf(ExecutorException.class)
        .hasMessage("llama-server ended the stream before the answer was done");

    llamaServer.streamEvents(
        List.of(first, "data: " + "x".repeat(LlamaServerExecutor.MAX_LINE_BYTES), "data: [DONE]"));
    assertThatThrownBy(() -> executor.stream(simpleClaim("a.gguf"), context, piece -> {}))
        .isInstanceOf(ExecutorException.class)
        .hasMessage("llama-server sent a stream line longer than 1024 KiB");

    assertThat(llamaServer.starts()).as("one server for all of it").hasSize(1);
  }

  @Test
  void aStreamedRequestThatFailsWithAnHttpErrorSaysSoAsTheOneNotStreamed() throws Exception {
    setUp(settings(Duration.ofHours(1)));
    llamaServer.mode("http-500");
    FakeJobContext context = new FakeJobContext(models).withFile("a.gguf", file("a.gguf"));

    assertThatThrownBy(() -> executor.stream(simpleClaim("a.gguf"), context, piece -> {}))
        .isInstanceOf(ExecutorException.class)
        .hasMessageStartingWith("llama-server answered HTTP 500: {\"error\":")
        .hasMessageContaining("exceeds the available context size");
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void aStreamWhoseBodyStallsFailsAtTheJobTimeout() throws Exception {
    setUp(settings(Duration.ofSeconds(2), Duration.ofMinutes(2), Duration.ofHours(1)));
    llamaServer.mode("stall");
    FakeJobContext context = new FakeJobContext(models).withFile("a.gguf", file("a.gguf"));

    assertThatThrownBy(() -> executor.stream(simpleClaim("a.gguf"), context, piece -> {}))
        .isInstanceOf(ExecutorException.class)
        .hasMessage("llama-server did not answer within the job timeout of 2 s");
  }

  @SuppressWarnings("unchecked")
  private static String content(Object answer) {
    Map<String, Object> choice =
        (Map<String, Object>)
            ((List<Object>) ((Map<String, Object>) answer).get("choices")).getFirst();
    return (String) ((Map<String, Object>) choice.get("message")).get("content");
  }

  // --- resident GPU memory -----------------------------------------------------------------

  @Test
  void holdsTheEstimateOfTheClaimThatStartedTheServerUntilClose() throws Exception {
    setUp(settings(Duration.ofHours(1)));
    FakeJobContext context = new FakeJobContext(models).withFile("a.gguf", file("a.gguf"));
    assertThat(executor.residentVramGb()).as("no server yet").isZero();

    executor.run(simpleClaim("a.gguf", 6.5), context);
    assertThat(executor.residentVramGb()).isEqualTo(6.5);

    executor.run(simpleClaim("a.gguf", 2.0), context);
    assertThat(executor.residentVramGb()).as("the same server, the same model").isEqualTo(6.5);

    executor.close();
    assertThat(executor.residentVramGb()).isZero();
  }

  @Test
  void holdsNothingOnceTheIdleStopHasRun() throws Exception {
    setUp(settings(Duration.ofMillis(300)));
    FakeJobContext context = new FakeJobContext(models).withFile("a.gguf", file("a.gguf"));

    executor.run(simpleClaim("a.gguf", 6.5), context);

    await().atMost(WAIT).until(() -> executor.residentVramGb() == 0);
    assertThat(executor.server()).isNull();
  }

  @Test
  void holdsNothingOnceTheServerDied() throws Exception {
    setUp(settings(Duration.ofHours(1)));
    FakeJobContext context = new FakeJobContext(models).withFile("a.gguf", file("a.gguf"));
    executor.run(simpleClaim("a.gguf", 6.5), context);
    ProcessHandle first = ProcessHandle.of(llamaServer.starts().getFirst().pid()).orElseThrow();

    first.destroyForcibly();

    await().atMost(WAIT).until(() -> executor.residentVramGb() == 0);
  }

  @Test
  void withoutLlamaServerJobsFailWithAShortRemedyAndTheDebugLineSaysWhereItLooked()
      throws Exception {
    models = Files.createDirectories(temp.resolve("models"));
    Path emptyBin = Files.createDirectories(temp.resolve("empty-bin"));
    executor =
        new LlamaServerExecutor(
            Map.of("PATH", emptyBin.toString(), "HOME", temp.resolve("home").toString()),
            models,
            temp.resolve("work"),
            settings(Duration.ofHours(1)),
            HttpClient.newHttpClient());
    FakeJobContext context = new FakeJobContext(models).withFile("a.gguf", file("a.gguf"));

    assertThat(executor.serves()).isEqualTo(Map.of(TaskKind.LLM, List.of()));
    assertThatThrownBy(() -> executor.run(simpleClaim("a.gguf"), context))
        .isInstanceOf(ExecutorException.class)
        .isNotInstanceOf(UnsupportedJobException.class)
        .hasMessage(
            "llama-server was not found (set STUDIO_WORKER_LLAMA_SERVER to its path, or put it on"
                + " PATH)");
    // Where it looked is for the operator's debug log, not for the studio.
    assertThat(executor.describe())
        .contains("$STUDIO_WORKER_LLAMA_SERVER (not set)")
        .contains(models.resolve("bin/llama-server").toString())
        .contains("PATH (" + emptyBin + ")");
  }

  @Test
  void theServerGetsTheRuntimesVariablesAndNotTheWorkersNotifySocket() throws Exception {
    models = Files.createDirectories(temp.resolve("models"));
    llamaServer = StandInLlamaServer.write(temp.resolve("stand-in"), REPLY);
    executor =
        new LlamaServerExecutor(
            Map.of(LlamaServerExecutor.PROGRAM_VAR, llamaServer.path().toString()),
            models,
            temp.resolve("work"),
            Map.of("CUDA_VISIBLE_DEVICES", "GPU-bbb"),
            settings(Duration.ofHours(1)),
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build());
    FakeJobContext context = new FakeJobContext(models).withFile("a.gguf", file("a.gguf"));

    executor.run(simpleClaim("a.gguf"), context);

    assertThat(llamaServer.lastEnvironment())
        .contains("CUDA_VISIBLE_DEVICES=GPU-bbb")
        .noneMatch(line -> line.startsWith("NOTIFY_SOCKET="));
  }

  @Test
  void refusesOtherKindsAndJobsWithoutAModelFileAsUnsupported() throws Exception {
    setUp(settings(Duration.ofHours(1)));
    FakeJobContext context = new FakeJobContext(models);
    Claim image =
        new Claim(
            "job-1",
            "g",
            "a",
            "m",
            1.0,
            Task.Image.of("x"),
            new ModelSource(EngineId.LLAMA_CPP, List.of(), CliDefaults.of(1, 1, 1, 1)));
    Claim noModel =
        claim(
            "m",
            Task.Llm.of(List.of(new ChatMessage("user", "hi"))),
            CliDefaults.of(1, 1, 1, 1),
            model(FileRole.VAE, "vae.gguf"));

    assertThatThrownBy(() -> executor.run(image, context))
        .isInstanceOf(UnsupportedJobException.class)
        .hasMessageContaining("only llm jobs");
    assertThatThrownBy(() -> executor.run(noModel, context))
        .isInstanceOf(UnsupportedJobException.class)
        .hasMessageContaining("needs a model file");
    assertThat(llamaServer.starts()).isEmpty();
  }

  // --- helpers ----------------------------------------------------------------------------

  private void setUp(LlamaCppSettings settings) throws IOException {
    models = Files.createDirectories(temp.resolve("models"));
    llamaServer = StandInLlamaServer.write(temp.resolve("stand-in"), REPLY);
    executor =
        new LlamaServerExecutor(
            Map.of(LlamaServerExecutor.PROGRAM_VAR, llamaServer.path().toString()),
            models,
            temp.resolve("work"),
            settings,
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build());
  }

  private static LlamaCppSettings settings(Duration idleStop) {
    return settings(Duration.ofMinutes(5), Duration.ofMinutes(2), idleStop);
  }

  private static LlamaCppSettings settings(
      Duration jobTimeout, Duration loadTimeout, Duration idleStop) {
    return new LlamaCppSettings(jobTimeout, loadTimeout, idleStop, Duration.ofSeconds(5), 1 << 20);
  }

  private Path file(String name) throws IOException {
    Path path = models.resolve(name);
    Files.write(path, new byte[] {'G', 'G', 'U', 'F'});
    return path;
  }

  private static boolean isGone(long pid) {
    return ProcessHandle.of(pid).map(handle -> !handle.isAlive()).orElse(true);
  }

  private static Claim simpleClaim(String modelFile) {
    return simpleClaim(modelFile, 8.0);
  }

  private static Claim simpleClaim(String modelFile, double vramGbEstimate) {
    return claim(
        "m",
        vramGbEstimate,
        Task.Llm.of(List.of(new ChatMessage("user", "hi"))),
        CliDefaults.of(1, 1, 1, 1),
        model(FileRole.MODEL, modelFile));
  }

  private static Claim claim(String model, Task task, CliDefaults defaults, ModelFile... files) {
    return claim(model, 8.0, task, defaults, files);
  }

  private static Claim claim(
      String model, double vramGbEstimate, Task task, CliDefaults defaults, ModelFile... files) {
    return new Claim(
        "job-1",
        "game",
        "asset",
        model,
        vramGbEstimate,
        task,
        new ModelSource(EngineId.LLAMA_CPP, List.of(files), defaults));
  }

  private static ModelFile model(FileRole role, String filename) {
    return new ModelFile(role, "https://models.example/" + filename, filename, null, null);
  }
}
