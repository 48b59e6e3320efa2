package org.studioworker.protocol;

import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import org.studioworker.spi.ChatMessage;
import org.studioworker.spi.Claim;
import org.studioworker.spi.CliDefaults;
import org.studioworker.spi.EngineId;
import org.studioworker.spi.FileRole;
import org.studioworker.spi.JsonText;
import org.studioworker.spi.ModelFile;
import org.studioworker.spi.ModelSource;
import org.studioworker.spi.Task;
import org.studioworker.spi.TaskKind;

/** QuickTheories generators for every frame of the contract. */
final class Generators {
  private static final FrameCodec CODEC = new FrameCodec();

  private Generators() {}

  /** Any string of up to 12 code points, the whole Unicode range (lone surrogates included). */
  static Gen<String> text() {
    return strings().betweenCodePoints(0, Character.MAX_CODE_POINT).ofLengthBetween(0, 12);
  }

  static <T> Gen<T> nullable(Gen<T> gen) {
    return gen.toOptionals(30).map(o -> o.orElse(null));
  }

  /** Any finite double; -0.0 is read back as 0.0 (JSON decimals have no negative zero). */
  static Gen<Double> finite() {
    Gen<Double> any = doubles().any().map(d -> Double.isFinite(d) && d != 0 ? d : 0.0);
    Gen<Double> plain = integers().between(-10_000, 10_000).map(i -> i / 8.0);
    return any.mix(plain);
  }

  static Gen<Double> positive() {
    return finite().map(d -> d == 0 ? 1.0 : Math.abs(d));
  }

  static Gen<Integer> positiveInt() {
    return integers().between(1, Integer.MAX_VALUE).mix(integers().between(1, 2048));
  }

  /** JSON values up to {@code depth} levels, in the codec's canonical text. */
  static Gen<JsonText> json() {
    return jsonText(3).map(Generators::canonical);
  }

  /** A JSON value for an optional field: JSON {@code null} there reads back as absent. */
  static Gen<JsonText> optionalJson() {
    return nullable(json().assuming(j -> !j.json().equals("null")));
  }

  private static JsonText canonical(String json) {
    try {
      return CODEC.validateJson(json);
    } catch (FrameDecodeException e) {
      throw new AssertionError("generated invalid JSON: " + json, e);
    }
  }

  private static Gen<String> jsonText(int depth) {
    Gen<String> scalar =
        Generate.oneOf(
            text().map(Generators::quote),
            longs().all().map(l -> Long.toString(l)),
            finite().map(d -> Double.toString(d)),
            Generate.pick(List.of("1e400", "-1.50", "123456789012345678901234567890.5", "0")),
            booleans().all().map(b -> Boolean.toString(b)),
            Generate.constant("null"));
    if (depth == 0) {
      return scalar;
    }
    Gen<String> inner = jsonText(depth - 1);
    Gen<String> array =
        lists().of(inner).ofSizeBetween(0, 3).map(l -> "[" + String.join(",", l) + "]");
    Gen<String> object =
        lists()
            .of(text().zip(inner, (k, v) -> quote(k) + ":" + v))
            .ofSizeBetween(0, 3)
            .map(
                entries -> {
                  // Distinct keys: the codec refuses duplicates.
                  Map<String, String> unique = new LinkedHashMap<>();
                  for (String entry : entries) {
                    unique.putIfAbsent(entry.substring(0, entry.indexOf("\":") + 1), entry);
                  }
                  return "{" + String.join(",", unique.values()) + "}";
                });
    return Generate.oneOf(scalar, array, object);
  }

