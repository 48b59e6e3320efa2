package org.studioworker.gpu;

/**
 * A Vulkan command that answered an error, or could not be called; the message is the line the
 * device list reports ({@code vkCreateInstance failed: VK_ERROR_INCOMPATIBLE_DRIVER}).
 */
final class VulkanException extends Exception {
  private static final long serialVersionUID = 1L;

  /** The message, never null. */
  private final String reason;

  VulkanException(String reason) {
    super(reason);
    this.reason = reason;
  }

  /** The one-line reason, as the device list reports it. */
  String reason() {
    return reason;
  }

  /** A command that returned a {@code VkResult} other than success. */
  static VulkanException failed(String command, int result) {
    return new VulkanException(command + " failed: " + VulkanResult.name(result));
  }
}
