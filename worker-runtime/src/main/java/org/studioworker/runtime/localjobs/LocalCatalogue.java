package org.studioworker.runtime.localjobs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.studioworker.protocol.FrameCodec;
import org.studioworker.protocol.FrameDecodeException;
import org.studioworker.runtime.config.OwnerOnlyFiles;
import org.studioworker.runtime.jobs.EngineRegistry;
import org.studioworker.spi.Claim;
import org.studioworker.spi.CliDefaults;
import org.studioworker.spi.Executor;
import org.studioworker.spi.ModelSource;
import org.studioworker.spi.Task;
import org.studioworker.spi.TaskKind;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The models a local job may name (LOCAL_API.md, "Local jobs"): those kept in {@value #FILE_NAME}
 * next to the config file, then those the installed engines advertise.
 *
 * <p>The file is {@code {"models":[entry, …]}}, each entry {@code {"model", "kind" (a task kind's
 * wire name), "modelSource" (the wire contract's modelSource object), "source": "studio" |
 * "operator", "lastUsed"? (RFC 3339)}}. The worker {@link #remember}s every model a studio job
 * completed with ({@code studio}); an operator may add entries by hand ({@code operator}), which
 * the worker keeps as they are. At most {@link #MAX_ENTRIES} entries: the least recently used
 * studio ones go first. Writes are atomic (temp file and rename). A file that is not JSON or not of
 * this shape is moved aside as {@code local-models.json.corrupt-<timestamp>}, never overwritten,
 * and the catalogue starts again from nothing.
 *
 * <p>The engines' models ({@link Executor#serves()}; wildcards such as {@code onnx:*} left out)
 * come with a model source of their engine and no files, so that a fresh worker serves local jobs
 * at once. The file is read again when it changes, so an operator's edit counts at the next job.
 * Thread-safe.
 */
public final class LocalCatalogue {
  private static final Logger log = LoggerFactory.getLogger("catalogue");

  /** The file's name, next to the config file. */
  public static final String FILE_NAME = "local-models.json";

  /** How many entries the file keeps. */
  public static final int MAX_ENTRIES = 500;

  /** How many model ids an unknown-model message lists. */
  private static final int LISTED = 8;

  /** {@link Entry#source} of a model the worker served for the studio. */
  public static final String STUDIO = "studio";

  /** {@link Entry#source} of a model an operator added by hand. */
  public static final String OPERATOR = "operator";

  /** {@link Entry#source} of a model an installed engine advertises (never in the file). */
  public static final String ENGINE = "engine";

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  /** The defaults of an engine's own model: the task defaults, so nothing is overridden. */
  private static final CliDefaults ENGINE_DEFAULTS =
      CliDefaults.of(7.0, Task.Image.DEFAULT_STEPS, Task.DEFAULT_SIZE, Task.DEFAULT_SIZE);

  /**
   * One model a local job may name.
   *
   * @param source {@link #STUDIO}, {@link #OPERATOR} or {@link #ENGINE}
   * @param lastUsed when a studio job last completed with it, or null
   */
  public record Entry(
      String model,
      TaskKind kind,
      ModelSource modelSource,
      String source,
      @Nullable Instant lastUsed) {
    /** Rejects nulls. */
    public Entry {
      Objects.requireNonNull(model, "model");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(modelSource, "modelSource");
      Objects.requireNonNull(source, "source");
    }
  }

  /** What {@link #resolve} found. */
  public sealed interface Resolution {
    /** The model to use. */
    record Found(Entry entry) implements Resolution {}

    /** Why none can be used, for a {@code 400 bad input: …}. */
    record Refused(String message) implements Resolution {}
  }

  private final Path file;
  private final EngineRegistry engines;
  private final InstantSource clock;
  private final FrameCodec codec = new FrameCodec();
  private final ReentrantLock lock = new ReentrantLock();

  /** Guarded by {@link #lock}: the file's entries as last read or written. */
  private List<Entry> cached = List.of();

  /** Guarded by {@link #lock}: the modification time and size of the file when it was cached. */
  private @Nullable FileTime cachedTime;

  private long cachedSize = -1;

  /**
   * How stale a {@code lastUsed} may get before a job of the same model writes the file again. Why
   * a minute? The file orders models by use; jobs of one model back to back would otherwise write
   * (and fsync) it after every job, for a time that nobody reads to the second.
   */
  static final Duration LAST_USED_GRAIN = Duration.ofMinutes(1);

  /**
   * A catalogue over {@value #FILE_NAME} beside {@code configPath} (the daemon's config file) and
   * the engines of {@code engines}.
   */
  public LocalCatalogue(Path configPath, EngineRegistry engines, InstantSource clock) {
    Path dir = configPath.toAbsolutePath().getParent();
    this.file = (dir == null ? Path.of(".") : dir).resolve(FILE_NAME);
    this.engines = engines;
    this.clock = clock;
  }

  /** The file. */
  public Path file() {
    return file;
  }

  /**
   * Every model, in the order {@link #resolve} looks for the first of a kind: the file's entries
   * (most recently used first, those never used last in file order), then the engines' models.
   */
  public List<Entry> entries() {
    List<Entry> out = new ArrayList<>(fileEntries());
    out.sort(
        Comparator.comparing(
            Entry::lastUsed, Comparator.nullsLast(Comparator.<Instant>reverseOrder())));
    out.addAll(engineEntries());
    return out;
  }

  /** The entries of the file, as they are now. */
  public List<Entry> fileEntries() {
    lock.lock();
    try {
      return refresh();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The model of a local job: {@code model} when named, else the first of {@code kind}.
   *
   * @return the entry, or why there is none (an unknown model, a model of another kind, no model of
   *     that kind)
   */
  public Resolution resolve(@Nullable String model, TaskKind kind) {
    List<Entry> all = entries();
    if (model == null || model.isBlank()) {
      for (Entry entry : all) {
        if (entry.kind() == kind) {
          return new Resolution.Found(entry);
        }
      }
      return new Resolution.Refused(
          "no model serves " + kind + " jobs on this worker; name one with \"model\"");
    }
    LinkedHashSet<String> kinds = new LinkedHashSet<>();
    for (Entry entry : all) {
      if (entry.model().equals(model)) {
        if (entry.kind() == kind) {
          return new Resolution.Found(entry);
        }
        kinds.add(entry.kind().wireName());
      }
    }
    if (!kinds.isEmpty()) {
      return new Resolution.Refused(
          "model " + model + " serves " + String.join(", ", kinds) + " jobs, not " + kind);
    }
    LinkedHashSet<String> known = new LinkedHashSet<>();
    for (Entry entry : all) {
      if (entry.kind() == kind) {
        known.add(entry.model());
      }
    }
    return new Resolution.Refused("unknown model " + model + "; known: " + shortList(known, kind));
  }

  private static String shortList(LinkedHashSet<String> known, TaskKind kind) {
    if (known.isEmpty()) {
      return "none for " + kind + " jobs";
    }
    List<String> listed = known.stream().limit(LISTED).toList();
    String out = String.join(", ", listed);
    return known.size() > LISTED ? out + " and " + (known.size() - LISTED) + " more" : out;
  }

  /**
   * Remembers the model of a studio job that completed: its entry (model and kind) gets the job's
   * model source and is marked used now. An operator's entry of that model is left as it is. Never
   * throws; a file that cannot be written is logged.
   */
  public void remember(Claim claim) {
    TaskKind kind = claim.task().kind();
    lock.lock();
    try {
      List<Entry> entries = new ArrayList<>(refresh());
      Instant now = clock.instant();
      if (!entries.isEmpty() && isFreshHead(entries.getFirst(), claim, kind, now)) {
        return; // already the most recent entry, with this source, marked used a moment ago
      }
      for (Entry entry : entries) {
        if (entry.source().equals(OPERATOR)
            && entry.model().equals(claim.model())
            && entry.kind() == kind) {
          return;
        }
      }
      entries.removeIf(entry -> entry.model().equals(claim.model()) && entry.kind() == kind);
      entries.addFirst(new Entry(claim.model(), kind, claim.modelSource(), STUDIO, now));
      trim(entries);
      write(entries);
    } catch (IOException | RuntimeException e) {
      log.warn("cannot remember model {} in {}: {}", claim.model(), file, e.toString());
    } finally {
      lock.unlock();
    }
  }

  /** Whether {@code head} is this claim's studio entry, unchanged and used within the grain. */
  private static boolean isFreshHead(Entry head, Claim claim, TaskKind kind, Instant now) {
    Instant used = head.lastUsed();
    return head.source().equals(STUDIO)
        && head.model().equals(claim.model())
        && head.kind() == kind
        && head.modelSource().equals(claim.modelSource())
        && used != null
        && !used.isAfter(now)
        && Duration.between(used, now).compareTo(LAST_USED_GRAIN) < 0;
  }

  /** Drops the least recently used studio entries beyond {@link #MAX_ENTRIES}. */
  private static void trim(List<Entry> entries) {
    while (entries.size() > MAX_ENTRIES) {
      Entry oldest = null;
      for (Entry entry : entries) {
        if (entry.source().equals(STUDIO)
            && (oldest == null || before(entry.lastUsed(), oldest.lastUsed()))) {
          oldest = entry;
        }
      }
      if (oldest == null) {
        return; // Only the operator's entries are left; they stay.
      }
      entries.remove(oldest);
    }
  }

  private static boolean before(@Nullable Instant a, @Nullable Instant b) {
    if (a == null) {
      return b != null;
    }
    return b != null && a.isBefore(b);
  }

  /** The engines' own models, engine by engine, in roster order; wildcards left out. */
  private List<Entry> engineEntries() {
    List<Entry> out = new ArrayList<>();
    for (EngineRegistry.Engine engine : engines.roster()) {
      Map<TaskKind, List<String>> serves = engine.serves();
      Optional<Executor> executor = engines.find(engine.id());
      if (executor.isPresent()) {
        try {
          serves = new java.util.TreeMap<>(executor.get().serves());
        } catch (RuntimeException e) {
          // The roster's copy from start is the best there is.
        }
      }
      ModelSource source = new ModelSource(engine.id(), List.of(), ENGINE_DEFAULTS);
      serves.forEach(
          (kind, models) ->
              models.stream()
                  .filter(model -> !model.contains("*"))
                  .sorted()
                  .forEach(model -> out.add(new Entry(model, kind, source, ENGINE, null))));
    }
    return out;
  }

  // ------------------------------------------------------------------ the file

  /** The file's entries, read again when the file changed. Holds {@link #lock}. */
  private List<Entry> refresh() {
    FileTime time;
    long size;
    try {
      time = Files.getLastModifiedTime(file);
      size = Files.size(file);
    } catch (NoSuchFileException e) {
      cached = List.of();
      cachedTime = null;
      cachedSize = -1;
      return cached;
    } catch (IOException e) {
      log.warn("cannot read {}: {}", file, e.toString());
      return cached;
    }
    if (time.equals(cachedTime) && size == cachedSize) {
      return cached;
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      log.warn("cannot read {}: {}", file, e.toString());
      return cached;
    }
    try {
      cached = List.copyOf(parse(new String(bytes, StandardCharsets.UTF_8)));
      cachedTime = time;
      cachedSize = size;
    } catch (Corrupt e) {
      moveAside(e.getMessage());
    }
    return cached;
  }

  /** A file that is not JSON or not of the catalogue's shape; the message never quotes a value. */
  private static final class Corrupt extends Exception {
    private static final long serialVersionUID = 1L;

    Corrupt(String message) {
      super(message);
    }
  }

  private List<Entry> parse(String text) throws Corrupt {
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JacksonException e) {
      throw new Corrupt("it is not JSON");
    }
    if (root == null || !root.isObject() || !root.path("models").isArray()) {
      throw new Corrupt("it is not an object with a \"models\" array");
    }
    List<Entry> out = new ArrayList<>();
    int index = 0;
    for (JsonNode item : root.path("models")) {
      out.add(entry(item, index++));
    }
    return out;
  }

  private Entry entry(JsonNode item, int index) throws Corrupt {
    String where = "models[" + index + "]";
    if (!item.isObject()) {
      throw new Corrupt(where + " is not an object");
    }
    String model = text(item, "model", where);
    if (model.isBlank()) {
      throw new Corrupt(where + ".model is empty");
    }
    TaskKind kind =
        TaskKind.fromWire(text(item, "kind", where))
            .orElseThrow(() -> new Corrupt(where + ".kind is not a task kind"));
    String source = text(item, "source", where);
    if (!source.equals(STUDIO) && !source.equals(OPERATOR)) {
      throw new Corrupt(where + ".source is neither \"studio\" nor \"operator\"");
    }
    JsonNode sourceNode = item.path("modelSource");
    if (!sourceNode.isObject()) {
      throw new Corrupt(where + ".modelSource is not an object");
    }
    ModelSource modelSource;
    try {
      modelSource = codec.decodeModelSource(JSON.writeValueAsString(sourceNode));
    } catch (FrameDecodeException | JacksonException e) {
      throw new Corrupt(where + ".modelSource: " + e.getMessage());
    }
    Instant lastUsed = null;
    JsonNode used = item.path("lastUsed");
    if (!used.isMissingNode() && !used.isNull()) {
      if (!used.isString()) {
        throw new Corrupt(where + ".lastUsed is not a timestamp");
      }
      try {
        lastUsed = Instant.parse(used.stringValue());
      } catch (DateTimeParseException e) {
        throw new Corrupt(where + ".lastUsed is not an RFC 3339 timestamp");
      }
    }
    return new Entry(model, kind, modelSource, source, lastUsed);
  }

  private static String text(JsonNode item, String key, String where) throws Corrupt {
    JsonNode value = item.path(key);
    if (!value.isString()) {
      throw new Corrupt(where + "." + key + " is missing or not a string");
    }
    return value.stringValue();
  }

  /** Writes the entries and caches them. Holds {@link #lock}. */
  private void write(List<Entry> entries) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode models = root.putArray("models");
    for (Entry entry : entries) {
      ObjectNode item = models.addObject();
      item.put("model", entry.model());
      item.put("kind", entry.kind().wireName());
      item.set("modelSource", JSON.readTree(codec.encodeModelSource(entry.modelSource())));
      item.put("source", entry.source());
      Instant used = entry.lastUsed();
      if (used != null) {
        item.put("lastUsed", used.toString());
      }
    }
    OwnerOnlyFiles.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
    cached = List.copyOf(entries);
    cachedTime = Files.getLastModifiedTime(file);
    cachedSize = Files.size(file);
  }

  /** Moves a corrupt file aside and starts again from an empty one. Holds {@link #lock}. */
  private void moveAside(@Nullable String why) {
    String stamp = STAMP.format(clock.instant());
    Path aside = file.resolveSibling(FILE_NAME + ".corrupt-" + stamp);
    for (int n = 2; Files.exists(aside); n++) {
      aside = file.resolveSibling(FILE_NAME + ".corrupt-" + stamp + "-" + n);
    }
    try {
      Files.move(file, aside);
      log.warn(
          "{} is not a local model catalogue ({}); moved it aside as {} and started a new one",
          file,
          why,
          aside.getFileName());
      write(List.of());
    } catch (IOException e) {
      log.warn(
          "{} is not a local model catalogue ({}) and cannot be moved aside: {}", file, why, e);
      cached = List.of();
    }
  }
}
