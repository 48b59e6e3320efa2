package org.studioworker.ui;

import java.util.List;
import org.studioworker.runtime.localapi.DaemonClient.LogLine;
import tools.jackson.databind.JsonNode;

/**
 * What one poll of the daemon gave: its status and the log entries since the last poll, or why not.
 */
sealed interface Poll {
  /**
   * The daemon answered.
   *
   * @param restarted the daemon's log ring starts over (a new daemon): the copy is replaced
   */
  record Answered(JsonNode status, List<LogLine> lines, boolean restarted) implements Poll {
    /** Copies the list. */
    public Answered {
      lines = List.copyOf(lines);
    }
  }

  /** The daemon did not answer; {@code message} is one line, never a token. */
  record Unreachable(String message) implements Poll {}
}
