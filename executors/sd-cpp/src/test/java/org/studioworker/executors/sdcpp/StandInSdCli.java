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
 * separated), copies the input images it was handed, and then, by mode, writes a real PNG to {@code
 * -o}, fails with exit status 3 and an error line, or hangs with a child process.
 */
final class StandInSdCli {
  /** A real 1×1 PNG. */
  static final byte[] PNG =
      Base64.getDecoder()
          .decode(
              "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");

  /** The error line the failing mode prints last. */
  static final String ERROR_LINE = "[ERROR] load model failed: unexpected end of file";

  enum Mode {
    WRITE_PNG,
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
    Files.createDirectories(dir.resolve("inputs"));
    String behaviour =
        switch (mode) {
          case WRITE_PNG ->
              """
              echo "[INFO ] stable-diffusion.cpp:100 - loading model"
              printf '  |=====>      | 1/4 - 1.00s/it\\r  |==========>| 4/4 - 1.00s/it\\n'
              cp "$here/image.png" "$out"
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
