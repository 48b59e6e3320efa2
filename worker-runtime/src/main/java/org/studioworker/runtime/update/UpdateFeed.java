package org.studioworker.runtime.update;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The update feed (PROTOCOL.md §7): parses a GitHub-releases-shaped document and picks the release
 * to install.
 *
 * <p>Stateless and thread-safe.
 */
final class UpdateFeed {
  private static final Logger log = LoggerFactory.getLogger("update");
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private UpdateFeed() {}

  /**
   * Parses a feed: an array of releases, or one release object. An array entry without a {@code
   * tag_name} is skipped; an asset without a usable name or URL is dropped. An empty array is a
   * feed without releases.
   *
   * @throws UpdateException when the document is not a feed: not JSON (an HTML page, say), an
   *     object without a {@code tag_name} (an API error, some other document), or a non-empty array
   *     none of whose entries is a release
   */
  static List<Release> parse(String json) throws UpdateException {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JacksonException e) {
      if (json.stripLeading().startsWith("<")) {
        throw new UpdateException("the update feed is not JSON: it looks like an HTML or XML page");
      }
      // The location only: a feed body is not ours to echo into a log line.
      throw new UpdateException("the update feed is not JSON (" + e.getOriginalMessage() + ")");
    }
    List<JsonNode> nodes = new ArrayList<>();
    if (root != null && root.isArray()) {
      root.forEach(nodes::add);
    } else if (root != null && root.isObject()) {
      if (release(root).isEmpty()) {
        throw new UpdateException(
            "the update feed is not a release: a JSON object without a tag_name");
      }
      nodes.add(root);
    } else {
      throw new UpdateException("the update feed is neither a release nor an array of releases");
    }
    List<Release> releases = new ArrayList<>();
    for (JsonNode node : nodes) {
      Optional<Release> release = release(node);
      if (release.isEmpty()) {
        log.warn("update feed: skipping an entry without a tag_name");
        continue;
      }
      releases.add(release.get());
    }
    if (releases.isEmpty() && !nodes.isEmpty()) {
      throw new UpdateException(
          "the update feed is not a list of releases: none of its "
              + nodes.size()
              + " entries has a tag_name");
    }
    return releases;
  }

  /** One release, or empty when {@code node} is not an object with a string {@code tag_name}. */
  private static Optional<Release> release(JsonNode node) {
    JsonNode tag = node.get("tag_name");
    if (!node.isObject() || tag == null || !tag.isString()) {
      return Optional.empty();
    }
    List<Release.Asset> assets = new ArrayList<>();
    JsonNode list = node.get("assets");
    if (list != null && list.isArray()) {
      for (JsonNode asset : list) {
        asset(asset).ifPresent(assets::add);
      }
    }
    return Optional.of(
        new Release(tag.stringValue(), flag(node, "prerelease"), flag(node, "draft"), assets));
  }

  /**
   * Picks the newest release above {@code current} that this worker may install: drafts skipped,
   * prereleases only when {@code prereleases}, versions in {@code refused} (builds that were rolled
   * back here) skipped, and only a release that carries our own build.
   */
  static FeedChoice choose(
      List<Release> releases, SemVer current, boolean prereleases, Set<SemVer> refused) {
    record Candidate(SemVer version, Release release) {}
    List<Candidate> newer = new ArrayList<>();
    for (Release release : releases) {
      if (release.draft()) {
        continue;
      }
      Optional<SemVer> parsed = SemVer.fromTag(release.tag());
      if (parsed.isEmpty()) {
        log.warn("update feed: tag {} is not a version; skipped", printable(release.tag()));
        continue;
      }
      SemVer version = parsed.get();
      if ((release.prerelease() || version.isPreRelease()) && !prereleases) {
        continue;
      }
      if (version.compareTo(current) > 0) {
        newer.add(new Candidate(version, release));
      }
    }
    newer.sort(Comparator.comparing(Candidate::version).reversed());
    List<String> notes = new ArrayList<>();
    for (Candidate candidate : newer) {
      if (refused.contains(candidate.version())) {
        notes.add(candidate.version() + " was rolled back here");
        continue;
      }
      Optional<Release.Asset> asset = candidate.release().buildFor(candidate.version());
      if (asset.isEmpty()) {
        notes.add("no Java build in release " + candidate.version());
        continue;
      }
      return new FeedChoice.Available(current, candidate.version(), asset.get());
    }
    return new FeedChoice.UpToDate(
        current, notes.isEmpty() ? "no newer release" : String.join("; ", notes));
  }

  private static Optional<Release.Asset> asset(JsonNode node) {
    JsonNode name = node.get("name");
    JsonNode url = node.get("browser_download_url");
    if (name == null || !name.isString() || url == null || !url.isString()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Release.Asset(name.stringValue(), new URI(url.stringValue())));
    } catch (URISyntaxException e) {
      return Optional.empty();
    }
  }

  private static boolean flag(JsonNode node, String key) {
    JsonNode value = node.get(key);
    return value != null && value.isBoolean() && value.booleanValue();
  }

  /** A tag for a log line: at most 80 printable ASCII characters. */
  static String printable(String text) {
    String cleaned = text.replaceAll("[^\\x20-\\x7e]", "?");
    return cleaned.length() > 80 ? cleaned.substring(0, 80) + "…" : cleaned;
  }
}
