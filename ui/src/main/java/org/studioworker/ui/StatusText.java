package org.studioworker.ui;

import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.studioworker.ui.tray.Tray;
import tools.jackson.databind.JsonNode;

/** The words and the light the UI shows for a {@code /daemon/status} answer (LOCAL_API.md). */
final class StatusText {
  private StatusText() {}

  /** Idle, Running &lt;job&gt;, or Paused. */
  static String activity(JsonNode status) {
    JsonNode active = status.path("activeJobs");
    if (active.isArray() && !active.isEmpty()) {
      JsonNode job = active.get(0);
      return "Running "
          + job.path("kind").asString("job")
          + " "
          + shortId(job.path("jobId").asString(""));
    }
    return status.path("paused").asBoolean(false) ? "Paused" : "Idle";
  }

  /** The session summary of LOCAL_API.md. */
  static String studio(JsonNode status) {
    JsonNode session = status.path("session");
    String reason = session.path("reason").asString("");
    return switch (session.path("state").asString("")) {
      case "waiting_for_approval" -> "waiting for studio operator approval";
      case "connecting" -> "connecting to the studio…";
      case "connected" -> "connected — ready for jobs";
      case "reconnecting" -> "reconnecting (attempt " + session.path("attempt").asLong(1) + ")…";
      case "auth_failed" ->
          "authentication failed: "
              + reason
              + ". Re-register with `studio-worker register --reset`.";
      case "fatal" -> "session ended: " + reason;
      case "stopped" -> "stopped";
      default -> "unknown (" + session.path("state").asString("none") + ")";
    };
  }

  /** The GPUs' memory: live free/total when the daemon lists {@code gpus}, else the total. */
  static String gpuMemory(JsonNode status) {
    JsonNode gpus = status.path("gpus");
    if (gpus.isArray() && !gpus.isEmpty()) {
      long total = 0;
      long free = 0;
      for (JsonNode gpu : gpus) {
        total += gpu.path("memoryTotalBytes").asLong(0);
        free += gpu.path("memoryFreeBytes").asLong(0);
      }
      return gib(total - free) + " / " + gib(total) + " GB used";
    }
    JsonNode vram = status.path("vramTotalGb");
    return vram.isNumber() ? String.format(Locale.ROOT, "%.1f GB VRAM", vram.asDouble()) : "no GPU";
  }

  /** Red for trouble, amber while a job runs, green otherwise (also waiting and reconnecting). */
  static Tray.State tray(@Nullable JsonNode status, @Nullable String problem) {
    if (status == null) {
      return new Tray.State(
          Tray.Light.RED,
          "studio-worker: daemon not reachable" + (problem == null ? "" : " — " + problem),
          false);
    }
    boolean paused = status.path("paused").asBoolean(false);
    String session = status.path("session").path("state").asString("");
    boolean rejected = status.path("registration").path("state").asString("").equals("rejected");
    String tooltip = "studio-worker: " + activity(status) + " — " + studio(status);
    if (rejected) {
      return new Tray.State(
          Tray.Light.RED, "studio-worker: registration rejected — " + studio(status), paused);
    }
    if (session.equals("auth_failed") || session.equals("fatal")) {
      return new Tray.State(Tray.Light.RED, tooltip, paused);
    }
    JsonNode active = status.path("activeJobs");
    if (active.isArray() && !active.isEmpty()) {
      return new Tray.State(Tray.Light.AMBER, tooltip, paused);
    }
    return new Tray.State(Tray.Light.GREEN, tooltip, paused);
  }

  /** Bytes as GB with one decimal. */
  static String gib(long bytes) {
    return String.format(Locale.ROOT, "%.1f", bytes / (1024.0 * 1024 * 1024));
  }

  /** The first 8 characters of a job id, enough to tell jobs apart on screen. */
  static String shortId(String id) {
    return id.length() <= 8 ? id : id.substring(0, 8);
  }
}
