package org.studioworker.runtime.models;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code manifest.json} of one model folder: for each file, where it came from, its SHA-256,
 * its size and when it was downloaded. Written atomically; a broken manifest is ignored (and
 * rewritten), never fatal.
 *
 * <p>Workers sharing {@code models_root} may finish two files of one model at once: each update
 * reads, changes and replaces the manifest under {@code manifest.json.lock} (the operating system's
 * lock, for other processes) and {@link #LOCK} (for the threads of this one), and is renamed into
 * place, so neither entry is lost and a reader never sees half a file.
 */
final class Manifest {
  private static final Logger log = LoggerFactory.getLogger("models");
  private static final String NAME = "manifest.json";
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /**
   * Serialises the threads of this process before they take the file lock, which belongs to the
   * whole process; manifests are written once per download, so one lock for all folders is enough.
   */
  private static final ReentrantLock LOCK = new ReentrantLock();

  /** One recorded file. */
  record Entry(String url, String sha256, long bytes, String downloadedAt) {}

  private final ObjectNode files;

  private Manifest(ObjectNode files) {
    this.files = files;
  }

  static Manifest read(Path folder) {
    Path file = folder.resolve(NAME);
    if (!Files.isRegularFile(file)) {
      return new Manifest(JSON.createObjectNode());
    }
    try {
      JsonNode tree = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
      JsonNode entries = tree.path("files");
      if (entries instanceof ObjectNode object) {
        return new Manifest(object);
      }
    } catch (IOException | JacksonException e) {
      log.warn("ignoring the unreadable {}", file);
    }
    return new Manifest(JSON.createObjectNode());
  }

  Optional<Entry> find(String filename) {
    JsonNode entry = files.get(filename);
    if (entry == null || !entry.isObject()) {
      return Optional.empty();
    }
    return Optional.of(
        new Entry(
            entry.path("url").asString(""),
            entry.path("sha256").asString(""),
            entry.path("bytes").asLong(0),
            entry.path("downloadedAt").asString("")));
  }

  static void record(
      Path folder, String filename, String url, String sha256, long bytes, Instant at) {
    LOCK.lock();
    try (FileChannel channel =
            FileChannel.open(
                folder.resolve(NAME + ".lock"),
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock ignored = channel.lock()) {
      Manifest manifest = read(folder);
      ObjectNode entry = manifest.files.putObject(filename);
      entry.put("url", ModelStore.display(java.net.URI.create(url)));
      entry.put("sha256", sha256);
      entry.put("bytes", bytes);
      entry.put("downloadedAt", at.toString());
      ObjectNode root = JSON.createObjectNode();
      root.set("files", manifest.files);
      // One temporary name is enough: only the holder of the lock writes it.
      Path temp = folder.resolve(NAME + ".tmp");
      Files.writeString(temp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
      Files.move(
          temp,
          folder.resolve(NAME),
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | JacksonException e) {
      log.warn("cannot write {} in {}: {}", NAME, folder, e.getMessage());
    } finally {
      LOCK.unlock();
    }
  }
}
