package org.studioworker.runtime.update;

/** Parsing shorthand for the update tests. */
final class SemverTestSupport {
  private SemverTestSupport() {}

  static SemVer v(String text) {
    return SemVer.parse(text).orElseThrow(() -> new IllegalArgumentException(text));
  }
}
