package org.studioworker.runtime.jobs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.studioworker.runtime.plugins.PluginLoader;
import org.studioworker.spi.EngineId;
import org.studioworker.spi.Executor;
import org.studioworker.spi.ExecutorEnvironment;
import org.studioworker.spi.ExecutorException;
import org.studioworker.spi.ExecutorProvider;
import org.studioworker.spi.TaskKind;

/**
 * The engines found at start: one executor per engine name, found with {@link ServiceLoader}.
 *
 * <p>A provider that fails to load or to create its executor is skipped with a warning naming it;
 * the worker starts anyway. Two providers of one engine: the first wins, the second is skipped.
 * Read-only after construction; thread-safe.
 */
public final class EngineRegistry implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger("engines");

  /**
   * One engine as shown in the roster.
   *
   * @param readiness {@code ok}, or what the engine lacks on this machine and how to fix it
   */
  public record Engine(
      EngineId id,
      String version,
      String source,
      Map<TaskKind, List<String>> serves,
      String readiness) {}

  private final Map<EngineId, Executor> executors;
  private final List<Engine> roster;

  private EngineRegistry(Map<EngineId, Executor> executors, List<Engine> roster) {
    this.executors = executors;
    this.roster = roster;
  }

  /**
   * Finds the built-in providers (this module's layer and class loader) and those of the plugin
   * jars in {@code pluginDirs}, and creates them.
   */
  public static EngineRegistry discover(Path modelsRoot, Path workDir, List<Path> pluginDirs) {
    return discover(modelsRoot, workDir, pluginDirs, Map.of());
  }

  /**
   * The same, telling the engines what their programs' environment must hold ({@link
   * ExecutorEnvironment#processEnv}).
   */
  public static EngineRegistry discover(
      Path modelsRoot, Path workDir, List<Path> pluginDirs, Map<String, String> processEnv) {
    List<ExecutorProvider> providers = new ArrayList<>();
    var iterator = ServiceLoader.load(ExecutorProvider.class).iterator();
    while (true) {
      try {
        if (!iterator.hasNext()) {
          break;
        }
        providers.add(iterator.next());
      } catch (ServiceConfigurationError e) {
        log.warn("skipping an engine provider that does not load: {}", e.getMessage());
      }
    }
    for (PluginLoader.Plugin plugin : PluginLoader.load(pluginDirs)) {
      providers.add(plugin.provider());
    }
    return of(providers, new ExecutorEnvironment(modelsRoot, workDir, processEnv));
  }

  /** Creates the executors of the given providers. */
  public static EngineRegistry of(
      Collection<ExecutorProvider> providers, ExecutorEnvironment environment) {
    Map<EngineId, Executor> executors = new LinkedHashMap<>();
    List<Engine> roster = new ArrayList<>();
    for (ExecutorProvider provider : providers) {
      String source = source(provider);
      EngineId id;
      try {
        id = provider.engine();
      } catch (RuntimeException | LinkageError e) {
        log.warn(
            "skipping engine provider {} ({}): engine() failed: {}",
            name(provider),
            source,
            e.toString());
        continue;
      }
      if (executors.containsKey(id)) {
        log.warn(
            "skipping engine provider {} ({}): engine {} is already provided",
            name(provider),
            source,
            id);
        continue;
      }
      try {
        Executor executor = provider.create(environment);
        Map<TaskKind, List<String>> serves = copy(executor.serves());
        executors.put(id, executor);
        roster.add(new Engine(id, provider.version(), source, serves, readiness(executor)));
      } catch (ExecutorException | RuntimeException | LinkageError e) {
        log.warn("engine {} is not available ({}): {}", id, source, e.getMessage());
      }
    }
    return new EngineRegistry(Map.copyOf(executors), List.copyOf(roster));
  }

  private static String name(ExecutorProvider provider) {
    return provider.getClass().getName();
  }

  private static String source(ExecutorProvider provider) {
    Module module = provider.getClass().getModule();
    ModuleLayer layer = module.getLayer();
    if (module.isNamed() && layer != null && layer != ModuleLayer.boot()) {
      return layer
          .configuration()
          .findModule(module.getName())
          .flatMap(resolved -> resolved.reference().location())
          .map(uri -> "plugin " + Path.of(uri))
          .orElse("plugin module " + module.getName());
    }
    if (module.isNamed()) {
      return "module " + module.getName();
    }
    var location = provider.getClass().getProtectionDomain().getCodeSource();
    return location == null ? "class path" : String.valueOf(location.getLocation());
  }

  private static String readiness(Executor executor) {
    try {
      return executor.readiness();
    } catch (RuntimeException | LinkageError e) {
      return "unknown (" + e + ")";
    }
  }

  private static Map<TaskKind, List<String>> copy(Map<TaskKind, List<String>> serves) {
    Map<TaskKind, List<String>> out = new TreeMap<>();
    serves.forEach((kind, models) -> out.put(kind, List.copyOf(new TreeSet<>(models))));
    return out;
  }

  /** The executor of an engine, if installed. */
  public Optional<Executor> find(EngineId engine) {
    return Optional.ofNullable(executors.get(engine));
  }

  /** The engines, in discovery order. */
  public List<Engine> roster() {
    return roster;
  }

  /** The union over all engines of what each serves, kind by kind (live from each executor). */
  public Map<TaskKind, List<String>> served() {
    Map<TaskKind, TreeSet<String>> merged = new TreeMap<>();
    for (Executor executor : executors.values()) {
      try {
        executor
            .serves()
            .forEach(
                (kind, models) ->
                    merged.computeIfAbsent(kind, k -> new TreeSet<>()).addAll(models));
      } catch (RuntimeException e) {
        log.warn("an engine failed to report what it serves: {}", e.toString());
      }
    }
    Map<TaskKind, List<String>> out = new TreeMap<>();
    merged.forEach((kind, models) -> out.put(kind, List.copyOf(models)));
    return out;
  }

  /** One line per engine, for the banner and {@code status}. */
  public String describe() {
    if (roster.isEmpty()) {
      return "none";
    }
    List<String> parts = new ArrayList<>();
    for (Engine engine : roster) {
      parts.add(engine.id() + " " + engine.version() + " (" + engine.source() + ")");
    }
    return String.join(", ", parts);
  }

  @Override
  public void close() {
    for (Executor executor : executors.values()) {
      try {
        executor.close();
      } catch (RuntimeException e) {
        log.warn("an engine failed to close: {}", e.toString());
      }
    }
  }
}
