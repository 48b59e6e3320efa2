package org.studioworker.runtime.localapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.runtime.config.ConfigStore;
import org.studioworker.runtime.config.LiveConfig;
import org.studioworker.runtime.config.WorkerConfig;
import org.studioworker.runtime.localjobs.JobArtifacts;
import org.studioworker.runtime.localjobs.LocalJobs;
import org.studioworker.runtime.localjobs.LocalJobs.Outcome;
import org.studioworker.runtime.logs.LogRing;
import org.studioworker.runtime.status.JobRecord;
import org.studioworker.runtime.status.StatusBoard;
import org.studioworker.spi.ChatMessage;
import org.studioworker.spi.ChatStream;
import org.studioworker.spi.JobResult;
import org.studioworker.spi.JsonText;
import org.studioworker.spi.Task;
import org.studioworker.spi.TaskKind;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The local job routes over real sockets: a {@link LocalApiServer} with {@link JobRoutes} and
 * {@link DaemonRoutes}, over a hand-written {@link LocalJobs} that records the task it got and
 * answers a scripted outcome.
 */
final class JobRoutesTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String TOKEN = "a".repeat(64);
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private static final String PNG_DATA = "data:image/png;base64,iVBORw0KGgo=";
  private static final String WAV_DATA = "data:audio/wav;base64,UklGRg==";
  private static final String COMPLETION =
      "{\"id\":\"c1\",\"object\":\"chat.completion\",\"model\":\"m1\",\"choices\":[{\"index\":0,"
          + "\"message\":{\"role\":\"assistant\",\"content\":\"Hello\"},\"finish_reason\":\"%s\"}]}";

  @TempDir Path dir;

  private final FakeJobs jobs = new FakeJobs();
  private final FakeArtifacts artifacts = new FakeArtifacts();
  private final StatusBoard board = new StatusBoard(new LogRing(100));
  private LocalApiServer server;
  private URI base;

  @BeforeEach
  void start() {
    LiveConfig config =
        new LiveConfig(new ConfigStore(dir.resolve("config.toml")), WorkerConfig.defaults());
    DaemonControl control = new Control(board, config, dir);
    Map<String, LocalApiServer.Route> table =
        new LinkedHashMap<>(
            new DaemonRoutes(control, () -> String.valueOf(base), jobs, artifacts).table());
    table.putAll(new JobRoutes(jobs, artifacts, InstantSource.fixed(NOW)).table());
    server = LocalApiServer.start(0, TOKEN, table, DaemonRoutes::error).orElseThrow();
    base = server.url();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  // --- each route's defaults reach the task ---

  @Test
  void imageDefaultsReachTheTaskAndTheBytesComeBackWithTheirType() throws Exception {
    byte[] webp = {'R', 'I', 'F', 'F', 1, 2, 3};
    jobs.script = call -> new Outcome.Done("j1", "sd", new JobResult.Binary(webp, "webp"));

    RawHttp.Answer answer = post("/image", "{\"prompt\":\"a cat\"}");

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.headers().get("content-type")).isEqualTo("image/webp");
    assertThat(answer.body().getBytes(StandardCharsets.ISO_8859_1).length).isEqualTo(webp.length);
    FakeJobs.Call call = jobs.only();
    assertThat(call.model()).isNull();
    assertThat(call.stream()).isNull();
    assertThat(call.deadline()).isNull();
    assertThat(call.task()).isEqualTo(Task.Image.of("a cat"));
    assertThat(call.task())
        .isEqualTo(
            new Task.Image(
                "a cat", null, null, null, null, null, null, null, 512, 512, 20, null, "webp"));
  }

  @Test
  void aFileResultIsStreamedFromDiskWithItsLengthAndDeletedAfter() throws Exception {
    byte[] video = new byte[300_000];
    for (int i = 0; i < video.length; i++) {
      video[i] = (byte) (i * 13 + 5);
    }
    Path file = java.nio.file.Files.write(dir.resolve("result-1.mp4"), video);
    jobs.script = call -> new Outcome.Done("v1", "vid", new JobResult.File(file, "mp4"));

    HttpResponse<byte[]> answer =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .build()
            .send(
                HttpRequest.newBuilder(base.resolve("/video"))
                    .header("Authorization", "Bearer " + TOKEN)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"waves\"}"))
                    .build(),
                HttpResponse.BodyHandlers.ofByteArray());

    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.headers().firstValue("Content-Type")).hasValue("video/mp4");
    assertThat(answer.headers().firstValue("Content-Length"))
        .hasValue(String.valueOf(video.length));
    assertThat(answer.headers().firstValue("Transfer-Encoding")).isEmpty();
    assertThat(answer.body()).isEqualTo(video);
    await().atMost(WAIT).until(() -> !java.nio.file.Files.exists(file));
  }

  @Test
  void aFileResultThatIsGoneAnswers500() throws Exception {
    Path file = dir.resolve("result-gone.mp4");
    jobs.script = call -> new Outcome.Done("v1", "vid", new JobResult.File(file, "mp4"));

    RawHttp.Answer answer = post("/video", "{\"prompt\":\"waves\"}");

    assertThat(answer.status()).isEqualTo(500);
    assertThat(answer.body()).isEqualTo("engine error: the result file cannot be read");
  }

  @Test
  void imageFieldsReachTheTask() throws Exception {
    jobs.script = call -> new Outcome.Done("j1", "sd", new JobResult.Binary(new byte[1], "png"));

    RawHttp.Answer answer =
        post(
            "/image",
            "{\"prompt\":\"a cat\",\"model\":\"sd\",\"negativePrompt\":\"dogs\",\"width\":640,"
                + "\"height\":320,\"steps\":4,\"seed\":12345678901,\"ext\":\"png\","
                + "\"initImageUrl\":\""
                + PNG_DATA
                + "\",\"maskUrl\":\""
                + PNG_DATA
                + "\",\"refImageUrl\":\""
                + PNG_DATA
                + "\",\"denoise\":0.4,\"deadline_ms\":1500}");

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.headers().get("content-type")).isEqualTo("image/png");
    FakeJobs.Call call = jobs.only();
    assertThat(call.model()).isEqualTo("sd");
    assertThat(call.deadline()).isEqualTo(NOW.plusMillis(1500));
    assertThat(call.task())
        .isEqualTo(
            new Task.Image(
                "a cat",
                "dogs",
                PNG_DATA,
                PNG_DATA,
                PNG_DATA,
                0.4,
                null,
                null,
                640,
                320,
                4,
                12345678901L,
                "png"));
  }

  @Test
  void chatDefaultsReachTheTaskAndTheEnginesJsonComesBackAsIs() throws Exception {
    String completion = COMPLETION.formatted("stop");
    jobs.script = call -> done(completion);

    RawHttp.Answer answer =
        post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.headers().get("content-type")).isEqualTo("application/json");
    assertThat(answer.body()).isEqualTo(completion);
    FakeJobs.Call call = jobs.only();
    assertThat(call.stream()).isNull();
    assertThat(call.task()).isEqualTo(Task.Llm.of(List.of(new ChatMessage("user", "hi"))));
    assertThat(((Task.Llm) call.task()).maxTokens()).isEqualTo(512);
    assertThat(((Task.Llm) call.task()).temperature()).isEqualTo(0.7);
  }

  @Test
  void chatFieldsReachTheTask() throws Exception {
    jobs.script = call -> done(COMPLETION.formatted("stop"));

    RawHttp.Answer answer =
        post(
            "/v1/chat/completions",
            "{\"model\":\"qwen\",\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hi \"},"
                + "{\"type\":\"text\",\"text\":\"there\"}]}],\"max_tokens\":64,"
                + "\"temperature\":0.1,\"top_p\":0.9,\"stop\":\"END\","
                + "\"chat_template_kwargs\":{\"enable_thinking\":false},\"deadline_ms\":250,"
                + "\"stream\":false}");

    assertThat(answer.status()).isEqualTo(200);
    FakeJobs.Call call = jobs.only();
    assertThat(call.model()).isEqualTo("qwen");
    assertThat(call.deadline()).isEqualTo(NOW.plusMillis(250));
    assertThat(call.task())
        .isEqualTo(
            new Task.Llm(
                List.of(new ChatMessage("system", "be brief"), new ChatMessage("user", "hi there")),
                null,
                64,
                0.1,
                0.9,
                List.of("END"),
                null,
                null,
                new JsonText("{\"enable_thinking\":false}")));

    post(
        "/v1/chat/completions",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stop\":[\"a\",\"b\"]}");
    assertThat(((Task.Llm) jobs.calls.get(1).task()).stop()).containsExactly("a", "b");
  }

  @Test
  void ttsSttAndVideoDefaultsReachTheirTasks() throws Exception {
    jobs.script =
        call ->
            switch (call.task()) {
              case Task.AudioTts t ->
                  new Outcome.Done("t", "tts", new JobResult.Binary(new byte[2], t.ext()));
              case Task.AudioStt s -> done("{\"text\":\"hello\"}");
              case Task.Video v ->
                  new Outcome.Done("v", "vid", new JobResult.Binary(new byte[3], v.ext()));
              default -> new Outcome.BadInput("unexpected");
            };

    RawHttp.Answer tts = post("/tts", "{\"text\":\"hello\"}");
    RawHttp.Answer stt = post("/stt", "{\"inputUrl\":\"" + WAV_DATA + "\"}");
    RawHttp.Answer video = post("/video", "{\"prompt\":\"waves\"}");

    assertThat(tts.status()).isEqualTo(200);
    assertThat(tts.headers().get("content-type")).isEqualTo("audio/wav");
    assertThat(stt.status()).isEqualTo(200);
    assertThat(stt.headers().get("content-type")).isEqualTo("application/json");
    assertThat(stt.body()).isEqualTo("{\"text\":\"hello\"}");
    assertThat(video.status()).isEqualTo(200);
    assertThat(video.headers().get("content-type")).isEqualTo("video/mp4");
    assertThat(jobs.calls.stream().map(FakeJobs.Call::task))
        .containsExactly(
            Task.AudioTts.of("hello"),
            new Task.AudioStt(WAV_DATA, null, null, null, null, null),
            new Task.Video("waves", null, null, 2.0, null, 256, 256, Task.Video.DEFAULT_EXT));

    post(
        "/tts",
        "{\"text\":\"hi\",\"model\":\"kokoro\",\"voice\":\"af\",\"speed\":1.25,\"language\":\"en\","
            + "\"ext\":\"mp3\"}");
    post("/stt", "{\"inputUrl\":\"" + WAV_DATA + "\",\"model\":\"whisper\",\"language\":\"de\"}");
    RawHttp.Answer webm =
        post(
            "/video",
            "{\"prompt\":\"p\",\"negativePrompt\":\"n\",\"seconds\":4.5,\"width\":320,"
                + "\"height\":192,\"ext\":\"webm\"}");
    assertThat(webm.headers().get("content-type")).isEqualTo("video/webm");
    assertThat(jobs.calls.subList(3, 6).stream().map(FakeJobs.Call::task))
        .containsExactly(
            new Task.AudioTts("hi", "af", 1.25, "en", "mp3"),
            new Task.AudioStt(WAV_DATA, "de", null, null, null, null),
            new Task.Video("p", "n", null, 4.5, null, 320, 192, "webm"));
    assertThat(jobs.calls.subList(3, 6).stream().map(FakeJobs.Call::model))
        .containsExactly("kokoro", "whisper", null);
  }

  @Test
  void mimeTypesFollowTheExtension() {
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("webp", "image/webp");
    expected.put("png", "image/png");
    expected.put("jpg", "image/jpeg");
    expected.put("JPEG", "image/jpeg");
    expected.put("wav", "audio/wav");
    expected.put("mp3", "audio/mpeg");
    expected.put("mp4", "video/mp4");
    expected.put("webm", "video/webm");
    expected.put("flac", "application/octet-stream");
    expected.forEach((ext, type) -> assertThat(JobRoutes.mimeType(ext)).as(ext).isEqualTo(type));
  }

  // --- refusals ---

  @Test
  void anUnknownModelIsBadInput() throws Exception {
    jobs.script = call -> new Outcome.BadInput("unknown model `nope`");

    RawHttp.Answer answer = post("/image", "{\"prompt\":\"x\",\"model\":\"nope\"}");

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.headers().get("content-type")).isEqualTo("text/plain; charset=utf-8");
    assertThat(answer.body()).isEqualTo("bad input: unknown model `nope`");
  }

  @Test
  void inputsThatAreNotDataUrlsAreRefusedAndNothingRuns() throws Exception {
    record Case(String path, String field, String body) {}
    List<Case> cases = new ArrayList<>();
    for (String field : List.of("initImageUrl", "maskUrl", "refImageUrl")) {
      for (String url : List.of("https://example.com/a.png", "file:///etc/passwd", "data-x")) {
        cases.add(
            new Case("/image", field, "{\"prompt\":\"x\",\"" + field + "\":\"" + url + "\"}"));
      }
    }
    cases.add(new Case("/stt", "inputUrl", "{\"inputUrl\":\"http://127.0.0.1:1/a.wav\"}"));
    for (Case c : cases) {
      RawHttp.Answer answer = post(c.path(), c.body());
      assertThat(answer.status()).as(c.body()).isEqualTo(400);
      assertThat(answer.body())
          .isEqualTo(
              "bad input: "
                  + c.field()
                  + " must be a data: URL; the worker does not fetch URLs for local callers");
    }
    assertThat(jobs.calls).isEmpty();
  }

  @Test
  void malformedJsonAndBadFieldsAreRefusedWithoutEchoingTheBody() throws Exception {
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put("{\"prompt\":\"secret words\"", "bad json: the body is not valid JSON");
    cases.put("[1,2]", "bad json: the body is not a JSON object");
    cases.put("", "bad json: the body is empty");
    cases.put("{}", "bad input: missing field `prompt`");
    cases.put("{\"prompt\":7}", "bad input: field `prompt` must be a string");
    cases.put(
        "{\"prompt\":\"x\",\"width\":\"big\"}", "bad input: field `width` must be a whole number");
    cases.put(
        "{\"prompt\":\"x\",\"width\":1.5}", "bad input: field `width` must be a whole number");
    cases.put("{\"prompt\":\"x\",\"width\":0}", "bad input: width must be positive, got 0");
    cases.put(
        "{\"prompt\":\"x\",\"denoise\":\"a\"}", "bad input: field `denoise` must be a number");
    cases.put(
        "{\"prompt\":\"x\",\"deadline_ms\":0}",
        "bad input: field `deadline_ms` must be a positive whole number");
    cases.put(
        "{\"prompt\":\"x\",\"deadline_ms\":\"5\"}",
        "bad input: field `deadline_ms` must be a positive whole number");
    cases.put(
        "{\"prompt\":\"x\",\"ext\":\"../x\"}",
        "bad input: field `ext` must be a bare extension such as webp");
    for (Map.Entry<String, String> c : cases.entrySet()) {
      RawHttp.Answer answer = post("/image", c.getKey());
      assertThat(answer.status()).as(c.getKey()).isEqualTo(400);
      assertThat(answer.body()).as(c.getKey()).startsWith(c.getValue()).doesNotContain("secret");
    }
    Map<String, String> chat = new LinkedHashMap<>();
    chat.put("{}", "bad input: missing field `messages`");
    chat.put("{\"messages\":[]}", "bad input: field `messages` must be a non-empty array");
    chat.put(
        "{\"messages\":[{\"content\":\"x\"}]}",
        "bad input: field `messages[0].role` must be a string");
    chat.put(
        "{\"messages\":[{\"role\":\"user\",\"content\":5}]}",
        "bad input: field `messages[0].content` must be a string");
    chat.put(
        "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stream\":\"yes\"}",
        "bad input: field `stream` must be true or false");
    chat.put(
        "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stop\":[1]}",
        "bad input: field `stop` must be a string or an array of strings");
    chat.put(
        "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"chat_template_kwargs\":1}",
        "bad input: field `chat_template_kwargs` must be an object");
    for (Map.Entry<String, String> c : chat.entrySet()) {
      RawHttp.Answer answer = post("/v1/chat/completions", c.getKey());
      assertThat(answer.status()).as(c.getKey()).isEqualTo(400);
      assertThat(answer.body()).as(c.getKey()).isEqualTo(c.getValue());
    }
    assertThat(post("/tts", "{\"text\":\"x\",\"speed\":true}").body())
        .isEqualTo("bad input: field `speed` must be a number");
    assertThat(post("/stt", "{}").body()).isEqualTo("bad input: missing field `inputUrl`");
    assertThat(post("/video", "{\"prompt\":\"x\",\"seconds\":-1}").body())
        .isEqualTo("bad input: seconds must be a positive number, got -1.0");
    assertThat(jobs.calls).isEmpty();
  }

  @Test
  void bodiesOverTheirRoutesCapAreRefusedAndTwoMebibytesOfImageAreTaken() throws Exception {
    String auth = "\r\nHost: localhost\r\nAuthorization: Bearer " + TOKEN;
    RawHttp.Answer small =
        RawHttp.send(
            base, "POST /tts HTTP/1.1" + auth + "\r\nContent-Length: 1048577", new byte[0]);
    assertThat(small.status()).isEqualTo(413);
    assertThat(small.body()).isEqualTo("request body exceeds 1048576 bytes");

    RawHttp.Answer big =
        RawHttp.send(
            base, "POST /image HTTP/1.1" + auth + "\r\nContent-Length: 67108865", new byte[0]);
    assertThat(big.status()).isEqualTo(413);
    assertThat(big.body()).isEqualTo("request body exceeds 67108864 bytes");
    assertThat(jobs.calls).isEmpty();

    jobs.script = call -> new Outcome.Done("j", "sd", new JobResult.Binary(new byte[1], "webp"));
    String init = "data:image/png;base64," + "A".repeat(2 * 1024 * 1024);
    RawHttp.Answer taken = post("/image", "{\"prompt\":\"x\",\"initImageUrl\":\"" + init + "\"}");
    assertThat(taken.status()).isEqualTo(200);
    assertThat(((Task.Image) jobs.only().task()).initImageUrl()).isEqualTo(init);
    // (Sending a whole over-cap body is not tested: the server answers 413 from the declared
    // length and closes, so a client still writing may see a reset instead of the answer.)
  }

  @Test
  void outcomesOtherThanDoneGetTheirStatuses() throws Exception {
    String chat = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
    for (String stream : List.of("}", ",\"stream\":true}")) {
      jobs.script = call -> new Outcome.Busy("studio job s1");
      RawHttp.Answer busy = post("/v1/chat/completions", chat + stream);
      assertThat(busy.status()).as(stream).isEqualTo(503);
      assertThat(busy.headers().get("retry-after")).isEqualTo("2");
      assertThat(busy.headers().get("content-type")).isEqualTo("text/plain; charset=utf-8");
      assertThat(busy.body())
          .isEqualTo("worker is busy with another job (studio or local); retry shortly");

      jobs.script = call -> new Outcome.DeadlinePassed("j2");
      RawHttp.Answer late = post("/v1/chat/completions", chat + stream);
      assertThat(late.status()).as(stream).isEqualTo(504);
      assertThat(late.body()).isEqualTo("deadline passed: the caller stopped waiting");

      jobs.script = call -> new Outcome.EngineFailed("j3", "out of memory");
      RawHttp.Answer failed = post("/v1/chat/completions", chat + stream);
      assertThat(failed.status()).as(stream).isEqualTo(500);
      assertThat(failed.body()).isEqualTo("engine error: out of memory");

      jobs.script = call -> new Outcome.BadInput("model `x` is not an llm");
      RawHttp.Answer bad = post("/v1/chat/completions", chat + stream);
      assertThat(bad.status()).as(stream).isEqualTo(400);
      assertThat(bad.body()).isEqualTo("bad input: model `x` is not an llm");
    }
    jobs.script = call -> new Outcome.Busy("update");
    RawHttp.Answer image = post("/image", "{\"prompt\":\"x\"}");
    assertThat(image.status()).isEqualTo(503);
    assertThat(image.headers().get("retry-after")).isEqualTo("2");
  }

  // --- streamed chat ---

  @Test
  void aStreamedChatIsFramedAsServerSentEventsEndingWithDone() throws Exception {
    jobs.script =
        call -> {
          ChatStream out = stream(call);
          out.content("Hel");
          out.content("lo");
          return done(COMPLETION.formatted("length"));
        };

    RawHttp.Answer answer =
        post(
            "/v1/chat/completions",
            "{\"model\":\"m1\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"stream\":true}");

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.headers().get("content-type")).isEqualTo("text/event-stream");
    assertThat(answer.headers().get("cache-control")).isEqualTo("no-cache");
    assertThat(answer.headers().get("transfer-encoding")).isEqualTo("chunked");
    String id =
        JSON.readTree(answer.body().substring(6, answer.body().indexOf('\n'))).get("id").asString();
    assertThat(id).matches("chatcmpl-[0-9a-f]{24}");
    String head =
        "{\"id\":\""
            + id
            + "\",\"object\":\"chat.completion.chunk\",\"created\":1767225600,"
            + "\"model\":\"m1\",\"choices\":[{\"index\":0,\"delta\":";
    assertThat(answer.body())
        .isEqualTo(
            "data: "
                + head
                + "{\"role\":\"assistant\"},\"finish_reason\":null}]}\n\n"
                + "data: "
                + head
                + "{\"content\":\"Hel\"},\"finish_reason\":null}]}\n\n"
                + "data: "
                + head
                + "{\"content\":\"lo\"},\"finish_reason\":null}]}\n\n"
                + "data: "
                + head
                + "{},\"finish_reason\":\"length\"}]}\n\n"
                + "data: [DONE]\n\n");
  }

  @Test
  void anEngineThatCannotStreamHasItsAnswerSentAsOnePiece() throws Exception {
    jobs.script = call -> done(COMPLETION.formatted("stop"));

    List<JsonNode> events = events(streamChat().body());

    assertThat(events).hasSize(3);
    assertThat(events.get(0).at("/choices/0/delta").toString())
        .isEqualTo("{\"role\":\"assistant\"}");
    assertThat(events.get(1).at("/choices/0/delta").toString())
        .isEqualTo("{\"content\":\"Hello\"}");
    assertThat(events.get(2).at("/choices/0/delta").toString()).isEqualTo("{}");
    assertThat(events.get(2).at("/choices/0/finish_reason").asString()).isEqualTo("stop");
    assertThat(events.get(0).get("model").asString()).isEmpty();
  }

  @Test
  void aJobThatFailsAfterTheStreamStartedEndsItWithAnErrorEvent() throws Exception {
    jobs.script =
        call -> {
          stream(call).content("par");
          return new Outcome.EngineFailed("j", "llama-server crashed");
        };

    RawHttp.Answer answer = streamChat();

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.body())
        .endsWith("data: {\"error\":{\"message\":\"engine error: llama-server crashed\"}}\n\n")
        .doesNotContain("[DONE]");
    assertThat(answer.body().split("\n\n")).hasSize(3);
  }

  @Test
  void aClientThatDisconnectsMidStreamMakesTheStreamThrow() throws Exception {
    CountDownLatch closed = new CountDownLatch(1);
    AtomicReference<@Nullable IOException> seen = new AtomicReference<>();
    AtomicInteger writesAfterClose = new AtomicInteger();
    jobs.script =
        call -> {
          ChatStream out = stream(call);
          out.content("first");
          assertThat(closed.await(20, TimeUnit.SECONDS)).isTrue();
          // The first write after the close may still land in the socket buffer; the peer's
          // reset makes the next one fail.
          while (seen.get() == null && writesAfterClose.get() < 1000) {
            try {
              writesAfterClose.incrementAndGet();
              out.content("more");
            } catch (IOException e) {
              seen.set(e);
            }
          }
          return new Outcome.EngineFailed("j", "the reader went away");
        };

    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 2000);
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(chatRequest(true));
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      while (!got.toString(StandardCharsets.UTF_8).contains("first")) {
        int b = in.read();
        assertThat(b).isNotNegative();
        got.write(b);
      }
    }
    closed.countDown();

    await().atMost(WAIT).until(() -> seen.get() != null);
    assertThat(writesAfterClose.get()).isLessThanOrEqualTo(2);
    // Once broken, the stream stays broken.
    assertThat(jobs.calls).hasSize(1);
  }

  @Test
  void aSlowReaderBlocksTheWriterInsteadOfFillingMemory() throws Exception {
    int pieces = 1024;
    String piece = "x".repeat(32 * 1024); // 32 MiB in all, far more than any socket buffer
    AtomicInteger returned = new AtomicInteger();
    AtomicInteger entered = new AtomicInteger();
    AtomicReference<@Nullable Thread> writer = new AtomicReference<>();
    CountDownLatch finished = new CountDownLatch(1);
    jobs.script =
        call -> {
          writer.set(Thread.currentThread());
          ChatStream out = stream(call);
          for (int i = 0; i < pieces; i++) {
            entered.incrementAndGet();
            out.content(piece);
            returned.incrementAndGet();
          }
          finished.countDown();
          return done(COMPLETION.formatted("stop"));
        };

    try (Socket socket = new Socket()) {
      socket.setReceiveBufferSize(8 * 1024);
      socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 2000);
      socket.setSoTimeout(20_000);
      socket.getOutputStream().write(chatRequest(true));
      // Not reading: the writer fills the socket buffers, then blocks in content().
      await()
          .atMost(WAIT)
          .until(
              () -> {
                Thread thread = writer.get();
                return thread != null
                    && thread.getState() == Thread.State.WAITING
                    && entered.get() == returned.get() + 1;
              });
      assertThat(returned.get()).isLessThan(pieces / 2);
      assertThat(finished.getCount()).isOne();

      RawHttp.Answer answer = RawHttp.read(socket.getInputStream());

      assertThat(finished.await(20, TimeUnit.SECONDS)).isTrue();
      assertThat(returned.get()).isEqualTo(pieces);
      List<JsonNode> events = events(answer.body());
      assertThat(events).hasSize(pieces + 2);
      assertThat(events.get(1).at("/choices/0/delta/content").asString()).isEqualTo(piece);
    }
  }

  @Test
  void anOpenAiStyleClientReadsTheStreamLineByLine() throws Exception {
    jobs.script =
        call -> {
          ChatStream out = stream(call);
          for (String word : List.of("The ", "quick ", "fox")) {
            out.content(word);
          }
          return done(COMPLETION.formatted("stop"));
        };
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpRequest request =
        HttpRequest.newBuilder(base.resolve("/v1/chat/completions"))
            .header("Authorization", "Bearer " + TOKEN)
            .header("Content-Type", "application/json")
            .header("Accept", "text/event-stream")
            .POST(HttpRequest.BodyPublishers.ofByteArray(chatBody(true)))
            .build();

    HttpResponse<Stream<String>> response =
        client.send(request, HttpResponse.BodyHandlers.ofLines());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream");
    StringBuilder text = new StringBuilder();
    String finish = null;
    boolean sawDone = false;
    try (Stream<String> lines = response.body()) {
      for (String line : (Iterable<String>) lines::iterator) {
        if (line.isEmpty()) {
          continue;
        }
        assertThat(line).startsWith("data: ");
        String data = line.substring("data: ".length());
        if (data.equals("[DONE]")) {
          sawDone = true;
          break;
        }
        JsonNode choice = JSON.readTree(data).at("/choices/0");
        if (choice.at("/delta/content").isString()) {
          text.append(choice.at("/delta/content").asString());
        }
        if (choice.get("finish_reason").isString()) {
          finish = choice.get("finish_reason").asString();
        }
      }
    }
    assertThat(sawDone).isTrue();
    assertThat(text.toString()).isEqualTo("The quick fox");
    assertThat(finish).isEqualTo("stop");

    jobs.script = call -> done(COMPLETION.formatted("stop"));
    HttpResponse<String> plain =
        client.send(
            HttpRequest.newBuilder(base.resolve("/v1/chat/completions"))
                .header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofByteArray(chatBody(false)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(plain.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(plain.body()).at("/choices/0/message/content").asString())
        .isEqualTo("Hello");
  }

  // --- /jobs ---

  @Test
  void jobsListsTheLocalJobsNewestFirstWithTheirThumbnails() throws Exception {
    jobs.jobs =
        List.of(record("l2", "failed", "engine error: boom"), record("l1", "completed", ""));
    artifacts.thumbnails.put("l1", new byte[] {(byte) 0x89, 'P', 'N', 'G'});

    RawHttp.Answer answer = RawHttp.request(base, "GET", "/jobs", TOKEN, "");

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.headers().get("content-type")).isEqualTo("application/json");
    JsonNode list = JSON.readTree(answer.body());
    assertThat(list.size()).isEqualTo(2);
    assertThat(list.get(0).propertyNames())
        .containsExactly(
            "jobId",
            "kind",
            "model",
            "prompt",
            "source",
            "status",
            "reason",
            "startedAt",
            "finishedAt",
            "hasThumbnail");
    assertThat(list.get(0).get("jobId").asString()).isEqualTo("l2");
    assertThat(list.get(0).get("status").asString()).isEqualTo("failed");
    assertThat(list.get(0).get("reason").asString()).isEqualTo("engine error: boom");
    assertThat(list.get(0).get("hasThumbnail").asBoolean()).isFalse();
    assertThat(list.get(1).get("jobId").asString()).isEqualTo("l1");
    assertThat(list.get(1).get("source").asString()).isEqualTo("local");
    assertThat(list.get(1).get("kind").asString()).isEqualTo("image");
    assertThat(list.get(1).has("reason")).isFalse();
    assertThat(list.get(1).get("hasThumbnail").asBoolean()).isTrue();
  }

  @Test
  void aJobsLogAnswersItsLinesOrUnknownJob() throws Exception {
    artifacts.logs.put(
        "job-1.a_B",
        new JobArtifacts.Log(
            List.of(
                new JobArtifacts.Line(NOW, "INFO", "engine", "loading"),
                new JobArtifacts.Line(NOW.plusSeconds(1), "WARN", "engine", "slow")),
            3));

    RawHttp.Answer found = RawHttp.request(base, "GET", "/jobs/job-1.a_B/log", TOKEN, "");

    assertThat(found.status()).isEqualTo(200);
    assertThat(found.body())
        .isEqualTo(
            "{\"lines\":[{\"ts\":\"2026-01-01T00:00:00.000Z\",\"level\":\"INFO\",\"target\":\"engine\","
                + "\"message\":\"loading\"},{\"ts\":\"2026-01-01T00:00:01.000Z\",\"level\":\"WARN\","
                + "\"target\":\"engine\",\"message\":\"slow\"}],\"dropped\":3}");

    RawHttp.Answer unknown = RawHttp.request(base, "GET", "/jobs/nope/log", TOKEN, "");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.headers().get("content-type")).isEqualTo("application/json");
    assertThat(unknown.body())
        .isEqualTo("{\"error\":\"unknown_job\",\"message\":\"no log for job nope\"}");

    for (String bad : List.of("a%2Fb", "a%20b", "x".repeat(129), "%3Cscript%3E")) {
      RawHttp.Answer refused = RawHttp.request(base, "GET", "/jobs/" + bad + "/log", TOKEN, "");
      assertThat(refused.status()).as(bad).isEqualTo(404);
      assertThat(refused.body()).doesNotContain(bad);
    }
    assertThat(artifacts.asked).containsOnly("job-1.a_B", "nope");
    assertThat(RawHttp.request(base, "GET", "/jobs//log", TOKEN, "").body()).isEqualTo("not found");
    assertThat(RawHttp.request(base, "GET", "/jobs/a/b/log", TOKEN, "").status()).isEqualTo(404);
    assertThat(RawHttp.request(base, "GET", "/jobs/job-1.a_B/log", null, "").status())
        .isEqualTo(401);
    RawHttp.Answer post = RawHttp.request(base, "POST", "/jobs/job-1.a_B/log", TOKEN, "");
    assertThat(post.status()).isEqualTo(405);
    assertThat(post.headers().get("allow")).isEqualTo("GET");
  }

  @Test
  void aJobsThumbnailIsPngOrNoThumbnail() throws Exception {
    byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    artifacts.thumbnails.put("img1", png);

    RawHttp.Answer found = RawHttp.request(base, "GET", "/jobs/img1/thumbnail", TOKEN, "");

    assertThat(found.status()).isEqualTo(200);
    assertThat(found.headers().get("content-type")).isEqualTo("image/png");
    assertThat(found.headers().get("content-length")).isEqualTo(String.valueOf(png.length));

    RawHttp.Answer none = RawHttp.request(base, "GET", "/jobs/img2/thumbnail", TOKEN, "");
    assertThat(none.status()).isEqualTo(404);
    assertThat(none.body())
        .isEqualTo("{\"error\":\"no_thumbnail\",\"message\":\"no thumbnail for job img2\"}");
    assertThat(RawHttp.request(base, "GET", "/jobs/..%2F/thumbnail", TOKEN, "").status())
        .isEqualTo(404);
  }

  @Test
  void unknownRoutesKeepTheirGuardsAndAnswers() throws Exception {
    assertThat(RawHttp.request(base, "GET", "/jobs/x/other", null, "").status()).isEqualTo(401);
    RawHttp.Answer other = RawHttp.request(base, "GET", "/jobs/x/other", TOKEN, "");
    assertThat(other.status()).isEqualTo(404);
    assertThat(other.body()).isEqualTo("not found");
    assertThat(RawHttp.request(base, "POST", "/image", null, "{}").status()).isEqualTo(401);
    RawHttp.Answer get = RawHttp.request(base, "GET", "/image", TOKEN, "");
    assertThat(get.status()).isEqualTo(405);
    assertThat(get.headers().get("allow")).isEqualTo("POST");
    assertThat(jobs.calls).isEmpty();
  }

  @Test
  void statusShowsTheLocalJobsAndEveryJobsThumbnail() throws Exception {
    board.finished(
        new JobRecord(
            "s1",
            TaskKind.IMAGE,
            "sd",
            "a cat",
            "studio",
            "completed",
            "",
            NOW,
            NOW.plusSeconds(2),
            Duration.ofSeconds(2)));
    jobs.jobs = List.of(record("l1", "completed", ""), record("l0", "cancelled", "stopped"));
    artifacts.thumbnails.put("s1", new byte[1]);
    artifacts.thumbnails.put("l0", new byte[1]);

    JsonNode status =
        JSON.readTree(RawHttp.request(base, "GET", "/daemon/status", TOKEN, "").body());

    assertThat(status.get("recentJobs").get(0).get("hasThumbnail").asBoolean()).isTrue();
    JsonNode local = status.get("localJobs");
    assertThat(local.size()).isEqualTo(2);
    assertThat(local.get(0).get("jobId").asString()).isEqualTo("l1");
    assertThat(local.get(0).get("source").asString()).isEqualTo("local");
    assertThat(local.get(0).get("hasThumbnail").asBoolean()).isFalse();
    assertThat(local.get(1).get("jobId").asString()).isEqualTo("l0");
    assertThat(local.get(1).get("reason").asString()).isEqualTo("cancelled: stopped");
    assertThat(local.get(1).get("hasThumbnail").asBoolean()).isTrue();
  }

  // --- helpers ---

  private RawHttp.Answer post(String path, String body) throws IOException {
    return RawHttp.request(base, "POST", path, TOKEN, body);
  }

  private RawHttp.Answer streamChat() throws IOException {
    return post("/v1/chat/completions", new String(chatBody(true), StandardCharsets.UTF_8));
  }

  private static byte[] chatBody(boolean stream) {
    return ("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":" + stream + "}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private byte[] chatRequest(boolean stream) {
    byte[] body = chatBody(stream);
    String head =
        "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:"
            + base.getPort()
            + "\r\nAuthorization: Bearer "
            + TOKEN
            + "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
            + body.length
            + "\r\n\r\n";
    byte[] head8 = head.getBytes(StandardCharsets.ISO_8859_1);
    byte[] all = Arrays.copyOf(head8, head8.length + body.length);
    System.arraycopy(body, 0, all, head8.length, body.length);
    return all;
  }

  /** The events of a stream that ended with [DONE]: each chunk parsed, [DONE] checked and cut. */
  private static List<JsonNode> events(String body) {
    assertThat(body).endsWith("\n\ndata: [DONE]\n\n");
    List<JsonNode> out = new ArrayList<>();
    String[] events = body.split("\n\n");
    for (int i = 0; i < events.length - 1; i++) {
      assertThat(events[i]).startsWith("data: ");
      out.add(JSON.readTree(events[i].substring("data: ".length())));
    }
    return out;
  }

  private static Outcome done(String json) {
    return new Outcome.Done("j", "m1", new JobResult.Json(new JsonText(json)));
  }

  private static ChatStream stream(FakeJobs.Call call) {
    ChatStream out = call.stream();
    assertThat(out).as("a streamed chat passes its ChatStream").isNotNull();
    return java.util.Objects.requireNonNull(out);
  }

  private static JobRecord record(String id, String outcome, String detail) {
    return new JobRecord(
        id,
        TaskKind.IMAGE,
        "sd",
        "a prompt",
        "local",
        outcome,
        detail,
        NOW,
        NOW.plusSeconds(1),
        Duration.ofSeconds(1));
  }

  /** Records every call and answers what {@link #script} says. */
  static final class FakeJobs implements LocalJobs {
    record Call(
        @Nullable String model,
        Task task,
        @Nullable ChatStream stream,
        @Nullable Instant deadline) {}

    @FunctionalInterface
    interface Script {
      Outcome run(Call call) throws Exception;
    }

    final List<Call> calls = new CopyOnWriteArrayList<>();
    volatile Script script = call -> new Outcome.BadInput("no script");
    volatile List<JobRecord> jobs = List.of();

    Call only() {
      assertThat(calls).hasSize(1);
      return calls.getFirst();
    }

    @Override
    public Outcome run(
        @Nullable String model, Task task, @Nullable ChatStream stream, @Nullable Instant deadline)
        throws InterruptedException {
      Call call = new Call(model, task, stream, deadline);
      calls.add(call);
      try {
        return script.run(call);
      } catch (InterruptedException | RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public List<JobRecord> jobs() {
      return jobs;
    }
  }

  /** Logs and thumbnails from maps; remembers which ids were asked for. */
  static final class FakeArtifacts implements JobArtifacts {
    final Map<String, Log> logs = new ConcurrentHashMap<>();
    final Map<String, byte[]> thumbnails = new ConcurrentHashMap<>();
    final List<String> asked = new CopyOnWriteArrayList<>();

    @Override
    public Optional<Log> log(String jobId) {
      asked.add(jobId);
      return Optional.ofNullable(logs.get(jobId));
    }

    @Override
    public Optional<byte[]> thumbnail(String jobId) {
      return Optional.ofNullable(thumbnails.get(jobId));
    }
  }

  /** The daemon as {@code /daemon/status} reads it: a board and a config, nothing running. */
  private record Control(StatusBoard board, LiveConfig config, Path dir) implements DaemonControl {
    @Override
    public Path configPath() {
      return dir.resolve("config.toml");
    }

    @Override
    public Path modelsRoot() {
      return dir;
    }

    @Override
    public boolean busy() {
      return false;
    }

    @Override
    public @Nullable GpuRuntime gpuRuntime() {
      return null;
    }

    @Override
    public double vramTotalGb() {
      return 0;
    }

    @Override
    public void shutdown(String why) {}

    @Override
    public boolean resetRegistration() {
      return false;
    }

    @Override
    public byte[] metrics() {
      return new byte[0];
    }
  }
}
