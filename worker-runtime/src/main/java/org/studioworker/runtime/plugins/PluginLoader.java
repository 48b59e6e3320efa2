package org.studioworker.runtime.plugins;

import java.io.IOException;
import java.lang.module.Configuration;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.module.ResolutionException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
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
 * <p>A plugin whose jar manifest has the main attribute {@value #NATIVE_ACCESS_ATTRIBUTE}{@code :
 * true} is granted native access through its layer's {@link ModuleLayer.Controller} (JEP 472), so
 * that it may call restricted methods ({@code System.load}, the FFM linker) without a warning and
 * under {@code --illegal-native-access=deny}. Granting it is itself restricted: the runtime module
 * needs {@code --enable-native-access=org.studioworker.runtime}, which the launchers pass.
 *
 * <p>A jar that does not load is skipped with a warning naming the file; loading never fails the
 * worker. Called once at start, on the start-up thread.
 */
public final class PluginLoader {
  private static final Logger log = LoggerFactory.getLogger("plugins");

  private static final String SPI_MODULE = "org.studioworker.spi";

  /**
   * The main manifest attribute by which a plugin asks for native access; its value: {@code true}.
   */
  public static final String NATIVE_ACCESS_ATTRIBUTE = "Studio-Worker-Native-Access";

  /** The name of the folder of plugins, in the config dir and beside the distribution's lib. */
  private static final String PLUGINS = "plugins";

  private PluginLoader() {}

  /** A provider and the jar it came from. */
  public record Plugin(ExecutorProvider provider, Path jar) {}

  /**
   * Every plugin folder, in the order they are loaded: the distribution's own ({@link
   * #shippedFolder()}), the installation's ({@code <root>/plugins}, kept across updates), then
   * {@code <configDir>/plugins}, then the extra ones ({@code --plugins}); each folder once.
   *
   * @param configDir the folder of the config file, or null when it has none
   * @param extra the folders given on the command line, in their order
   */
  public static List<Path> folders(@Nullable Path configDir, List<Path> extra) {
    return folders(shippedFolder().orElse(null), configDir, extra);
  }

  /**
   * The same, with the distribution's folder given (null: none). A folder named twice (the config
   * dir's given again with {@code --plugins}) is kept at its first place only, so that its jars
   * load once.
   */
  static List<Path> folders(@Nullable Path shipped, @Nullable Path configDir, List<Path> extra) {
    List<Path> candidates = new ArrayList<>();
    if (shipped != null) {
      candidates.add(shipped);
      installationFolder(shipped).ifPresent(candidates::add);
    }
    if (configDir != null) {
      candidates.add(configDir.resolve(PLUGINS));
    }
    candidates.addAll(extra);
    List<Path> all = new ArrayList<>();
    Set<Path> seen = new HashSet<>();
    for (Path folder : candidates) {
      if (seen.add(folder.toAbsolutePath().normalize())) {
        all.add(folder);
      }
    }
    return List.copyOf(all);
  }

  /**
   * The plugins shipped with the distribution: the folder {@code plugins} beside the {@code lib}
   * folder that holds this module's jar ({@code <version dir>/lib/worker-runtime-*.jar} → {@code
   * <version dir>/plugins}). Empty when the runtime does not run from a jar (a classes folder, as
   * in tests and the IDE).
   */
  public static Optional<Path> shippedFolder() {
    CodeSource source = PluginLoader.class.getProtectionDomain().getCodeSource();
    URL location = source == null ? null : source.getLocation();
    if (location == null) {
      return Optional.empty();
    }
    try {
      return shippedFolder(Path.of(location.toURI()));
    } catch (URISyntaxException | IllegalArgumentException | FileSystemNotFoundException e) {
      return Optional.empty();
    }
  }

  /** The distribution's plugins folder for a runtime loaded from {@code codeSource}. */
  static Optional<Path> shippedFolder(Path codeSource) {
    Path file = codeSource.toAbsolutePath().normalize();
    Path name = file.getFileName();
    if (name == null || !name.toString().endsWith(".jar") || !Files.isRegularFile(file)) {
      return Optional.empty();
    }
    Path lib = file.getParent();
    Path versionDir = lib == null ? null : lib.getParent();
    return versionDir == null ? Optional.empty() : Optional.of(versionDir.resolve(PLUGINS));
  }

  /**
   * The plugins of an installation, which survive its updates: {@code <root>/plugins} when the
   * shipped folder is {@code <root>/versions/<v>/plugins} (the layout of install.sh, as the
   * launcher recognises it); empty for an unpacked archive or the development build.
   */
  static Optional<Path> installationFolder(Path shipped) {
    Path versionDir = shipped.toAbsolutePath().normalize().getParent();
    Path versions = versionDir == null ? null : versionDir.getParent();
    Path name = versions == null ? null : versions.getFileName();
    Path root = versions == null ? null : versions.getParent();
    if (name == null || root == null || !name.toString().equals("versions")) {
      return Optional.empty();
    }
    return Optional.of(root.resolve(PLUGINS));
  }

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
    boolean wantsNative;
    try {
      wantsNative = asksForNativeAccess(jar);
    } catch (IOException e) {
      log.warn("skipping plugin {}: cannot read its manifest ({})", jar, e.getMessage());
      return List.of();
    }
    ModuleLayer layer;
    try {
      ModuleLayer boot = ModuleLayer.boot();
      Configuration configuration =
          boot.configuration()
              .resolve(ModuleFinder.of(jar), ModuleFinder.of(), Set.of(descriptor.name()));
      ModuleLayer.Controller controller =
          ModuleLayer.defineModulesWithOneLoader(
              configuration, List.of(boot), ClassLoader.getPlatformClassLoader());
      layer = controller.layer();
      if (wantsNative) {
        enableNativeAccess(controller, jar, descriptor.name());
      }
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

  /** Whether the jar's manifest has {@value #NATIVE_ACCESS_ATTRIBUTE}{@code : true}. */
  static boolean asksForNativeAccess(Path jar) throws IOException {
    try (JarFile file = new JarFile(jar.toFile())) {
      Manifest manifest = file.getManifest();
      if (manifest == null) {
        return false;
      }
      Attributes main = manifest.getMainAttributes();
      String value = main.getValue(NATIVE_ACCESS_ATTRIBUTE);
      return value != null && value.strip().equalsIgnoreCase("true");
    }
  }

  /**
   * Grants the plugin's module native access; without native access of our own (under {@code
   * --illegal-native-access=deny}) it says how to fix that, and the plugin loads without it.
   */
  private static void enableNativeAccess(ModuleLayer.Controller controller, Path jar, String name) {
    Module module = controller.layer().findModule(name).orElseThrow();
    try {
      controller.enableNativeAccess(module);
      log.info("plugin {} (module {}) may call native code", jar.getFileName(), name);
    } catch (IllegalCallerException e) {
      log.warn(
          "plugin {} (module {}) asks for native access, but the worker cannot grant it: the JVM"
              + " needs --enable-native-access=org.studioworker.runtime (the launchers pass it);"
              + " the plugin loads without native access and its native calls will fail ({})",
          jar.getFileName(),
          name,
          e.getMessage());
    }
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
