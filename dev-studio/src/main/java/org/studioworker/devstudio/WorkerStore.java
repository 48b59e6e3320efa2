package org.studioworker.devstudio;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The approved workers kept in a file ({@code --state FILE}), so that a studio started again on the
 * same file still knows them: one line per worker, {@code <workerId> <SHA-256 of its token, hex>},
 * oldest first. Never a token, a secret or a pending request.
 *
 * <p>Written atomically (a temporary file beside it, fsync, rename over it) with mode 0600. Not
 * thread-safe: {@link Registrations} calls it under its monitor.
 */
final class WorkerStore {
  private static final String HEADER =
      "# dev-studio: approved workers, the SHA-256 of each token (never a token)\n";

  private final Path file;

  WorkerStore(Path file) {
    this.file = file.toAbsolutePath();
  }

  Path file() {
    return file;
  }

  /**
   * The workers in the file, oldest first; none when it does not exist.
   *
   * @throws IllegalStateException when it cannot be read or a line is not {@code <id> <64 hex>}
   *     (the message names the file and the line number, never its text)
   */
  Map<String, byte[]> load() {
    Map<String, byte[]> workers = new LinkedHashMap<>();
    if (!Files.exists(file)) {
      return workers;
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the state file " + file, e);
    }
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.split("\\s+");
      if (parts.length != 2 || !Secrets.isSha256Hex(parts[1])) {
        throw new IllegalStateException(
            "the state file " + file + " line " + (i + 1) + " is not <workerId> <sha256 hex>");
      }
      workers.put(parts[0], Secrets.parseSha256Hex(parts[1]));
    }
    return workers;
  }

  /** Replaces the file with {@code workers}. */
  void save(Map<String, byte[]> workers) {
    StringBuilder text = new StringBuilder(HEADER);
    workers.forEach(
        (id, hash) ->
            text.append(id).append(' ').append(HexFormat.of().formatHex(hash)).append('\n'));
    Path dir = file.getParent();
    try {
      Files.createDirectories(dir);
      Path temp =
          Files.createTempFile(
              dir,
              "." + file.getFileName() + "-",
              ".tmp",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      try {
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
          out.write(StandardCharsets.UTF_8.encode(text.toString()));
          out.force(true);
        }
        try {
          Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the state file " + file, e);
    }
  }
}
