package org.studioworker.runtime.update;

import java.util.Objects;

/** What one periodic update check decided; each is logged once. */
sealed interface UpdateDecision {
  /** Updates are off, or no feed is configured. */
  record Disabled(String why) implements UpdateDecision {
    /** Rejects null. */
    public Disabled {
      Objects.requireNonNull(why, "why");
    }
  }

  /** The job slot is taken ({@code holder}): nothing is fetched or installed this tick. */
  record Busy(String holder) implements UpdateDecision {
    /** Rejects null. */
    public Busy {
      Objects.requireNonNull(holder, "holder");
    }
  }

  /** Nothing newer to install. */
  record UpToDate(SemVer current, String note) implements UpdateDecision {
    /** Rejects nulls. */
    public UpToDate {
      Objects.requireNonNull(current, "current");
      Objects.requireNonNull(note, "note");
    }
  }

  /** The feed could not be read or understood. */
  record CheckError(String why) implements UpdateDecision {
    /** Rejects null. */
    public CheckError {
      Objects.requireNonNull(why, "why");
    }
  }

  /** {@code to} is installed and {@code current} points at it: the worker must restart. */
  record Updated(SemVer from, SemVer to) implements UpdateDecision {
    /** Rejects nulls. */
    public Updated {
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
    }
  }

  /** A newer build was found but refused or could not be installed. */
  record UpdateError(SemVer target, String why) implements UpdateDecision {
    /** Rejects nulls. */
    public UpdateError {
      Objects.requireNonNull(target, "target");
      Objects.requireNonNull(why, "why");
    }
  }
}
