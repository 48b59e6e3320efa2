package org.studioworker.runtime.config;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.toml.TomlMapper;

/**
 * Reads and writes the TOML config file.
 *
 * <p>Reads are strict about types but lenient about keys: unknown (legacy) keys are accepted and
 * dropped on the next save. Writes are atomic: a temp file in the same folder, fsync, rename, then
 * fsync of the folder; the file is mode 0600 from its first byte. No error message quotes a value
 * from the file: a token could be on the offending line.
 *
 * <p>Not thread-safe by itself: the daemon saves from one thread at a time.
 */
public final class ConfigStore {
  /** The largest config file read; a real one is under 2 KiB. */
  static final long MAX_FILE_BYTES = 1024 * 1024;

  private static final Set<PosixFilePermission> OWNER_ONLY =
      EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

  private final Path path;

  /** The folder holding {@link #path}, where the temp file of an atomic write goes. */
  private final Path dir;

  private final TomlMapper toml = new TomlMapper();

  /** A store for the file at {@code path}. */
  public ConfigStore(Path path) {
    this.path = path.toAbsolutePath().normalize();
    Path parent = this.path.getParent();
    this.dir = parent == null ? this.path.getRoot() : parent;
  }

  /**
   * The default path: {@code $XDG_CONFIG_HOME/minis-studio-worker/config.toml}, else under {@code
   * $HOME/.config}, both read from {@code env} (see {@link UserDirs}): a relative {@code
   * XDG_CONFIG_HOME} is ignored, as the XDG spec says, and the passwd entry's home is used only
   * when {@code HOME} is unset.
   */
  public static Path defaultPath(Map<String, String> env) {
    return UserDirs.configHome(env).resolve("minis-studio-worker").resolve("config.toml");
  }

  /** The file this store reads and writes. */
  public Path path() {
    return path;
  }

  /** The outcome of {@link #loadOrCreate}: the config, and whether the file was created. */
  public record Loaded(WorkerConfig config, boolean created) {}

  /**
   * Reads the file, or creates it with defaults when it does not exist.
   *
   * @param detectedVramGb the detected VRAM; a created file clamps the threshold to it when known
   */
  public Loaded loadOrCreate(@Nullable Double detectedVramGb) throws ConfigException {
    if (!Files.exists(path)) {
      WorkerConfig config = WorkerConfig.defaults();
      if (detectedVramGb != null && detectedVramGb > 0) {
        config = config.withVramThresholdGb(Math.min(config.vramThresholdGb(), detectedVramGb));
      }
      save(config);
      return new Loaded(config, true);
    }
    return new Loaded(load(), false);
  }

  /** Reads the file. */
  public WorkerConfig load() throws ConfigException {
    String text;
    try {
      if (Files.size(path) > MAX_FILE_BYTES) {
        throw new ConfigException(
            "config file " + path + " is larger than " + MAX_FILE_BYTES + " bytes");
      }
      text = Files.readString(path, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException("config file " + path + " does not exist");
    } catch (AccessDeniedException e) {
      throw new ConfigException("config file " + path + " cannot be read: permission denied");
    } catch (IOException e) {
      throw new ConfigException(
          "config file " + path + " cannot be read: " + e.getClass().getSimpleName());
    }
    JsonNode tree;
    try {
      tree = toml.readTree(text);
    } catch (JacksonException e) {
      throw new ConfigException("config file " + path + " is not valid TOML" + where(e));
    }
    if (tree == null || tree.isMissingNode() || tree.isNull()) {
      return WorkerConfig.defaults();
    }
    try {
      return ConfigMapping.fromTree(tree);
    } catch (ConfigMapping.KeyError e) {
      throw new ConfigException("config file " + path + ": " + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new ConfigException("config file " + path + ": " + e.getMessage());
    }
  }

  /** The file's text for {@code config} with every secret shown as {@code "<redacted>"}. */
  public String redactedText(WorkerConfig config) {
    return ConfigMapping.toRedactedToml(config);
  }

  /** Writes the config atomically with mode 0600. */
  public void save(WorkerConfig config) throws ConfigException {
    Path temp = null;
    try {
      Files.createDirectories(dir);
      temp =
          Files.createTempFile(
              dir, ".config-", ".toml.tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
      byte[] bytes = ConfigMapping.toToml(config).getBytes(StandardCharsets.UTF_8);
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        var buffer = java.nio.ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      try {
        Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING);
      }
      temp = null;
      Files.setPosixFilePermissions(path, OWNER_ONLY);
      syncDirectory(dir);
    } catch (FileAlreadyExistsException e) {
      throw new ConfigException(
          "config file " + path + " cannot be written: a folder is in the way");
    } catch (AccessDeniedException e) {
      throw new ConfigException("config file " + path + " cannot be written: permission denied");
    } catch (IOException e) {
      String why =
          e.getMessage() != null && e.getMessage().contains("No space left")
              ? "disk full"
              : e.getClass().getSimpleName();
      throw new ConfigException("config file " + path + " cannot be written: " + why);
    } finally {
      if (temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException ignored) {
          // The temp file is named .config-*.tmp and harmless; the write error above matters more.
        }
      }
    }
  }

  private static void syncDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // Some file systems refuse to open a folder; the rename is still atomic there.
    }
  }

  private static String where(JacksonException e) {
    TokenStreamLocation location = e.getLocation();
    if (location == null || location.getLineNr() <= 0) {
      return "";
    }
    return " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
  }
}
