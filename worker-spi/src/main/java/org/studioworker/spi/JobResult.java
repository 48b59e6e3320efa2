package org.studioworker.spi;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * What an executor produced: a file (image, speech, video), in memory ({@link Binary}) or on disk
 * ({@link File}), or a JSON document (llm, stt).
 */
public sealed interface JobResult {

  /**
   * A small encoded file held in memory, uploaded to the studio through the multipart route. For
   * anything that may be large (a video, a long recording) write the file and hand over a {@link
   * File} instead: the runtime streams it from disk and never holds it whole.
   *
   * <p>The record keeps the array it is given, without a copy, and {@link #bytes()} returns that
   * same array: neither the engine that made it nor any reader may modify it afterwards.
   *
   * @param bytes the file's bytes; kept as given, never modified by the runtime
   * @param ext the file extension without a dot ({@code webp}, {@code wav}, {@code mp4})
   */
  record Binary(byte[] bytes, String ext) implements JobResult {
    /** Checks the extension; keeps {@code bytes} as given (no copy). */
    public Binary {
      Objects.requireNonNull(bytes, "bytes");
      checkExt(ext);
    }

    /** The bytes, the very array given to the constructor: read them, never modify them. */
    @Override
    public byte[] bytes() {
      return bytes;
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
   * An encoded file the engine wrote to disk, uploaded to the studio through the multipart route by
   * streaming it: the runtime never reads it whole into memory, whatever its size.
   *
   * <p><b>Ownership passes to the runtime.</b> Once an engine returns a {@code File}, the file is
   * the runtime's: the engine must not write, move or delete it any more, and must not put it where
   * the engine itself deletes things (a per-job folder it removes after the run). The runtime
   * deletes it once it is done with it: after the result was delivered, after the delivery failed
   * for good, and when the job was cancelled or abandoned before delivery. So the path must be a
   * file of its own, made for this one result (a unique name in the engine's work folder, for
   * instance), on a file system the worker may delete from.
   *
   * @param path the regular file holding the result
   * @param ext the file extension without a dot ({@code webp}, {@code wav}, {@code mp4})
   */
  record File(Path path, String ext) implements JobResult {
    /** Checks the extension; the file itself is read only when the result is delivered. */
    public File {
      Objects.requireNonNull(path, "path");
      checkExt(ext);
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

  private static void checkExt(String ext) {
    Objects.requireNonNull(ext, "ext");
    if (ext.isEmpty() || ext.contains(".") || ext.contains("/")) {
      throw new IllegalArgumentException("ext must be a bare extension such as webp");
    }
  }
}
