package org.studioworker.runtime.presence;

import java.time.Duration;

/** Whether the person at this computer is using it, as capabilities and the status carry it. */
public enum Presence {
  /** Input within the last {@link #ACTIVE_WITHIN}. */
  ACTIVE("active"),
  /** No input for {@link #ACTIVE_WITHIN} or longer. */
  IDLE("idle");

  /**
   * Why 2 minutes? Long enough to read a page without touching the mouse, short enough to notice a
   * person who left.
   */
  public static final Duration ACTIVE_WITHIN = Duration.ofMinutes(2);

  private final String wireName;

  Presence(String wireName) {
    this.wireName = wireName;
  }

  /** The name in JSON: {@code "active"} or {@code "idle"}. */
  public String wireName() {
    return wireName;
  }

  /** The presence an idle time means. */
  public static Presence of(Duration idle) {
    return idle.compareTo(ACTIVE_WITHIN) < 0 ? ACTIVE : IDLE;
  }
}
