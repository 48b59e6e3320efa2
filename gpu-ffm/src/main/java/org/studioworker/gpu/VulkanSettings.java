package org.studioworker.gpu;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * Which Vulkan loader {@link VulkanDevices#read} opens.
 *
 * @param explicitLibrary the loader the operator named, or null
 * @param explicitFrom where that name came from (the variable or property), for messages
 * @param loaderName the name handed to the system loader ({@code libvulkan.so.1})
 */
record VulkanSettings(@Nullable Path explicitLibrary, String explicitFrom, String loaderName) {
  /** The environment variable naming the Vulkan loader. */
  static final String LIBRARY_ENV = "STUDIO_WORKER_VULKAN_LIB";

  /** The system property naming the Vulkan loader. */
  static final String LIBRARY_PROPERTY = "studio.worker.vulkan.lib";

  /** The loader's name for the system loader; its soname since Vulkan 1.0. */
  static final String LOADER_NAME = "libvulkan.so.1";

  VulkanSettings {
    Objects.requireNonNull(explicitFrom, "explicitFrom");
    Objects.requireNonNull(loaderName, "loaderName");
  }

  /**
   * The production settings: the library named by {@value #LIBRARY_ENV}, else by {@value
   * #LIBRARY_PROPERTY}, else {@value #LOADER_NAME} as the system loader finds it.
   */
  static VulkanSettings of(Map<String, String> env, Properties systemProperties) {
    String fromEnv = env.get(LIBRARY_ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return new VulkanSettings(Path.of(fromEnv.strip()), LIBRARY_ENV, LOADER_NAME);
    }
    String fromProperty = systemProperties.getProperty(LIBRARY_PROPERTY);
    if (fromProperty != null && !fromProperty.isBlank()) {
      return new VulkanSettings(Path.of(fromProperty.strip()), LIBRARY_PROPERTY, LOADER_NAME);
    }
    return new VulkanSettings(null, LIBRARY_ENV, LOADER_NAME);
  }
}
