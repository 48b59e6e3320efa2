package org.studioworker.runtime.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.toml.TomlMapper;

/**
 * Reads and writes the TOML config file.
 *
 * <p>Reads are strict about types and ranges but lenient about keys: unknown keys are accepted and
 * dropped on the next save; each one that is not a known legacy key of the original worker is
 * warned of, with its line. Writes are atomic: a temp file in the same folder, fsync, rename, then
 * fsync of the folder; the file is mode 0600 from its first byte. No error message quotes a value
 * from the file: a token could be on the offending line.
 *
 * <p>Not thread-safe for saves: the daemon saves from one thread at a time.
 */
public final class ConfigStore {
  /** The largest config file read; a real one is under 2 KiB. */
  static final long MAX_FILE_BYTES = 1024 * 1024;

  private static final Logger log = LoggerFactory.getLogger("config");

  private static final Pattern BARE_KEY = Pattern.compile("[A-Za-z0-9_-]+");

  private final Path path;

  private final TomlMapper toml = new TomlMapper();

  /** The warnings this store has logged already (a concurrent set: reads may overlap). */
  private final Set<String> warned = ConcurrentHashMap.newKeySet();

  /** A store for the file at {@code path}. */
  public ConfigStore(Path path) {
    this.path = path.toAbsolutePath().normalize();
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

  /**
   * The outcome of a read: the config, whether the file was just created, and the warnings about it
   * (unknown keys, each named with its line, never with its value), already logged once.
   */
  public record Loaded(WorkerConfig config, boolean created, List<String> warnings) {
    /** Copies the warnings. */
    public Loaded {
      Objects.requireNonNull(config, "config");
      warnings = List.copyOf(warnings);
    }

    /** A result without warnings. */
    public Loaded(WorkerConfig config, boolean created) {
      this(config, created, List.of());
    }
  }

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
    return read();
  }

  /** Reads the file; its warnings are logged (see {@link #read}). */
  public WorkerConfig load() throws ConfigException {
    return read().config();
  }

  /**
   * Reads the file, with its warnings.
   *
   * <p>Each warning is logged at warn on the {@code config} logger the first time this store meets
   * it, so a command or daemon that reads the file more than once shows it once.
   */
  public Loaded read() throws ConfigException {
    String text = readText();
    JsonNode tree;
    try {
      tree = toml.readTree(text);
    } catch (JacksonException e) {
      throw new ConfigException("config file " + path + " is not valid TOML" + where(e));
    } catch (RuntimeException e) {
      // A guard: the reader is meant to throw only JacksonException (30 000 random corruptions
      // found nothing else), but a message from elsewhere in it could quote the line.
      throw new ConfigException("config file " + path + " is not valid TOML");
    }
    if (tree == null || tree.isMissingNode() || tree.isNull()) {
      return new Loaded(WorkerConfig.defaults(), false);
    }
    WorkerConfig config;
    try {
      config = ConfigMapping.fromTree(tree);
    } catch (ConfigMapping.KeyError e) {
      throw new ConfigException(at(KeyLines.of(text), e.key()) + ": " + e.getMessage());
    } catch (IllegalArgumentException e) {
      // WorkerConfig's own checks; the mapping checks the same ranges first, naming the line.
      throw new ConfigException("config file " + path + ": " + e.getMessage());
    }
    List<String> unknown = ConfigMapping.unknownKeys(tree);
    if (unknown.isEmpty()) {
      return new Loaded(config, false);
    }
    KeyLines lines = KeyLines.of(text);
    List<String> warnings = new ArrayList<>();
    for (String key : unknown) {
      warnings.add(
          at(lines, key)
              + ": unknown key "
              + printable(key)
              + " is ignored, and the next save drops it");
    }
    for (String warning : warnings) {
      if (warned.add(warning)) {
        log.warn("{}", warning);
      }
    }
    return new Loaded(config, false, warnings);
  }

  private String readText() throws ConfigException {
    try {
      if (Files.size(path) > MAX_FILE_BYTES) {
        throw new ConfigException(
            "config file " + path + " is larger than " + MAX_FILE_BYTES + " bytes");
      }
      return Files.readString(path, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException("config file " + path + " does not exist");
    } catch (AccessDeniedException e) {
      throw new ConfigException("config file " + path + " cannot be read: permission denied");
    } catch (IOException e) {
      throw new ConfigException(
          "config file " + path + " cannot be read: " + e.getClass().getSimpleName());
    }
  }

  /** {@code config file PATH, line N}, or without the line when the key could not be placed. */
  private String at(KeyLines lines, String key) {
    OptionalInt line = key.isEmpty() ? OptionalInt.empty() : lines.line(key);
    return "config file " + path + (line.isPresent() ? ", line " + line.getAsInt() : "");
  }

  /**
   * The key as it may be shown: a name made of TOML's bare-key characters and at most 64 long, the
   * shape of every real key. Anything else (a quoted name with spaces, a pasted line) is not
   * echoed, since it could hold a value.
   */
  private static String printable(String key) {
    return key.length() <= 64 && BARE_KEY.matcher(key).matches() ? key : "(a quoted name)";
  }

  /** The file's text for {@code config} with every secret shown as {@code "<redacted>"}. */
  public String redactedText(WorkerConfig config) {
    return ConfigMapping.toRedactedToml(config);
  }

  /** Writes the config atomically with mode 0600. */
  public void save(WorkerConfig config) throws ConfigException {
    try {
      OwnerOnlyFiles.write(path, ConfigMapping.toToml(config).getBytes(StandardCharsets.UTF_8));
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
