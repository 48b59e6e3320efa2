package org.studioworker.runtime.localapi;

import java.time.Instant;
import org.studioworker.protocol.FrameCodec;
import org.studioworker.runtime.status.CurrentJob;
import org.studioworker.runtime.status.JobRecord;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The JSON both route tables share: a job object as {@code /daemon/status} and {@code GET /jobs}
 * show it ({@code {jobId, kind, model, prompt, source, status, reason?, startedAt, finishedAt?,
 * hasThumbnail}}), and the reason of a body that is not JSON.
 */
final class JobJson {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private JobJson() {}

  /** The job in flight. */
  static ObjectNode running(CurrentJob job, boolean hasThumbnail) {
    ObjectNode out = NODES.objectNode();
    out.put("jobId", job.jobId());
    out.put("kind", job.kind().wireName());
    out.put("model", job.model());
    out.put("prompt", job.promptPreview());
    // Local jobs carry the local prefix in their id (the running job has no other record of it).
    out.put(
        "source",
        job.jobId().startsWith(org.studioworker.runtime.logs.ShipAppender.LOCAL_JOB_PREFIX)
            ? "local"
            : "studio");
    out.put("status", "running");
    out.put("startedAt", time(job.startedAt()));
    out.put("hasThumbnail", hasThumbnail);
    return out;
  }

  /** A finished job: {@code reason} only when it failed. */
  static ObjectNode finished(JobRecord job, boolean hasThumbnail) {
    ObjectNode out = NODES.objectNode();
    out.put("jobId", job.jobId());
    out.put("kind", job.kind().wireName());
    out.put("model", job.model());
    out.put("prompt", job.promptPreview());
    out.put("source", job.source());
    boolean completed = job.outcome().equals("completed");
    out.put("status", completed ? "completed" : "failed");
    if (!completed) {
      String detail = job.detail();
      out.put(
          "reason",
          job.outcome().equals("failed") && !detail.isEmpty()
              ? detail
              : detail.isEmpty() ? job.outcome() : job.outcome() + ": " + detail);
    }
    out.put("startedAt", time(job.startedAt()));
    out.put("finishedAt", time(job.finishedAt()));
    out.put("hasThumbnail", hasThumbnail);
    return out;
  }

  static String time(Instant at) {
    return FrameCodec.timestamp(at);
  }

  /**
   * {@code bad json: the body is not valid JSON (line L, column C)}: never the parser's own
   * message, which quotes the body.
   */
  static String badJson(JacksonException e) {
    TokenStreamLocation at = e.getLocation();
    String where =
        at == null || at.getLineNr() <= 0
            ? ""
            : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
    return "bad json: the body is not valid JSON" + where;
  }
}
