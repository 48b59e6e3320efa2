package org.studioworker.devstudio;

import java.util.Arrays;
import java.util.Objects;

/**
 * The stored result of a job: its bytes and their content type ({@code application/json} for a JSON
 * result).
 *
 * <p>Immutable: the bytes are copied in and out.
 */
public record StoredResult(byte[] bytes, String contentType) {
  /** Copies the bytes. */
  public StoredResult {
    bytes = bytes.clone();
    Objects.requireNonNull(contentType, "contentType");
  }

  /** A copy of the bytes. */
  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof StoredResult that
        && Arrays.equals(bytes, that.bytes)
        && contentType.equals(that.contentType);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(bytes) + contentType.hashCode();
  }

  @Override
  public String toString() {
    return "StoredResult[" + bytes.length + " bytes, " + contentType + "]";
  }
}
