package org.studioworker.devstudio;

import java.util.List;
import java.util.NoSuchElementException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The operator's routes: list pending registration requests, approve or reject one.
 *
 * <p>They take no credentials: the studio binds loopback by default, and these routes are for the
 * person (or test) running it. Thread-safe.
 */
final class OperatorRoutes {
  private final DevJson json;
  private final Registrations registrations;

  OperatorRoutes(DevJson json, Registrations registrations) {
    this.json = json;
    this.registrations = registrations;
  }

  List<Router.Route> routes() {
    String prefix = WorkerRoutes.PREFIX + "/pending";
    return List.of(
        Router.Route.of("GET", prefix, ex -> ex.json(200, json.pending(registrations.pending()))),
        Router.Route.of("POST", prefix + "/([^/]+)/approve", this::approve),
        Router.Route.of("POST", prefix + "/([^/]+)/reject", this::reject));
  }

  private void approve(Exchange ex) {
    String requestId = ex.param(1);
    WorkerCredentials credentials = decide(() -> registrations.approve(requestId));
    // The token goes to the worker through its poll only, never to the operator.
    ex.json(
        200,
        json.write(
            json.object()
                .put("requestId", requestId)
                .put("status", "approved")
                .put("workerId", credentials.workerId())));
  }

  private void reject(Exchange ex) {
    String requestId = ex.param(1);
    String reason = reason(ex.bodyText());
    decide(
        () -> {
          registrations.reject(requestId, reason);
          return requestId;
        });
    ex.json(
        200,
        json.write(
            json.object()
                .put("requestId", requestId)
                .put("status", "rejected")
                .put("reason", reason)));
  }

  private String reason(String body) {
    if (body.isBlank()) {
      return "";
    }
    JsonNode node;
    try {
      node = json.parse(body);
    } catch (JacksonException e) {
      throw new HttpProblem(400, "the body must be JSON like {\"reason\": \"...\"}");
    }
    JsonNode reason = node.isObject() ? node.get("reason") : null;
    if (reason == null || reason.isNull()) {
      return "";
    }
    if (!reason.isString()) {
      throw new HttpProblem(400, "reason must be a string");
    }
    return reason.stringValue();
  }

  private interface Decision<T> {
    T run();
  }

  private static <T> T decide(Decision<T> decision) {
    try {
      return decision.run();
    } catch (NoSuchElementException e) {
      throw new HttpProblem(404, e.getMessage());
    } catch (IllegalStateException e) {
      throw new HttpProblem(409, e.getMessage());
    }
  }
}
