package org.studioworker.spi;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One file of a model, as the studio describes it.
 *
 * @param role what the file is for
 * @param url where to download it
 * @param filename the local file name; the runtime refuses separators and {@code ..}
 * @param approxBytes the expected size, when the studio knows it
 * @param sha256 the expected SHA-256 as 64 hex characters, when the studio knows it
 */
public record ModelFile(
    FileRole role,
    String url,
    String filename,
    @Nullable Long approxBytes,
    @Nullable String sha256) {
  /** Rejects nulls and negative sizes. */
  public ModelFile {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(filename, "filename");
    if (approxBytes != null && approxBytes < 0) {
      throw new IllegalArgumentException("approxBytes must not be negative");
    }
  }
}
