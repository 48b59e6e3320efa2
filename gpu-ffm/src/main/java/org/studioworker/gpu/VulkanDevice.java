package org.studioworker.gpu;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One Vulkan physical device, as the Vulkan loader lists it.
 *
 * @param index the position in {@code vkEnumeratePhysicalDevices}: the number {@code
 *     GGML_VK_VISIBLE_DEVICES} takes
 * @param name {@code VkPhysicalDeviceProperties.deviceName}
 * @param vendorId the PCI vendor id ({@code 0x10de} for NVIDIA)
 * @param uuid {@code VkPhysicalDeviceIDProperties.deviceUUID} written as NVML writes a UUID ({@code
 *     GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}, lowercase); null for a Vulkan 1.0 device, which
 *     has no such property, or one that reports all zeros
 */
public record VulkanDevice(int index, String name, int vendorId, @Nullable String uuid) {
  /** PCI vendor id of NVIDIA. */
  public static final int VENDOR_NVIDIA = 0x10de;

  /** Rejects a null name and a negative index. */
  public VulkanDevice {
    Objects.requireNonNull(name, "name");
    if (index < 0) {
      throw new IllegalArgumentException("index must not be negative");
    }
  }
}
