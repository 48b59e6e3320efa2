package org.studioworker.devstudio;

import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.studioworker.protocol.FrameCodec;
import org.studioworker.protocol.LogEntry;
import org.studioworker.spi.JsonText;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The JSON envelopes of the operator and dev routes: lists and snapshots.
 *
 * <p>Whatever the wire contract defines (capabilities, task, model source) is written by {@link
 * FrameCodec} and embedded as is. Thread-safe and stateless.
 */
final class DevJson {
  private final JsonMapper mapper = JsonMapper.builder().build();
  private final FrameCodec codec;

  DevJson(FrameCodec codec) {
    this.codec = codec;
  }

  ObjectNode object() {
    return mapper.createObjectNode();
  }

  /** Parses a body; throws {@link tools.jackson.core.JacksonException} when it is not JSON. */
  JsonNode parse(String text) {
    return mapper.readTree(text);
  }

  String write(JsonNode node) {
    return mapper.writeValueAsString(node);
  }

  /** A one-key error body: {@code {"error": message}}. */
  String error(String message) {
    return write(object().put("error", message));
  }

  String pending(List<PendingRequest> requests) {
    ArrayNode out = mapper.createArrayNode();
    for (PendingRequest r : requests) {
      ObjectNode item = out.addObject();
      item.put("requestId", r.requestId());
      item.put("installId", r.installId());
      item.put("since", FrameCodec.timestamp(r.since()));
      item.set("capabilities", mapper.readTree(codec.encodeCapabilities(r.capabilities())));
      item.put("userAgent", r.userAgent());
    }
    return write(out);
  }

  ObjectNode job(JobSnapshot job) {
    ObjectNode out = object();
    out.put("jobId", job.jobId());
    out.put("status", job.status().wireName());
    out.put("attempts", job.attempts());
    out.put("kind", job.claim().task().kind().wireName());
    out.put("model", job.claim().model());
    putOpt(out, "workerId", job.workerId());
    putOpt(out, "error", job.error());
    JsonText result = job.result();
    if (result != null) {
      out.set("result", mapper.readTree(result.json()));
    }
    putOpt(out, "prompt", job.prompt());
    putOpt(out, "ext", job.ext());
    putOpt(out, "contentType", job.contentType());
    if (job.resultSize() > 0) {
      out.put("resultSize", job.resultSize());
    }
    out.put("submittedAt", FrameCodec.timestamp(job.submittedAt()));
    ArrayNode reports = out.putArray("reports");
    for (JobReport r : job.reports()) {
      ObjectNode item = reports.addObject();
      item.put("kind", r.kind().name().toLowerCase(java.util.Locale.ROOT));
      item.put("workerId", r.workerId());
      item.put("verdict", r.verdict().name().toLowerCase(java.util.Locale.ROOT));
      JobStatus before = r.statusBefore();
      if (before != null) {
        item.put("statusBefore", before.wireName());
      }
      item.put("at", FrameCodec.timestamp(r.at()));
    }
    return out;
  }

  String jobs(List<JobSnapshot> jobs) {
    ArrayNode out = mapper.createArrayNode();
    jobs.forEach(job -> out.add(job(job)));
    return write(out);
  }

  String workers(List<WorkerSnapshot> workers) {
    ArrayNode out = mapper.createArrayNode();
    for (WorkerSnapshot w : workers) {
      ObjectNode item = out.addObject();
      item.put("workerId", w.workerId());
      item.put("connection", w.connection());
      item.put("connectedAt", FrameCodec.timestamp(w.connectedAt()));
      item.put("welcomed", w.welcomed());
      putOpt(item, "lastHeartbeatAt", w.lastHeartbeatAt());
      if (w.capabilities() != null) {
        item.set("capabilities", mapper.readTree(codec.encodeCapabilities(w.capabilities())));
      }
      putOpt(item, "heldJobId", w.heldJobId());
      item.put("silent", w.silent());
    }
    return write(out);
  }

  String logs(List<LogEntry> entries) {
    ArrayNode out = mapper.createArrayNode();
    for (LogEntry e : entries) {
      ObjectNode item = out.addObject();
      item.put("ts", FrameCodec.timestamp(e.ts()));
      item.put("level", e.level().wireName());
      item.put("category", e.category());
      item.put("message", e.message());
      putOpt(item, "jobId", e.jobId());
    }
    return write(out);
  }

  String frames(List<WireFrame> frames) {
    ArrayNode out = mapper.createArrayNode();
    for (WireFrame f : frames) {
      ObjectNode item = out.addObject();
      item.put("connection", f.connection());
      item.put("direction", f.direction() == WireFrame.Direction.SENT ? "sent" : "received");
      item.put("at", FrameCodec.timestamp(f.at()));
      item.put("type", f.type());
      item.put("text", f.text());
      if (f.ignored()) {
        item.put("ignored", true);
      }
    }
    return write(out);
  }

  private static void putOpt(ObjectNode out, String name, @Nullable String value) {
    if (value != null) {
      out.put(name, value);
    }
  }

  private static void putOpt(ObjectNode out, String name, @Nullable Instant value) {
    if (value != null) {
      out.put(name, FrameCodec.timestamp(value));
    }
  }
}
