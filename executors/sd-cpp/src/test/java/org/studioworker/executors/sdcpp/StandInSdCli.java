package org.studioworker.executors.sdcpp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.OptionalLong;

/**
 * A stand-in {@code sd-cli}: a bash script that records the exact arguments it was given (NUL
 * separated), copies the input images it was handed, and then, by mode, writes to {@code -o} a real
 * image in the format its extension names (as sd-cli does: {@code .webp}, {@code .jpg} or {@code
 * .jpeg}, else PNG), a PNG whatever the extension (as an older sd-cli does), a file that is no
 * image, fails with exit status 3 and an error line, or hangs with a child process.
 */
final class StandInSdCli {
  /** A real 1×1 PNG. */
  static final byte[] PNG =
      Base64.getDecoder()
          .decode(
              "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");

  /** A real 1×1 lossless WebP (VP8L): {@code RIFF}, size 26, {@code WEBP}, one VP8L chunk. */
  static final byte[] WEBP =
      Base64.getDecoder().decode("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==");

  /** A real 1×1 baseline JPEG (written by the JDK's ImageIO). */
  static final byte[] JPEG =
      Base64.getDecoder()
          .decode(
              "/9j/4AAQSkZJRgABAgAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/2wBDAQkJCQwLDBgNDRgyIRwhMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjL/wAARCAABAAEDASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwDnqKKK8E/RT//Z");

  /** A RIFF file that is no image: the start of a WAV. */
  static final byte[] NOT_AN_IMAGE = {
    'R', 'I', 'F', 'F', 36, 0, 0, 0, 'W', 'A', 'V', 'E', 'f', 'm', 't', ' '
  };

  /** The error line the failing mode prints last. */
  static final String ERROR_LINE = "[ERROR] load model failed: unexpected end of file";

  enum Mode {
    /** A real image in the format the {@code -o} extension names. */
    WRITE_IMAGE,
    /** A PNG whatever the extension. */
    WRITE_PNG_ALWAYS,
    /** A file in none of the formats sd-cli writes. */
    WRITE_NO_IMAGE,
    FAIL,
    HANG
  }

  private final Path dir;
  private final Path script;

  private StandInSdCli(Path dir, Path script) {
    this.dir = dir;
    this.script = script;
  }

  /** Writes the script into {@code dir} (created) as {@code dir/sd-cli}. */
  static StandInSdCli write(Path dir, Mode mode) throws IOException {
    Files.createDirectories(dir);
    Files.write(dir.resolve("image.png"), PNG);
    Files.write(dir.resolve("image.webp"), WEBP);
    Files.write(dir.resolve("image.jpg"), JPEG);
    Files.write(dir.resolve("not-an-image"), NOT_AN_IMAGE);
    Files.createDirectories(dir.resolve("inputs"));
    String behaviour =
        switch (mode) {
          case WRITE_IMAGE ->
              """
              echo "[INFO ] stable-diffusion.cpp:100 - loading model"
              printf '  |=====>      | 1/4 - 1.00s/it\\r  |==========>| 4/4 - 1.00s/it\\n'
              case "$out" in
                *.webp) cp "$here/image.webp" "$out" ;;
                *.jpg|*.jpeg) cp "$here/image.jpg" "$out" ;;
                *) cp "$here/image.png" "$out" ;;
              esac
              exit 0
              """;
          case WRITE_PNG_ALWAYS ->
              """
              cp "$here/image.png" "$out"
              exit 0
              """;
          case WRITE_NO_IMAGE ->
              """
              cp "$here/not-an-image" "$out"
              exit 0
              """;
          case FAIL ->
              """
              echo "[WARN ] something first" >&2
              echo "%s" >&2
              echo "" >&2
              exit 3
              """
                  .formatted(ERROR_LINE);
          case HANG ->
              """
              sleep 600 &
              echo $! > "$here/child.pid"
              wait
              """;
        };
    String text =
        """
        #!/bin/bash
        here="%s"
        printf '%%s\\0' "$@" > "$here/args.tmp" && mv "$here/args.tmp" "$here/args"
        out=""
        prev=""
        for arg in "$@"; do
          if [ "$prev" = "-o" ]; then out="$arg"; fi
          case "$arg" in */inputs/*) cp "$arg" "$here/inputs/" ;; esac
          prev="$arg"
        done
        %s
        """
            .formatted(dir, behaviour);
    Path script = dir.resolve("sd-cli");
    Files.writeString(script, text, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    return new StandInSdCli(dir, script);
  }

  Path path() {
    return script;
  }

  boolean wasRun() {
    return Files.exists(dir.resolve("args"));
  }

  /** The arguments of the last run, without the program itself. */
  List<String> arguments() throws IOException {
    String text = Files.readString(dir.resolve("args"), StandardCharsets.UTF_8);
    List<String> parts = Arrays.asList(text.split("\0", -1));
    return parts.subList(0, parts.size() - 1);
  }

  /** The input image the stand-in was handed, by file name. */
  Path copiedInput(String fileName) {
    return dir.resolve("inputs").resolve(fileName);
  }

  /** The PID of the hanging mode's child, once it has started. */
  OptionalLong childPid() throws IOException {
    Path file = dir.resolve("child.pid");
    if (!Files.exists(file)) {
      return OptionalLong.empty();
    }
    String text = Files.readString(file).strip();
    return text.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(text));
  }
}
