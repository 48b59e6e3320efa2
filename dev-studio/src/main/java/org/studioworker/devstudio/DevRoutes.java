package org.studioworker.devstudio;

import java.util.List;
import org.jspecify.annotations.Nullable;
import org.studioworker.protocol.FrameCodec;
import org.studioworker.protocol.FrameDecodeException;
import org.studioworker.spi.Claim;
import org.studioworker.spi.ModelSource;
import org.studioworker.spi.Task;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The routes for people and tests under {@code /dev}: submit and inspect jobs, list workers, read
 * their shipped logs and recorded frames, pause offers.
 *
 * <p>Thread-safe.
 */
final class DevRoutes {
  private final FrameCodec codec;
  private final DevJson json;
  private final SessionHub hub;

  DevRoutes(FrameCodec codec, DevJson json, SessionHub hub) {
    this.codec = codec;
    this.json = json;
    this.hub = hub;
  }

  List<Router.Route> routes() {
    return List.of(
        Router.Route.of("GET", "/", this::index),
        Router.Route.of("POST", "/dev/jobs", this::submit),
        Router.Route.of("GET", "/dev/jobs", ex -> ex.json(200, json.jobs(hub.jobs()))),
        Router.Route.of("GET", "/dev/jobs/([^/]+)", this::job),
        Router.Route.of("GET", "/dev/jobs/([^/]+)/result", this::result),
        Router.Route.of(
            "GET", "/dev/workers", ex -> ex.json(200, json.workers(hub.connectedWorkers()))),
        Router.Route.of(
            "GET",
            "/dev/workers/([^/]+)/logs",
            ex -> ex.json(200, json.logs(hub.logs(ex.param(1))))),
        Router.Route.of(
            "GET",
            "/dev/workers/([^/]+)/frames",
            ex -> ex.json(200, json.frames(hub.frames(ex.param(1))))),
        Router.Route.of("POST", "/dev/offers/pause", ex -> offers(ex, true)),
        Router.Route.of("POST", "/dev/offers/resume", ex -> offers(ex, false)));
  }

  private void index(Exchange ex) {
    ex.text(
        200,
        """
        dev-studio: the reference studio of studio-worker (protocol studio-worker-v1)

        workers:   POST /graphics/api/workers/register-request
                   GET  /graphics/api/workers/register-requests/{requestId}
                   GET  /graphics/api/workers/{workerId}/connect   (WebSocket)
                   POST /graphics/api/workers/{workerId}/jobs/{jobId}/complete
        operator:  GET  /graphics/api/workers/pending
                   POST /graphics/api/workers/pending/{requestId}/approve | /reject
        dev:       POST /dev/jobs   GET /dev/jobs   GET /dev/jobs/{jobId}   GET /dev/jobs/{jobId}/result
                   GET  /dev/workers   GET /dev/workers/{workerId}/logs | /frames
                   POST /dev/offers/pause | /dev/offers/resume
        """);
  }

  private void submit(Exchange ex) {
    JsonNode body;
    try {
      body = json.parse(ex.bodyText());
    } catch (JacksonException e) {
      throw new HttpProblem(400, "the body is not JSON");
    }
    if (!body.isObject()) {
      throw new HttpProblem(400, "the body must be a JSON object");
    }
    String model = requiredText(body, "model");
    JsonNode vram = body.get("vramGbEstimate");
    if (vram == null || !vram.isNumber()) {
      throw new HttpProblem(400, "vramGbEstimate is required and must be a number");
    }
    double estimate = vram.doubleValue();
    if (!Double.isFinite(estimate) || estimate < 0) {
      throw new HttpProblem(400, "vramGbEstimate must be a finite number, 0 or more");
    }
    Task task;
    ModelSource source;
    try {
      task = codec.decodeTask(requiredObject(body, "task"));
      source = codec.decodeModelSource(requiredObject(body, "modelSource"));
    } catch (FrameDecodeException e) {
      throw new HttpProblem(400, e.getMessage());
    }
    String gameId = optionalText(body, "gameId");
    String assetName = optionalText(body, "assetName");
    String jobId;
    try {
      jobId =
          hub.submit(
              new Claim(
                  "new",
                  gameId == null ? "" : gameId,
                  assetName == null ? "" : assetName,
                  model,
                  estimate,
                  task,
                  source));
    } catch (IllegalStateException e) {
      throw new HttpProblem(503, e.getMessage());
    }
    ex.json(200, json.write(json.object().put("jobId", jobId)));
  }

  private static String requiredText(JsonNode body, String name) {
    String value = optionalText(body, name);
    if (value == null) {
      throw new HttpProblem(400, name + " is required and must be a string");
    }
    return value;
  }

  private static @Nullable String optionalText(JsonNode body, String name) {
    JsonNode value = body.get(name);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isString()) {
      throw new HttpProblem(400, name + " must be a string");
    }
    return value.stringValue();
  }

  private String requiredObject(JsonNode body, String name) {
    JsonNode value = body.get(name);
    if (value == null || !value.isObject()) {
      throw new HttpProblem(400, name + " is required and must be an object");
    }
    return json.write(value);
  }

  private void job(Exchange ex) {
    JobSnapshot job = hub.job(ex.param(1)).orElseThrow(() -> new HttpProblem(404, "no such job"));
    ex.json(200, json.write(json.job(job)));
  }

  private void result(Exchange ex) {
    StoredResult result =
        hub.result(ex.param(1)).orElseThrow(() -> new HttpProblem(404, "no stored result"));
    ex.bytes(200, result.contentType(), result.bytes());
  }

  private void offers(Exchange ex, boolean paused) {
    hub.pauseOffers(paused);
    ex.json(200, json.write(json.object().put("offersPaused", paused)));
  }
}
