package org.studioworker.runtime.cli;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.studioworker.runtime.localapi.DaemonClient;
import org.studioworker.runtime.localapi.DaemonClient.Problem;
import org.studioworker.runtime.localapi.DaemonClient.Reply;
import org.studioworker.runtime.status.SessionState;
import tools.jackson.databind.JsonNode;

/**
 * The live part of {@code status}: what the running daemon says of itself ({@code GET
 * /daemon/status}), or one line saying why there is none.
 *
 * <p>Reads the answer leniently: a key the daemon leaves out prints as {@code ?}, a key it adds is
 * ignored, so that this command and a daemon of another version still show each other what they
 * share. No prompt is printed.
 */
final class LiveStatus {
  /** Why 5? What an operator checks at a glance; the daemon keeps 50. */
  static final int RECENT_JOBS = 5;

  private LiveStatus() {}

  /** Prints the daemon's lines, each value at column 17 like the config lines after them. */
  static void print(PrintWriter out, Reply<JsonNode> reply) {
    switch (reply) {
      case Reply.Answer<JsonNode>(URI url, JsonNode status) -> printLive(out, url, status);
      case Reply.Failure<JsonNode>(Problem problem) ->
          out.println("daemon:          " + absent(problem) + " (config-only view below)");
    }
  }

  private static String absent(Problem problem) {
    return switch (problem) {
      case Problem.NoDiscovery _ -> "not running";
      case Problem.NotListening(URI url, Path file) ->
          "not running: nothing listens at " + url + "; " + file + " is stale";
      case Problem.BadDiscovery _,
          Problem.NoAnswer _,
          Problem.TokenRefused _,
          Problem.ErrorAnswer _,
          Problem.BadAnswer _ ->
          "no live view: " + problem.message();
    };
  }

  private static void printLive(PrintWriter out, URI url, JsonNode status) {
    out.println(
        "daemon:          running (pid "
            + text(status.path("pid"))
            + ", version "
            + text(status.path("version"))
            + "), local API "
            + url);
    out.println("  session:       " + session(status.path("session")));
    out.println(
        "  paused:        "
            + (status.path("paused").isBoolean() && status.path("paused").asBoolean()
                ? "yes: no new jobs until `studio-worker resume` (not saved)"
                : "no"));
    out.println("  registration:  " + registration(status));
    out.println("  gpu pin:       " + gpuPin(status.path("gpu")));
    List<String> current = currentJobs(status);
    out.println("  current job:   " + (current.isEmpty() ? "none" : current.getFirst()));
    current.stream().skip(1).forEach(job -> out.println("                 " + job));
    out.println("  heartbeat:     " + heartbeat(status.path("heartbeat")));
    JsonNode recent = status.path("recentJobs");
    if (!recent.isArray() || recent.isEmpty()) {
      out.println("  recent jobs:   none");
    } else {
      int shown = Math.min(RECENT_JOBS, recent.size());
      out.println("  recent jobs:   " + shown + " of " + recent.size() + ", newest first");
      for (int i = 0; i < shown; i++) {
        out.println("    " + finished(recent.get(i)));
      }
    }
  }

  /** {@code GPU 1 Small (GPU-…)}, {@code none: every GPU}, or {@code ?} from an older daemon. */
  private static String gpuPin(JsonNode gpu) {
    if (gpu.isMissingNode()) {
      return "?";
    }
    if (gpu.isNull()) {
      return "none: every GPU";
    }
    return "GPU "
        + text(gpu.path("index"))
        + " "
        + text(gpu.path("name"))
        + (gpu.path("uuid").isString() ? " (" + gpu.path("uuid").asString() + ")" : "");
  }

  /** The summary the original's UI shows for a session state. */
  static String session(JsonNode session) {
    return SessionState.summary(
        string(session.path("state"), "?"),
        text(session.path("attempt")),
        text(session.path("reason")));
  }

  private static String registration(JsonNode status) {
    JsonNode registration = status.path("registration");
    String state = string(registration.path("state"), "?");
    return switch (state) {
      case "pristine" -> "not registered: the daemon asks the studio to join";
      case "pending" ->
          "pending (request "
              + text(registration.path("requestId"))
              + ", since "
              + DaemonClient.time(registration.path("since"))
              + "): waiting for an operator";
      case "approved" ->
          status.path("workerId").isString()
              ? "approved as " + status.path("workerId").asString()
              : "approved";
      case "rejected" -> "rejected: " + text(registration.path("reason"));
      default -> state;
    };
  }

  /** The jobs in flight, the one {@code currentJobId} names first. */
  private static List<String> currentJobs(JsonNode status) {
    String currentId = string(status.path("currentJobId"), "");
    List<String> lines = new ArrayList<>();
    boolean named = false;
    for (JsonNode job : status.path("activeJobs")) {
      String line = job(job) + ", since " + DaemonClient.time(job.path("startedAt")) + source(job);
      if (!named && string(job.path("jobId"), "").equals(currentId)) {
        lines.addFirst(line);
        named = true;
      } else {
        lines.add(line);
      }
    }
    if (!named && !currentId.isEmpty()) {
      lines.addFirst(currentId);
    }
    return lines;
  }

  private static String heartbeat(JsonNode heartbeat) {
    String at = DaemonClient.time(heartbeat.path("lastAttemptAt"));
    return switch (string(heartbeat.path("outcome"), "")) {
      case "ok" -> "ok at " + at;
      case "err" -> "failed at " + at + ": " + text(heartbeat.path("reason"));
      default -> "none yet";
    };
  }

  private static String finished(JsonNode job) {
    String outcome = text(job.path("status"));
    JsonNode finishedAt = job.path("finishedAt");
    String when =
        finishedAt.isMissingNode() || finishedAt.isNull()
            ? " (started " + DaemonClient.time(job.path("startedAt")) + ")"
            : " at " + DaemonClient.time(finishedAt);
    JsonNode reason = job.path("reason");
    return job(job)
        + ", "
        + outcome
        + when
        + source(job)
        + (reason.isString() && !reason.asString().isEmpty() ? ": " + reason.asString() : "");
  }

  /** {@code <jobId> <kind> <model>}. */
  private static String job(JsonNode job) {
    return text(job.path("jobId")) + " " + text(job.path("kind")) + " " + text(job.path("model"));
  }

  /** Empty for a studio job, the default; {@code (local)} for one of the local API's. */
  private static String source(JsonNode job) {
    return string(job.path("source"), "").equals("local") ? " (local)" : "";
  }

  /** A string's value, else {@code otherwise}. */
  private static String string(JsonNode node, String otherwise) {
    return node.isString() ? node.asString() : otherwise;
  }

  /** A scalar as text; {@code ?} when absent or not a scalar. */
  private static String text(JsonNode node) {
    return node.isValueNode() && !node.isNull() ? node.asString() : "?";
  }
}
