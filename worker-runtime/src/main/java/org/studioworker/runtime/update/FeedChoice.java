package org.studioworker.runtime.update;

import java.util.Objects;

/** What the feed offers this worker: nothing newer, or one build to install. */
sealed interface FeedChoice {
  /**
   * Nothing to install.
   *
   * @param note why, for the log ({@code no newer release}, {@code 0.6.0 has no Java build})
   */
  record UpToDate(SemVer current, String note) implements FeedChoice {
    /** Rejects nulls. */
    public UpToDate {
      Objects.requireNonNull(current, "current");
      Objects.requireNonNull(note, "note");
    }
  }

  /** A newer release that carries our build. */
  record Available(SemVer current, SemVer target, Release.Asset asset) implements FeedChoice {
    /** Rejects nulls. */
    public Available {
      Objects.requireNonNull(current, "current");
      Objects.requireNonNull(target, "target");
      Objects.requireNonNull(asset, "asset");
    }
  }
}
