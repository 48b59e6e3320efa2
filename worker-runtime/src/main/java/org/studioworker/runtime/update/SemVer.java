package org.studioworker.runtime.update;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A semantic version (semver.org 2.0): {@code MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]}, ordered by
 * semver precedence (build metadata ignored).
 *
 * @param preRelease the dot-separated pre-release identifiers; empty for a release
 */
record SemVer(long major, long minor, long patch, List<String> preRelease)
    implements Comparable<SemVer> {

  private static final Pattern SEMVER =
      Pattern.compile(
          "(0|[1-9]\\d{0,17})\\.(0|[1-9]\\d{0,17})\\.(0|[1-9]\\d{0,17})"
              + "(?:-([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?"
              + "(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?");

  /** Copies the identifiers. */
  SemVer {
    preRelease = List.copyOf(preRelease);
  }

  /** Parses strict semver text, or empty. */
  static Optional<SemVer> parse(String text) {
    Matcher m = SEMVER.matcher(text);
    if (!m.matches()) {
      return Optional.empty();
    }
    String pre = m.group(4);
    List<String> ids = pre == null ? List.of() : List.of(pre.split("\\."));
    for (String id : ids) {
      // semver 2.0: numeric identifiers have no leading zeros.
      if (id.length() > 1 && id.startsWith("0") && id.chars().allMatch(Character::isDigit)) {
        return Optional.empty();
      }
    }
    return Optional.of(
        new SemVer(
            Long.parseLong(m.group(1)),
            Long.parseLong(m.group(2)),
            Long.parseLong(m.group(3)),
            ids));
  }

  /**
   * The version a release tag names, trying in order (PROTOCOL.md §7): the tag, the tag without a
   * leading {@code v}, the text after the last {@code -v} ({@code studio-worker-v0.4.2}).
   */
  static Optional<SemVer> fromTag(String tag) {
    List<String> tries = new ArrayList<>();
    tries.add(tag);
    if (tag.startsWith("v")) {
      tries.add(tag.substring(1));
    }
    int dashV = tag.lastIndexOf("-v");
    if (dashV >= 0) {
      tries.add(tag.substring(dashV + 2));
    }
    for (String candidate : tries) {
      Optional<SemVer> parsed = parse(candidate);
      if (parsed.isPresent()) {
        return parsed;
      }
    }
    return Optional.empty();
  }

  /** Whether this is a pre-release ({@code 1.0.0-rc.1}). */
  boolean isPreRelease() {
    return !preRelease.isEmpty();
  }

  @Override
  public int compareTo(SemVer other) {
    int c = Long.compare(major, other.major);
    if (c == 0) {
      c = Long.compare(minor, other.minor);
    }
    if (c == 0) {
      c = Long.compare(patch, other.patch);
    }
    if (c != 0) {
      return c;
    }
    // A release ranks above any of its pre-releases.
    if (preRelease.isEmpty() || other.preRelease.isEmpty()) {
      return Boolean.compare(preRelease.isEmpty(), other.preRelease.isEmpty());
    }
    for (int i = 0; i < Math.min(preRelease.size(), other.preRelease.size()); i++) {
      c = compareIdentifier(preRelease.get(i), other.preRelease.get(i));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(preRelease.size(), other.preRelease.size());
  }

  private static int compareIdentifier(String a, String b) {
    boolean numA = a.chars().allMatch(Character::isDigit);
    boolean numB = b.chars().allMatch(Character::isDigit);
    if (numA && numB) {
      // Compare by length first: identifiers may be longer than a long.
      int byLength = Integer.compare(a.length(), b.length());
      return byLength != 0 ? byLength : a.compareTo(b);
    }
    if (numA != numB) {
      return numA ? -1 : 1;
    }
    return a.compareTo(b);
  }

  @Override
  public String toString() {
    String core = major + "." + minor + "." + patch;
    return preRelease.isEmpty() ? core : core + "-" + String.join(".", preRelease);
  }
}
