package org.studioworker.runtime.plugins;

import java.io.IOException;
import java.lang.module.Configuration;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.module.ResolutionException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.studioworker.spi.ExecutorProvider;

/**
 * Loads engine plugins: each jar in a plugins folder becomes a module in a {@link ModuleLayer} of
 * its own, on top of the boot layer.
 *
 * <p>Why module layers rather than class loaders? A layer gives each plugin its own loader (two
 * plugins may bundle different versions of a library) and lets the module system enforce what a
 * plugin sees: a plugin must be a named module, and it may require only {@code
 * org.studioworker.spi}, {@code org.jspecify} (static) and JDK modules; everything else of the host
 * (Jackson, Logback, the runtime) is unreadable to it. See {@code docs/plugins.md}.
 *
 * <p>A jar that does not load is skipped with a warning naming the file; loading never fails the
 * worker. Called once at start, on the start-up thread.
 */
public final class PluginLoader {
  private static final Logger log = LoggerFactory.getLogger("plugins");

  private static final String SPI_MODULE = "org.studioworker.spi";

  private PluginLoader() {}

  /** A provider and the jar it came from. */
  public record Plugin(ExecutorProvider provider, Path jar) {}

  /** Loads every {@code *.jar} of the given folders, in name order; missing folders are skipped. */
  public static List<Plugin> load(List<Path> folders) {
    List<Plugin> plugins = new ArrayList<>();
    Map<String, String> hostPackages = hostPackages();
    for (Path folder : folders) {
      if (!Files.isDirectory(folder)) {
        continue;
      }
      List<Path> jars;
      try (Stream<Path> entries = Files.list(folder)) {
        jars = entries.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
      } catch (IOException e) {
        log.warn("cannot list the plugins folder {}: {}", folder, e.getMessage());
        continue;
      }
      for (Path jar : jars) {
        plugins.addAll(loadJar(jar, hostPackages));
      }
    }
    return plugins;
  }

  private static List<Plugin> loadJar(Path jar, Map<String, String> hostPackages) {
    ModuleReference reference;
    try {
      Set<ModuleReference> found = ModuleFinder.of(jar).findAll();
      if (found.size() != 1) {
        log.warn("skipping plugin {}: it holds no module", jar);
        return List.of();
      }
      reference = found.iterator().next();
    } catch (FindException e) {
      log.warn("skipping plugin {}: not a readable jar or module ({})", jar, rootMessage(e));
      return List.of();
    }
    ModuleDescriptor descriptor = reference.descriptor();
    String problem = check(descriptor, hostPackages);
    if (problem != null) {
      log.warn("skipping plugin {}: {}", jar, problem);
      return List.of();
    }
    ModuleLayer layer;
    try {
      ModuleLayer boot = ModuleLayer.boot();
      Configuration configuration =
          boot.configuration()
              .resolve(ModuleFinder.of(jar), ModuleFinder.of(), Set.of(descriptor.name()));
      layer = boot.defineModulesWithOneLoader(configuration, ClassLoader.getPlatformClassLoader());
    } catch (FindException
        | ResolutionException
        | LayerInstantiationException
        | SecurityException e) {
      log.warn("skipping plugin {}: its module does not resolve ({})", jar, rootMessage(e));
      return List.of();
    }
    List<Plugin> plugins = new ArrayList<>();
    var iterator = ServiceLoader.load(layer, ExecutorProvider.class).iterator();
    while (true) {
      try {
        if (!iterator.hasNext()) {
          break;
        }
        ExecutorProvider provider = iterator.next();
        if (provider.getClass().getModule().getLayer() == layer) {
          plugins.add(new Plugin(provider, jar));
        }
      } catch (ServiceConfigurationError | LinkageError e) {
        log.warn("skipping a provider of plugin {}: {}", jar, rootMessage(e));
      }
    }
    if (plugins.isEmpty()) {
      log.warn("plugin {} provides no org.studioworker.spi.ExecutorProvider", jar);
    }
    return plugins;
  }

  /** Why a module may not be a plugin, or null when it may. */
  static @Nullable String check(ModuleDescriptor descriptor, Map<String, String> hostPackages) {
    if (descriptor.isAutomatic()) {
      return "it has no module-info; a plugin must be a named module that requires "
          + SPI_MODULE
          + " (see docs/plugins.md)";
    }
    boolean needsSpi = false;
    for (ModuleDescriptor.Requires requires : descriptor.requires()) {
      String name = requires.name();
      if (name.equals(SPI_MODULE)) {
        needsSpi = true;
        String mismatch = spiMismatch(requires);
        if (mismatch != null) {
          return mismatch;
        }
      } else if (!(name.startsWith("java.")
          || name.startsWith("jdk.")
          || (name.equals("org.jspecify")
              && requires.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC)))) {
        return "it requires module "
            + name
            + ", but plugins may use only "
            + SPI_MODULE
            + " and the JDK";
      }
    }
    if (!needsSpi) {
      return "it does not require " + SPI_MODULE;
    }
    for (String pkg : descriptor.packages()) {
      String owner = hostPackages.get(pkg);
      if (owner != null) {
        return "it ships package " + pkg + ", which belongs to the host's module " + owner;
      }
    }
    return null;
  }

  /** A plugin built against another SPI line (major.minor) is refused. */
  private static @Nullable String spiMismatch(ModuleDescriptor.Requires requires) {
    Optional<ModuleDescriptor.Version> compiled = requires.compiledVersion();
    Optional<ModuleDescriptor.Version> host =
        ModuleLayer.boot().findModule(SPI_MODULE).flatMap(m -> m.getDescriptor().version());
    if (compiled.isEmpty() || host.isEmpty()) {
      return null;
    }
    if (!line(compiled.get()).equals(line(host.get()))) {
      return "it was built against plugin API "
          + compiled.get()
          + ", this worker has "
          + host.get();
    }
    return null;
  }

  private static String line(ModuleDescriptor.Version version) {
    String[] parts = version.toString().split("[.-]");
    return parts.length >= 2 ? parts[0] + "." + parts[1] : parts[0];
  }

  private static Map<String, String> hostPackages() {
    Map<String, String> packages = new HashMap<>();
    for (Module module : ModuleLayer.boot().modules()) {
      for (String pkg : module.getPackages()) {
        packages.put(pkg, module.getName());
      }
    }
    return packages;
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return message == null ? root.getClass().getSimpleName() : message;
  }
}
