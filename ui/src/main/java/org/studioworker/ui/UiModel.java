package org.studioworker.ui;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.studioworker.runtime.localapi.DaemonClient.LogLine;
import tools.jackson.databind.JsonNode;

/**
 * The UI's copy of what the daemon said last: its status and the newest log entries, or why it did
 * not answer. EDT only. When the daemon does not answer the copy is cleared, so that no page shows
 * stale data.
 */
final class UiModel {
  /** The daemon's log ring holds 1000 entries; the copy holds no more. */
  static final int MAX_LOG_LINES = 1000;

  /** The last status, or null while the daemon does not answer. */
  private @Nullable JsonNode status;

  /** Why the daemon did not answer at the last poll, or null when it did (or none has run). */
  private @Nullable String problem;

  /** At most {@link #MAX_LOG_LINES}, oldest first. */
  private final ArrayDeque<LogLine> logs = new ArrayDeque<>();

  private final List<Runnable> listeners = new ArrayList<>();

  /** How many polls were applied. */
  private long polls;

  /** Calls {@code listener} after each change. */
  void onChange(Runnable listener) {
    listeners.add(listener);
  }

  /** Takes in one poll and tells the listeners. */
  void apply(Poll poll) {
    switch (poll) {
      case Poll.Answered(JsonNode board, List<LogLine> lines, boolean restarted) -> {
        status = board;
        problem = null;
        if (restarted) {
          logs.clear();
        }
        for (LogLine line : lines) {
          logs.addLast(line);
          if (logs.size() > MAX_LOG_LINES) {
            logs.removeFirst();
          }
        }
      }
      case Poll.Unreachable(String message) -> {
        status = null;
        problem = message;
        logs.clear();
      }
    }
    polls++;
    listeners.forEach(Runnable::run);
  }

  /** How many polls were applied since the start. */
  long polls() {
    return polls;
  }

  /** The last status, or null while the daemon does not answer. */
  @Nullable JsonNode status() {
    return status;
  }

  /** Why the daemon did not answer, or null. */
  @Nullable String problem() {
    return problem;
  }

  /** A copy of the log entries, oldest first. */
  List<LogLine> logs() {
    return List.copyOf(logs);
  }
}
