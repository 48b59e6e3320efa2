package org.studioworker.gpu;

/**
 * The {@code VkResult} codes the device list can meet, by the names the specification gives them.
 *
 * <p>Only the core 1.0 codes are named; another prints as its number, which is enough to look it
 * up. Constants only; no state.
 */
final class VulkanResult {
  static final int SUCCESS = 0;
  static final int INCOMPLETE = 5;

  private VulkanResult() {}

  /** The specification's name of a result, e.g. {@code VK_ERROR_INCOMPATIBLE_DRIVER} for -9. */
  static String name(int result) {
    return switch (result) {
      case 0 -> "VK_SUCCESS";
      case 1 -> "VK_NOT_READY";
      case 2 -> "VK_TIMEOUT";
      case 3 -> "VK_EVENT_SET";
      case 4 -> "VK_EVENT_RESET";
      case 5 -> "VK_INCOMPLETE";
      case -1 -> "VK_ERROR_OUT_OF_HOST_MEMORY";
      case -2 -> "VK_ERROR_OUT_OF_DEVICE_MEMORY";
      case -3 -> "VK_ERROR_INITIALIZATION_FAILED";
      case -4 -> "VK_ERROR_DEVICE_LOST";
      case -5 -> "VK_ERROR_MEMORY_MAP_FAILED";
      case -6 -> "VK_ERROR_LAYER_NOT_PRESENT";
      case -7 -> "VK_ERROR_EXTENSION_NOT_PRESENT";
      case -8 -> "VK_ERROR_FEATURE_NOT_PRESENT";
      case -9 -> "VK_ERROR_INCOMPATIBLE_DRIVER";
      case -10 -> "VK_ERROR_TOO_MANY_OBJECTS";
      case -11 -> "VK_ERROR_FORMAT_NOT_SUPPORTED";
      case -12 -> "VK_ERROR_FRAGMENTED_POOL";
      case -13 -> "VK_ERROR_UNKNOWN";
      default -> "VkResult " + result;
    };
  }
}
