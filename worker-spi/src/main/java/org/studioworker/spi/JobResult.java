package org.studioworker.spi;

import java.util.Arrays;
import java.util.Objects;

/** What an executor produced: a file (image, speech, video) or a JSON document (llm, stt). */
public sealed interface JobResult {

  /**
   * An encoded file, uploaded to the studio through the multipart route.
   *
   * @param bytes the file's bytes; the record keeps its own copy
   * @param ext the file extension without a dot ({@code webp}, {@code wav}, {@code mp4})
   */
  record Binary(byte[] bytes, String ext) implements JobResult {
    /** Copies the bytes and checks the extension. */
    public Binary {
      bytes = bytes.clone();
      Objects.requireNonNull(ext, "ext");
      if (ext.isEmpty() || ext.contains(".") || ext.contains("/")) {
        throw new IllegalArgumentException("ext must be a bare extension such as webp");
      }
    }

    /** A copy of the bytes. */
    @Override
    public byte[] bytes() {
      return bytes.clone();
    }

    /** The size in bytes. */
    public int size() {
      return bytes.length;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Binary that
          && ext.equals(that.ext)
          && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
      return 31 * Arrays.hashCode(bytes) + ext.hashCode();
    }

    @Override
    public String toString() {
      return "Binary[" + bytes.length + " bytes, ext=" + ext + "]";
    }
  }

  /**
   * A JSON document, sent to the studio in a {@code completeJson} frame.
   *
   * @param json the document as text; the runtime validates it before sending
   */
  record Json(JsonText json) implements JobResult {
    /** Rejects null. */
    public Json {
      Objects.requireNonNull(json, "json");
    }
  }
}
