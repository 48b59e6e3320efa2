package org.studioworker.runtime.localapi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.studioworker.protocol.LogEntry;
import org.studioworker.runtime.Version;
import org.studioworker.runtime.config.ConfigException;
import org.studioworker.runtime.config.LiveConfig;
import org.studioworker.runtime.config.StudioUrls;
import org.studioworker.runtime.config.WorkerConfig;
import org.studioworker.runtime.localapi.LocalApiServer.Access;
import org.studioworker.runtime.localapi.LocalApiServer.Handler;
import org.studioworker.runtime.localapi.LocalApiServer.Reply;
import org.studioworker.runtime.localapi.LocalApiServer.Request;
import org.studioworker.runtime.localapi.LocalApiServer.Route;
import org.studioworker.runtime.localjobs.JobArtifacts;
import org.studioworker.runtime.localjobs.LocalJobs;
import org.studioworker.runtime.logs.LogRing;
import org.studioworker.runtime.metrics.WorkerMetrics;
import org.studioworker.runtime.registration.RegistrationState;
import org.studioworker.runtime.status.CurrentJob;
import org.studioworker.runtime.status.JobRecord;
import org.studioworker.runtime.status.SessionState;
import org.studioworker.runtime.status.StatusBoard;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The health and control routes of LOCAL_API.md: what each answers, read from the status board and
 * the live config.
 */
