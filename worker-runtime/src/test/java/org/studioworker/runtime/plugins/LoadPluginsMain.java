package org.studioworker.runtime.plugins;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.studioworker.spi.Executor;
import org.studioworker.spi.ExecutorEnvironment;

/**
 * Loads the plugins of the folder {@code args[0]} with {@link PluginLoader}, as the worker does,
 * and creates each one's executor: prints {@code loaded <engine>} per plugin, then {@code serves
 * <what>} or {@code create failed: <exception>}. Run in a child JVM on the module path, patched
 * into the runtime module, so that its native access is what the JVM's flags make it.
 */
public final class LoadPluginsMain {
  private LoadPluginsMain() {}

  public static void main(String[] args) throws Exception {
    Path work = Files.createTempDirectory("load-plugins-");
    ExecutorEnvironment environment = new ExecutorEnvironment(work, work);
    List<PluginLoader.Plugin> plugins = PluginLoader.load(List.of(Path.of(args[0])));
    for (PluginLoader.Plugin plugin : plugins) {
      System.out.println("loaded " + plugin.provider().engine());
      try (Executor executor = plugin.provider().create(environment)) {
        System.out.println("serves " + executor.serves());
      } catch (RuntimeException e) {
        System.out.println("create failed: " + e);
      }
    }
    System.out.println("done " + plugins.size());
  }
}
