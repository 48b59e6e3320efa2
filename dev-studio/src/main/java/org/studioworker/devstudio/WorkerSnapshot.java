package org.studioworker.devstudio;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.studioworker.protocol.Capabilities;

/**
 * A copy of one connected worker socket, as it stood when it was taken.
 *
 * @param connection the number of this socket among all sockets the studio accepted, from 1
 * @param welcomed whether the studio has sent {@code welcome} on this socket
 * @param capabilities the last capabilities the worker sent ({@code hello} or {@code heartbeat})
 * @param lastHeartbeatAt when the last {@code heartbeat} arrived, if one did
 * @param heldJobId the job offered to or run by the worker, when there is one
 * @param silent whether the studio was told to go silent on this socket
 */
public record WorkerSnapshot(
    String workerId,
    int connection,
    Instant connectedAt,
    boolean welcomed,
    @Nullable Capabilities capabilities,
    @Nullable Instant lastHeartbeatAt,
    @Nullable String heldJobId,
    boolean silent) {
  /** Rejects nulls where a value is required. */
  public WorkerSnapshot {
    Objects.requireNonNull(workerId, "workerId");
    Objects.requireNonNull(connectedAt, "connectedAt");
  }
}