public final class DaemonRoutes {
  private static final Logger log = LoggerFactory.getLogger("local-api");

  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** What a job id in a path may be, as the other {@code /jobs/{id}/…} routes take it. */
  private static final java.util.regex.Pattern JOB_ID =
      java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,128}");

  private final DaemonControl daemon;
  private final Supplier<String> localApiUrl;
  private final LocalJobs localJobs;
  private final JobArtifacts artifacts;

  /**
   * Routes over {@code daemon}.
   *
   * @param localApiUrl where the API listens, once bound
   * @param localJobs the local jobs {@code /daemon/status} lists as {@code localJobs}
   * @param artifacts what tells each job's {@code hasThumbnail}
   */
  public DaemonRoutes(
      DaemonControl daemon,
      Supplier<String> localApiUrl,
      LocalJobs localJobs,
      JobArtifacts artifacts) {
    this.daemon = daemon;
    this.localApiUrl = localApiUrl;
    this.localJobs = localJobs;
    this.artifacts = artifacts;
  }

  /** The route table. */
  public Map<String, Route> table() {
    int cap = LocalApiServer.MAX_BODY_BYTES;
    Map<String, Route> routes = new LinkedHashMap<>();
    routes.put("/healthz", new Route(Access.OPEN, cap, Map.of("GET", r -> health())));
    routes.put("/metrics", new Route(Access.LOOPBACK, cap, Map.of("GET", r -> metrics())));
    routes.put("/daemon/status", token(Map.of("GET", r -> json(200, status()))));
    routes.put("/daemon/logs", token(Map.of("GET", this::logs)));
    routes.put("/daemon/pause", token(Map.of("POST", r -> pause(true))));
    routes.put("/daemon/resume", token(Map.of("POST", r -> pause(false))));
    routes.put(
        "/daemon/config",
        token(
            Map.of(
                "GET",
                r -> json(200, ConfigEdit.toJson(JSON.createObjectNode(), daemon.config().get())),
                "PUT",
                this::putConfig)));
    routes.put("/daemon/registration/reset", token(Map.of("POST", r -> resetRegistration())));
    routes.put("/daemon/shutdown", token(Map.of("POST", r -> shutdown())));
    routes.put("/jobs/{id}", token(Map.of("GET", this::job)));
    return routes;
  }

  /** Errors as LOCAL_API.md gives them: JSON under {@code /daemon/}, text elsewhere. */
  public static Reply error(String path, int status, String code, String message) {
    if (path.equals("/daemon") || path.startsWith("/daemon/")) {
      ObjectNode body = JSON.createObjectNode();
      body.put("error", code);
      body.put("message", message);
      return json(status, body);
    }
    return Reply.text(status, status == 404 ? "not found" : message);
  }

  private static Route token(Map<String, Handler> methods) {
    return new Route(Access.TOKEN, LocalApiServer.MAX_BODY_BYTES, methods);
  }

  private Reply health() {
    ObjectNode out = JSON.createObjectNode();
    out.put("ok", true);
    out.put("version", Version.current());
    out.put("busy", daemon.busy());
    out.put("engine", "multi");
    out.put("modelsRoot", daemon.modelsRoot().toString());
    Long free = freeBytes(daemon.modelsRoot());
    if (free == null) {
      out.putNull("modelsRootFreeBytes");
    } else {
      out.put("modelsRootFreeBytes", free);
    }
    gpuRuntime(out);
    return json(200, out);
  }

  private Reply metrics() {
    return new Reply(200, WorkerMetrics.CONTENT_TYPE, daemon.metrics(), Map.of());
  }

  /** {@code GET /daemon/status}: every key, absent values as null. */
  ObjectNode status() {
    StatusBoard board = daemon.board();
    WorkerConfig config = daemon.config().get();
    ObjectNode out = JSON.createObjectNode();
    out.put("version", Version.current());
    out.put("pid", ProcessHandle.current().pid());
    out.put("configPath", daemon.configPath().toString());
    out.put("paused", board.isPaused());
    out.put("busy", daemon.busy());
    out.put("registered", config.isRegistered());
    out.put("workerId", config.isRegistered() ? config.workerId() : null);
    out.set("registration", registration(board.registration()));
    out.set("config", ConfigEdit.toJson(JSON.createObjectNode(), config));
    out.set("session", session(board.session()));
    StatusBoard.Heartbeat beat = board.heartbeat();
    if (beat == null) {
      out.putNull("heartbeat");
    } else {
      ObjectNode heartbeat = out.putObject("heartbeat");
      heartbeat.put("outcome", beat.error() == null ? "ok" : "err");
      if (beat.error() != null) {
        heartbeat.put("reason", beat.error());
      }
      heartbeat.put("lastAttemptAt", time(beat.lastAttemptAt()));
    }
    gpuRuntime(out);
    out.put("vramTotalGb", daemon.vramTotalGb());
    org.studioworker.gpu.GpuDevice pin = daemon.gpuPin();
    if (pin == null) {
      out.putNull("gpu");
    } else {
      ObjectNode gpu = out.putObject("gpu");
      gpu.put("index", pin.index());
      gpu.put("uuid", pin.uuid());
      gpu.put("name", pin.name());
    }
    ArrayNode gpus = out.putArray("gpus");
    for (org.studioworker.gpu.GpuDevice device : daemon.gpus()) {
      ObjectNode gpu = gpus.addObject();
      gpu.put("index", device.index());
      gpu.put("name", device.name());
      gpu.put("memoryTotalBytes", device.totalBytes());
      gpu.put("memoryFreeBytes", device.freeBytes());
    }
    out.put("onlyWhenIdle", config.onlyWhenIdle());
    out.put("userPresence", daemon.userPresence());
    out.put("localApiUrl", localApiUrl.get());
    CurrentJob current = board.currentJob().orElse(null);
    out.put("currentJobId", current == null ? null : current.jobId());
    ArrayNode active = out.putArray("activeJobs");
    if (current != null) {
      active.add(JobJson.running(current, artifacts.hasThumbnail(current.jobId())));
    }
    ArrayNode recent = out.putArray("recentJobs");
    for (JobRecord record : board.recentJobs()) {
      recent.add(JobJson.finished(record, artifacts.hasThumbnail(record.jobId())));
    }
    ArrayNode local = out.putArray("localJobs");
    for (JobRecord record : localJobs.jobs()) {
      local.add(JobJson.finished(record, artifacts.hasThumbnail(record.jobId())));
    }
    out.put("logsSeq", board.logs().newestSeq());
    return out;
  }

  /**
   * {@code GET /jobs/{id}} (ours): the job as {@code recentJobs} shows it, studio or local, with
   * its full prompt (up to {@link JobArtifacts#MAX_PROMPT_BYTES}) instead of the preview.
   */
  private Reply job(Request request) {
    String id = request.param("id");
    if (id == null || !JOB_ID.matcher(id).matches()) {
      // Not quoted: it is not an id the daemon could have made.
      return unknownJob("not a job id");
    }
    ObjectNode found = findJob(id);
    if (found == null) {
      return unknownJob("no job " + id);
    }
    String prompt = artifacts.prompt(id).orElse(null);
    if (prompt != null) {
      found.put("prompt", prompt);
    }
    return json(200, found);
  }

  private static Reply unknownJob(String message) {
    ObjectNode out = JSON.createObjectNode();
    out.put("error", "unknown_job");
    out.put("message", message);
    return json(404, out);
  }

  /** The job of {@code id}: the one in flight, then the recent studio jobs, then the local ones. */
  private @Nullable ObjectNode findJob(String id) {
    StatusBoard board = daemon.board();
    CurrentJob current = board.currentJob().orElse(null);
    if (current != null && current.jobId().equals(id)) {
      return JobJson.running(current, artifacts.hasThumbnail(id));
    }
    for (List<JobRecord> ring : List.of(board.recentJobs(), localJobs.jobs())) {
      for (JobRecord record : ring) {
        if (record.jobId().equals(id)) {
          return JobJson.finished(record, artifacts.hasThumbnail(id));
        }
      }
    }
    return null;
  }

  private Reply logs(Request request) {
    long after = 0;
    String query = request.query();
    if (query != null) {
      for (String pair : query.split("&")) {
        if (pair.startsWith("after=")) {
          try {
            after = Math.max(0, Long.parseLong(pair.substring("after=".length())));
          } catch (NumberFormatException e) {
            after = 0;
          }
        }
      }
    }
    LogRing ring = daemon.board().logs();
    List<LogRing.Numbered> entries = ring.after(after);
    ObjectNode out = JSON.createObjectNode();
    ArrayNode list = out.putArray("entries");
    for (LogRing.Numbered numbered : entries) {
      LogEntry entry = numbered.entry();
      ObjectNode line = list.addObject();
      line.put("ts", time(entry.ts()));
      line.put("level", entry.level().wireName());
      line.put("category", entry.category());
      line.put("message", entry.message());
      if (entry.jobId() != null) {
        line.put("jobId", entry.jobId());
      }
    }
    out.put("seq", entries.isEmpty() ? ring.newestSeq() : entries.getLast().seq());
    return json(200, out);
  }

  private Reply pause(boolean value) {
    boolean before = daemon.board().paused(value);
    if (before != value) {
      log.info(
          value
              ? "paused through the local API: no new jobs until resumed"
              : "resumed through the local API: taking jobs again");
    }
    ObjectNode out = JSON.createObjectNode();
    out.put("paused", value);
    return json(200, out);
  }

  private Reply putConfig(Request request) {
    ConfigEdit.Values values;
    try {
      values = ConfigEdit.parse(readJson(request.body()));
    } catch (ConfigEdit.Refused e) {
      return error(request.path(), 400, e.code, String.valueOf(e.getMessage()));
    }
    LiveConfig live = daemon.config();
    WorkerConfig before = live.get();
    String[] moved = {null};
    WorkerConfig after;
    try {
      after =
          live.update(
              latest -> {
                WorkerConfig next = values.applyTo(latest);
                String from = origin(latest.apiBaseUrl());
                String to = origin(next.apiBaseUrl());
                if (to != null && !to.equals(from) && next.hasRegistrationState()) {
                  // The token and the registration secret were issued by the old studio; another
                  // host must never receive them.
                  moved[0] = to;
                  return next.withRegistrationCleared();
                }
                return next;
              });
    } catch (ConfigException e) {
      return error(request.path(), 500, "config_not_saved", "config not saved: " + e.getMessage());
    } catch (IllegalArgumentException e) {
      return error(request.path(), 400, "invalid_config", "invalid config: " + e.getMessage());
    }
    List<String> changed = LiveConfig.changes(before, after);
    if (!changed.isEmpty()) {
      log.info("config changed through the local API: {}", String.join(", ", changed));
    }
    if (moved[0] != null) {
      log.warn(
          "the studio changed to {}: the registration was cleared; restart the worker to ask"
              + " that studio to join",
          moved[0]);
    }
    return json(200, ConfigEdit.toJson(JSON.createObjectNode(), after));
  }

  private Reply resetRegistration() {
    if (!daemon.resetRegistration()) {
      return error(
          "/daemon/registration/reset",
          409,
          "not_rejected",
          "registration is not rejected; nothing to reset");
    }
    return ok202();
  }

  private Reply shutdown() {
    daemon.shutdown("POST /daemon/shutdown");
    return ok202();
  }

  private static Reply ok202() {
    ObjectNode out = JSON.createObjectNode();
    out.put("ok", true);
    return json(202, out);
  }

  private static JsonNode readJson(byte[] body) throws ConfigEdit.Refused {
    try {
      return JSON.readTree(body);
    } catch (JacksonException e) {
      throw new ConfigEdit.Refused("bad_request", JobJson.badJson(e));
    }
  }

  private void gpuRuntime(ObjectNode out) {
    DaemonControl.GpuRuntime gpu = daemon.gpuRuntime();
    if (gpu == null) {
      out.putNull("gpuRuntime");
    } else {
      ObjectNode node = out.putObject("gpuRuntime");
      node.put("ok", gpu.ok());
      node.put("detail", gpu.detail());
    }
  }

  private static ObjectNode registration(RegistrationState state) {
    ObjectNode out = JSON.createObjectNode();
    switch (state) {
      case RegistrationState.Pristine p -> out.put("state", "pristine");
      case RegistrationState.Pending p -> {
        out.put("state", "pending");
        out.put("requestId", p.requestId());
        out.put("since", time(p.since()));
      }
      case RegistrationState.Approved a -> out.put("state", "approved");
      case RegistrationState.Rejected r -> {
        out.put("state", "rejected");
        out.put("reason", r.reason());
      }
    }
    return out;
  }

  private static ObjectNode session(SessionState state) {
    ObjectNode out = JSON.createObjectNode();
    out.put("state", state.wireName());
    switch (state) {
      case SessionState.Reconnecting r -> out.put("attempt", r.attempt());
      case SessionState.AuthFailed a -> out.put("reason", a.why());
      case SessionState.Fatal f -> out.put("reason", f.why());
      default -> {}
    }
    return out;
  }

  private static String time(Instant at) {
    return JobJson.time(at);
  }

  private static @Nullable String origin(String baseUrl) {
    try {
      return StudioUrls.origin(StudioUrls.normalise(baseUrl));
    } catch (ConfigException e) {
      return null;
    }
  }

  /** Free bytes where models go: the folder, or the nearest parent that exists. */
  private static @Nullable Long freeBytes(Path root) {
    Path at = root.toAbsolutePath();
    while (at != null && !Files.exists(at)) {
      at = at.getParent();
    }
    if (at == null) {
      return null;
    }
    try {
      return Files.getFileStore(at).getUsableSpace();
    } catch (IOException e) {
      return null;
    }
  }

  private static Reply json(int status, JsonNode body) {
    return Reply.json(status, JSON.writeValueAsBytes(body));
  }
}
