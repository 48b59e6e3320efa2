package org.studioworker.gpu;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * The Vulkan physical devices in the loader's enumeration order, and the map from an NVML GPU to
 * its Vulkan index (the number {@code GGML_VK_VISIBLE_DEVICES} takes).
 *
 * <p>Devices are matched by UUID: NVIDIA's {@code VkPhysicalDeviceIDProperties.deviceUUID} holds
 * the same sixteen bytes as the NVML UUID, while the two orders differ (see {@code
 * docs/vulkan.md}). Immutable and thread-safe once read.
 *
 * @param devices the devices, by Vulkan index; empty when Vulkan could not be asked
 * @param reason why the list is empty ({@code libvulkan.so.1 not found}, {@code vkCreateInstance
 *     failed: VK_ERROR_INCOMPATIBLE_DRIVER}), for the caller to log; null when the loader answered
 */
public record VulkanDevices(List<VulkanDevice> devices, @Nullable String reason) {
  /** Copies the list. */
  public VulkanDevices {
    devices = List.copyOf(devices);
  }

  /**
   * Asks the Vulkan loader for its devices: {@code libvulkan.so.1} by the system loader, or the
   * file named by {@code STUDIO_WORKER_VULKAN_LIB} or the system property {@code
   * studio.worker.vulkan.lib}.
   *
   * <p>Never throws for a missing loader or a failing call: the result is then empty with a reason.
   * Blocks while the loader loads its drivers (tens to hundreds of milliseconds); the order it
   * reports depends on the environment (ICD and device-selection variables), so call it with the
   * environment the engines will inherit.
   *
   * @param env the process environment ({@code System.getenv()})
   * @param systemProperties the system properties ({@code System.getProperties()})
   */
  public static VulkanDevices read(Map<String, String> env, Properties systemProperties) {
    return read(VulkanSettings.of(env, systemProperties));
  }

  static VulkanDevices read(VulkanSettings settings) {
    VulkanLibrary.Opened opened;
    try {
      opened = VulkanLibrary.open(settings);
    } catch (RuntimeException e) {
      // E.g. IllegalCallerException when the JVM denies this module native access.
      return unavailable(
          "the Vulkan loader cannot be loaded ("
              + e
              + "); the JVM needs --enable-native-access=org.studioworker.gpu");
    }
    return switch (opened) {
      case VulkanLibrary.Missing(String why) -> unavailable(why);
      case VulkanLibrary.Found(VulkanLibrary library) -> {
        try (library) {
          yield new VulkanDevices(VulkanReader.read(library), null);
        } catch (VulkanException e) {
          yield unavailable(e.reason());
        } catch (RuntimeException e) {
          yield unavailable(library.location() + ": " + e);
        }
      }
    };
  }

  /** An empty list, and why. */
  public static VulkanDevices unavailable(String reason) {
    return new VulkanDevices(List.of(), reason);
  }

  /**
   * The Vulkan index of the GPU NVML knows by this UUID ({@code GPU-…}, any case), or empty when no
   * Vulkan device has it (a MIG instance's {@code MIG-…} UUID never matches).
   */
  public OptionalInt indexOf(String nvmlUuid) {
    String wanted = nvmlUuid.strip();
    for (VulkanDevice device : devices) {
      String uuid = device.uuid();
      if (uuid != null && uuid.equalsIgnoreCase(wanted)) {
        return OptionalInt.of(device.index());
      }
    }
    return OptionalInt.empty();
  }
}
