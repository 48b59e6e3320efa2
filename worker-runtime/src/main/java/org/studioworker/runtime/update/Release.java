package org.studioworker.runtime.update;

import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One release of the update feed, as the feed states it (PROTOCOL.md §7).
 *
 * @param tag the release's {@code tag_name}
 * @param assets its downloadable files
 */
record Release(String tag, boolean prerelease, boolean draft, List<Asset> assets) {

  /** One downloadable file of a release. */
  record Asset(String name, URI url) {
    /** Rejects nulls. */
    Asset {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(url, "url");
    }
  }

  /** Rejects nulls, copies the assets. */
  Release {
    Objects.requireNonNull(tag, "tag");
    assets = List.copyOf(assets);
  }

  /**
   * The name of this project's build for a version: {@code
   * studio-worker-<version>-linux-x64.tar.gz}.
   */
  static String assetName(SemVer version) {
    return "studio-worker-" + version + "-linux-x64.tar.gz";
  }

  /** Our own asset for {@code version}, or empty: "no Java build in this release". */
  Optional<Asset> buildFor(SemVer version) {
    String wanted = assetName(version);
    return assets.stream().filter(a -> a.name().equals(wanted)).findFirst();
  }
}
