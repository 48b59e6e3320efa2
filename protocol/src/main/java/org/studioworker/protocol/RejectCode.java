package org.studioworker.protocol;

import java.util.Optional;

/** Why a worker turned an offer down, when the reason is one the studio treats specially. */
public enum RejectCode {
  /** The single job slot is taken. */
  BUSY("busy"),
  /** The operator paused claiming, or the worker is stopping. */
  PAUSED("paused");

  private final String wireName;

  RejectCode(String wireName) {
    this.wireName = wireName;
  }

  /** The wire name. */
  public String wireName() {
    return wireName;
  }

  /** The code with this wire name, or empty. */
  public static Optional<RejectCode> fromWire(String name) {
    for (RejectCode code : values()) {
      if (code.wireName.equals(name)) {
        return Optional.of(code);
      }
    }
    return Optional.empty();
  }
}