  private static String quote(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  static Gen<Capabilities> capabilities() {
    return in ->
        new Capabilities(
            text().generate(in),
            text().generate(in),
            text().generate(in),
            text().generate(in),
            finite().generate(in),
            finite().generate(in),
            booleans().all().generate(in),
            booleans().all().generate(in),
            lists().of(text()).ofSizeBetween(0, 5).generate(in),
            lists().of(Generate.enumValues(TaskKind.class)).ofSizeBetween(0, 6).generate(in),
            perKind().generate(in),
            nullable(booleans().all()).generate(in),
            nullable(booleans().all()).generate(in),
            nullable(booleans().all()).generate(in),
            nullable(text()).generate(in));
  }

  private static Gen<Map<String, List<String>>> perKind() {
    return lists()
        .of(text().zip(lists().of(text()).ofSizeBetween(0, 3), Map::entry))
        .ofSizeBetween(0, 4)
        .map(
            entries -> {
              Map<String, List<String>> map = new LinkedHashMap<>();
              entries.forEach(e -> map.put(e.getKey(), e.getValue()));
              return map;
            });
  }

  /** Instants from year 0000 to 9999 (the years RFC 3339 writes), and recent ones with nanos. */
  static Gen<Instant> instants() {
    Gen<Instant> wide =
        longs()
            .between(
                Instant.parse("0000-01-01T00:00:00Z").toEpochMilli(),
                Instant.parse("9999-12-31T23:59:59.999Z").toEpochMilli())
            .map(Instant::ofEpochMilli);
    Gen<Instant> recent =
        longs()
            .between(1_767_225_600L, 1_800_000_000L)
            .zip(integers().between(0, 999_999_999), (s, n) -> Instant.ofEpochSecond(s, n));
    return wide.mix(recent);
  }

  static Gen<LogEntry> logEntries() {
    return in ->
        new LogEntry(
            instants().generate(in),
            Generate.enumValues(LogLevel.class).generate(in),
            text().generate(in),
            text().generate(in),
            nullable(text()).generate(in));
  }

  static Gen<WorkerFrame> workerFrames() {
    Gen<WorkerFrame> hello = text().zip(capabilities(), WorkerFrame.Hello::new);
    Gen<WorkerFrame> heartbeat = capabilities().zip(nullable(text()), WorkerFrame.Heartbeat::new);
    Gen<WorkerFrame> accept = text().map(WorkerFrame.Accept::new);
    Gen<WorkerFrame> reject =
        text()
            .zip(text(), nullable(Generate.enumValues(RejectCode.class)), WorkerFrame.Reject::new);
    Gen<WorkerFrame> complete = text().zip(json(), nullable(text()), WorkerFrame.CompleteJson::new);
    Gen<WorkerFrame> fail = text().zip(text(), booleans().all(), WorkerFrame.Fail::new);
    Gen<WorkerFrame> logBatch =
        lists().of(logEntries()).ofSizeBetween(0, 5).map(WorkerFrame.LogBatch::new);
    Gen<WorkerFrame> ready = Generate.constant(new WorkerFrame.ReadyForMore());
    return Generate.oneOf(hello, heartbeat, accept, reject, complete, fail, logBatch, ready);
  }

  static Gen<Task> tasks() {
    Gen<Task> image =
        in ->
            new Task.Image(
                text().generate(in),
                nullable(text()).generate(in),
                nullable(text()).generate(in),
                nullable(text()).generate(in),
                nullable(text()).generate(in),
                nullable(finite()).generate(in),
                nullable(finite()).generate(in),
                nullable(text()).generate(in),
                positiveInt().generate(in),
                positiveInt().generate(in),
                positiveInt().generate(in),
                nullable(longs().all()).generate(in),
                text().generate(in));
    Gen<Task> llm =
        in ->
            new Task.Llm(
                lists().of(text().zip(text(), ChatMessage::new)).ofSizeBetween(0, 4).generate(in),
                nullable(text()).generate(in),
                positiveInt().generate(in),
                finite().generate(in),
                nullable(finite()).generate(in),
                nullable(lists().of(text()).ofSizeBetween(0, 3)).generate(in),
                optionalJson().generate(in),
                optionalJson().generate(in),
                optionalJson().generate(in));
    Gen<Task> stt =
        in ->
            new Task.AudioStt(
                text().generate(in),
                nullable(text()).generate(in),
                nullable(booleans().all()).generate(in),
                nullable(text()).generate(in),
                nullable(booleans().all()).generate(in),
                nullable(Generate.enumValues(Task.Timestamps.class)).generate(in));
    Gen<Task> tts =
        in ->
            new Task.AudioTts(
                text().generate(in),
                text().generate(in),
                nullable(finite()).generate(in),
                nullable(text()).generate(in),
                text().generate(in));
    Gen<Task> video =
        in ->
            new Task.Video(
                text().generate(in),
                nullable(text()).generate(in),
                nullable(text()).generate(in),
                positive().generate(in),
                nullable(positiveInt()).generate(in),
                positiveInt().generate(in),
                positiveInt().generate(in),
                text().generate(in));
    return Generate.oneOf(image, llm, stt, tts, video);
  }

  static Gen<EngineId> engines() {
    Gen<EngineId> known =
        Generate.pick(
            List.of(
                EngineId.SD_CPP,
                EngineId.LLAMA_CPP,
                EngineId.ONNX,
                EngineId.PARAKEET,
                EngineId.SYNTHETIC));
    Gen<EngineId> made =
        strings()
            .betweenCodePoints('a', 'z')
            .ofLengthBetween(1, 20)
            .zip(integers().between(0, 99), (s, n) -> new EngineId(s + "-" + n));
    return known.mix(made);
  }

  static Gen<ModelSource> modelSources() {
    Gen<ModelFile> file =
        in ->
            new ModelFile(
                Generate.enumValues(FileRole.class).generate(in),
                text().generate(in),
                text().generate(in),
                nullable(longs().between(0, Long.MAX_VALUE)).generate(in),
                nullable(text()).generate(in));
    Gen<CliDefaults> defaults =
        in ->
            new CliDefaults(
                finite().generate(in),
                integers().all().generate(in),
                integers().all().generate(in),
                integers().all().generate(in),
                nullable(text()).generate(in),
                nullable(finite()).generate(in),
                nullable(booleans().all()).generate(in),
                nullable(booleans().all()).generate(in),
                nullable(integers().all()).generate(in),
                optionalJson().generate(in));
    return engines().zip(lists().of(file).ofSizeBetween(0, 4), defaults, ModelSource::new);
  }

  static Gen<Claim> claims() {
    return in ->
        new Claim(
            text().generate(in),
            text().generate(in),
            text().generate(in),
            text().generate(in),
            positive().mix(Generate.constant(0.0)).generate(in),
            tasks().generate(in),
            modelSources().generate(in));
  }

  static Gen<StudioFrame> studioFrames() {
    Gen<StudioFrame> welcome = text().zip(text(), StudioFrame.Welcome::new);
    Gen<StudioFrame> offer = claims().map(StudioFrame.Offer::new);
    Gen<StudioFrame> heartbeatAck = Generate.constant(new StudioFrame.HeartbeatAck());
    Gen<StudioFrame> completeAck = text().map(StudioFrame.CompleteAck::new);
    Gen<StudioFrame> failAck = text().map(StudioFrame.FailAck::new);
    Gen<StudioFrame> error =
        Generate.enumValues(ErrorCode.class).zip(text(), StudioFrame.Error::new);
    return Generate.oneOf(welcome, offer, heartbeatAck, completeAck, failAck, error);
  }
}
