package org.studioworker.gpu;

import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.sequenceLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.StructLayout;

/**
 * The Vulkan structs the device list passes to the loader, laid out as the C compiler lays out
 * {@code vulkan_core.h} on 64-bit Linux (x86-64 and aarch64 agree: natural alignment, 8-byte
 * pointers, {@code size_t} and {@code VkDeviceSize}).
 *
 * <p>Every member is written out, even those nothing reads, so the sizes follow from the header's
 * member list rather than from a number copied here; the tests compare each size with what gcc
 * gives the same structs in the fake loader. Constants only; no state.
 */
final class VulkanStructs {
  /** {@code VK_STRUCTURE_TYPE_APPLICATION_INFO}. */
  static final int STRUCTURE_TYPE_APPLICATION_INFO = 0;

  /** {@code VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO}. */
  static final int STRUCTURE_TYPE_INSTANCE_CREATE_INFO = 1;

  /** {@code VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2}. */
  static final int STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2 = 1000059001;

  /** {@code VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ID_PROPERTIES}. */
  static final int STRUCTURE_TYPE_PHYSICAL_DEVICE_ID_PROPERTIES = 1000071004;

  /** {@code VK_MAKE_API_VERSION(0, 1, 1, 0)}: 1 << 22 | 1 << 12 = 0x00401000. */
  static final int API_VERSION_1_1 = 1 << 22 | 1 << 12;

  /** {@code VK_MAX_PHYSICAL_DEVICE_NAME_SIZE}. */
  static final int MAX_PHYSICAL_DEVICE_NAME_SIZE = 256;

  /** {@code VK_UUID_SIZE}. */
  static final int UUID_SIZE = 16;

  /** {@code VkApplicationInfo}: 48 bytes. */
  static final StructLayout APPLICATION_INFO =
      structLayout(
          JAVA_INT.withName("sType"),
          paddingLayout(4),
          ADDRESS.withName("pNext"),
          ADDRESS.withName("pApplicationName"),
          JAVA_INT.withName("applicationVersion"),
          paddingLayout(4),
          ADDRESS.withName("pEngineName"),
          JAVA_INT.withName("engineVersion"),
          JAVA_INT.withName("apiVersion"));

  /** {@code VkInstanceCreateInfo}: 64 bytes. */
  static final StructLayout INSTANCE_CREATE_INFO =
      structLayout(
          JAVA_INT.withName("sType"),
          paddingLayout(4),
          ADDRESS.withName("pNext"),
          JAVA_INT.withName("flags"),
          paddingLayout(4),
          ADDRESS.withName("pApplicationInfo"),
          JAVA_INT.withName("enabledLayerCount"),
          paddingLayout(4),
          ADDRESS.withName("ppEnabledLayerNames"),
          JAVA_INT.withName("enabledExtensionCount"),
          paddingLayout(4),
          ADDRESS.withName("ppEnabledExtensionNames"));

  /**
   * {@code VkPhysicalDeviceLimits}: 106 members, 504 bytes, in the header's order. The three runs
   * of 8-byte members start on 8-byte offsets (48, 304, 480), so three 4-byte holes precede them:
   * after the first 11 words (44 → 48), the next 59 (300 → 304) and the next 35 (476 → 480).
   */
  static final StructLayout LIMITS =
      structLayout(
          JAVA_INT.withName("maxImageDimension1D"),
          JAVA_INT.withName("maxImageDimension2D"),
          JAVA_INT.withName("maxImageDimension3D"),
          JAVA_INT.withName("maxImageDimensionCube"),
          JAVA_INT.withName("maxImageArrayLayers"),
          JAVA_INT.withName("maxTexelBufferElements"),
          JAVA_INT.withName("maxUniformBufferRange"),
          JAVA_INT.withName("maxStorageBufferRange"),
          JAVA_INT.withName("maxPushConstantsSize"),
          JAVA_INT.withName("maxMemoryAllocationCount"),
          JAVA_INT.withName("maxSamplerAllocationCount"),
          // 11 × 4 = 44: pad to 48 for the VkDeviceSize.
          paddingLayout(4),
          JAVA_LONG.withName("bufferImageGranularity"),
          JAVA_LONG.withName("sparseAddressSpaceSize"),
          JAVA_INT.withName("maxBoundDescriptorSets"),
          JAVA_INT.withName("maxPerStageDescriptorSamplers"),
          JAVA_INT.withName("maxPerStageDescriptorUniformBuffers"),
          JAVA_INT.withName("maxPerStageDescriptorStorageBuffers"),
          JAVA_INT.withName("maxPerStageDescriptorSampledImages"),
          JAVA_INT.withName("maxPerStageDescriptorStorageImages"),
          JAVA_INT.withName("maxPerStageDescriptorInputAttachments"),
          JAVA_INT.withName("maxPerStageResources"),
          JAVA_INT.withName("maxDescriptorSetSamplers"),
          JAVA_INT.withName("maxDescriptorSetUniformBuffers"),
          JAVA_INT.withName("maxDescriptorSetUniformBuffersDynamic"),
          JAVA_INT.withName("maxDescriptorSetStorageBuffers"),
          JAVA_INT.withName("maxDescriptorSetStorageBuffersDynamic"),
          JAVA_INT.withName("maxDescriptorSetSampledImages"),
          JAVA_INT.withName("maxDescriptorSetStorageImages"),
          JAVA_INT.withName("maxDescriptorSetInputAttachments"),
          JAVA_INT.withName("maxVertexInputAttributes"),
          JAVA_INT.withName("maxVertexInputBindings"),
          JAVA_INT.withName("maxVertexInputAttributeOffset"),
          JAVA_INT.withName("maxVertexInputBindingStride"),
          JAVA_INT.withName("maxVertexOutputComponents"),
          JAVA_INT.withName("maxTessellationGenerationLevel"),
          JAVA_INT.withName("maxTessellationPatchSize"),
          JAVA_INT.withName("maxTessellationControlPerVertexInputComponents"),
          JAVA_INT.withName("maxTessellationControlPerVertexOutputComponents"),
          JAVA_INT.withName("maxTessellationControlPerPatchOutputComponents"),
          JAVA_INT.withName("maxTessellationControlTotalOutputComponents"),
          JAVA_INT.withName("maxTessellationEvaluationInputComponents"),
          JAVA_INT.withName("maxTessellationEvaluationOutputComponents"),
          JAVA_INT.withName("maxGeometryShaderInvocations"),
          JAVA_INT.withName("maxGeometryInputComponents"),
          JAVA_INT.withName("maxGeometryOutputComponents"),
          JAVA_INT.withName("maxGeometryOutputVertices"),
          JAVA_INT.withName("maxGeometryTotalOutputComponents"),
          JAVA_INT.withName("maxFragmentInputComponents"),
          JAVA_INT.withName("maxFragmentOutputAttachments"),
          JAVA_INT.withName("maxFragmentDualSrcAttachments"),
          JAVA_INT.withName("maxFragmentCombinedOutputResources"),
          JAVA_INT.withName("maxComputeSharedMemorySize"),
          sequenceLayout(3, JAVA_INT).withName("maxComputeWorkGroupCount"),
          JAVA_INT.withName("maxComputeWorkGroupInvocations"),
          sequenceLayout(3, JAVA_INT).withName("maxComputeWorkGroupSize"),
          JAVA_INT.withName("subPixelPrecisionBits"),
          JAVA_INT.withName("subTexelPrecisionBits"),
          JAVA_INT.withName("mipmapPrecisionBits"),
          JAVA_INT.withName("maxDrawIndexedIndexValue"),
          JAVA_INT.withName("maxDrawIndirectCount"),
          JAVA_FLOAT.withName("maxSamplerLodBias"),
          JAVA_FLOAT.withName("maxSamplerAnisotropy"),
          JAVA_INT.withName("maxViewports"),
          sequenceLayout(2, JAVA_INT).withName("maxViewportDimensions"),
          sequenceLayout(2, JAVA_FLOAT).withName("viewportBoundsRange"),
          JAVA_INT.withName("viewportSubPixelBits"),
          // 64 + 59 × 4 = 300: pad to 304 for the size_t.
          paddingLayout(4),
          JAVA_LONG.withName("minMemoryMapAlignment"),
          JAVA_LONG.withName("minTexelBufferOffsetAlignment"),
          JAVA_LONG.withName("minUniformBufferOffsetAlignment"),
          JAVA_LONG.withName("minStorageBufferOffsetAlignment"),
          JAVA_INT.withName("minTexelOffset"),
          JAVA_INT.withName("maxTexelOffset"),
          JAVA_INT.withName("minTexelGatherOffset"),
          JAVA_INT.withName("maxTexelGatherOffset"),
          JAVA_FLOAT.withName("minInterpolationOffset"),
          JAVA_FLOAT.withName("maxInterpolationOffset"),
          JAVA_INT.withName("subPixelInterpolationOffsetBits"),
          JAVA_INT.withName("maxFramebufferWidth"),
          JAVA_INT.withName("maxFramebufferHeight"),
          JAVA_INT.withName("maxFramebufferLayers"),
          JAVA_INT.withName("framebufferColorSampleCounts"),
          JAVA_INT.withName("framebufferDepthSampleCounts"),
          JAVA_INT.withName("framebufferStencilSampleCounts"),
          JAVA_INT.withName("framebufferNoAttachmentsSampleCounts"),
          JAVA_INT.withName("maxColorAttachments"),
          JAVA_INT.withName("sampledImageColorSampleCounts"),
          JAVA_INT.withName("sampledImageIntegerSampleCounts"),
          JAVA_INT.withName("sampledImageDepthSampleCounts"),
          JAVA_INT.withName("sampledImageStencilSampleCounts"),
          JAVA_INT.withName("storageImageSampleCounts"),
          JAVA_INT.withName("maxSampleMaskWords"),
          JAVA_INT.withName("timestampComputeAndGraphics"),
          JAVA_FLOAT.withName("timestampPeriod"),
          JAVA_INT.withName("maxClipDistances"),
          JAVA_INT.withName("maxCullDistances"),
          JAVA_INT.withName("maxCombinedClipAndCullDistances"),
          JAVA_INT.withName("discreteQueuePriorities"),
          sequenceLayout(2, JAVA_FLOAT).withName("pointSizeRange"),
          sequenceLayout(2, JAVA_FLOAT).withName("lineWidthRange"),
          JAVA_FLOAT.withName("pointSizeGranularity"),
          JAVA_FLOAT.withName("lineWidthGranularity"),
          JAVA_INT.withName("strictLines"),
          JAVA_INT.withName("standardSampleLocations"),
          // 336 + 35 × 4 = 476: pad to 480 for the VkDeviceSize.
          paddingLayout(4),
          JAVA_LONG.withName("optimalBufferCopyOffsetAlignment"),
          JAVA_LONG.withName("optimalBufferCopyRowPitchAlignment"),
          JAVA_LONG.withName("nonCoherentAtomSize"));

  /** {@code VkPhysicalDeviceSparseProperties}: five {@code VkBool32}, 20 bytes. */
  static final StructLayout SPARSE_PROPERTIES =
      structLayout(
          JAVA_INT.withName("residencyStandard2DBlockShape"),
          JAVA_INT.withName("residencyStandard2DMultisampleBlockShape"),
          JAVA_INT.withName("residencyStandard3DBlockShape"),
          JAVA_INT.withName("residencyAlignedMipSize"),
          JAVA_INT.withName("residencyNonResidentStrict"));

  /**
   * {@code VkPhysicalDeviceProperties}: 824 bytes. Why the two pads: the five words and the two
   * arrays end at 20 + 256 + 16 = 292, and the limits (8-byte aligned) start at 296; the sparse
   * properties end at 296 + 504 + 20 = 820, and the struct rounds up to its alignment, 824.
   */
  static final StructLayout PROPERTIES =
      structLayout(
          JAVA_INT.withName("apiVersion"),
          JAVA_INT.withName("driverVersion"),
          JAVA_INT.withName("vendorID"),
          JAVA_INT.withName("deviceID"),
          JAVA_INT.withName("deviceType"),
          sequenceLayout(MAX_PHYSICAL_DEVICE_NAME_SIZE, JAVA_BYTE).withName("deviceName"),
          sequenceLayout(UUID_SIZE, JAVA_BYTE).withName("pipelineCacheUUID"),
          paddingLayout(4),
          LIMITS.withName("limits"),
          SPARSE_PROPERTIES.withName("sparseProperties"),
          paddingLayout(4));

  /** {@code VkPhysicalDeviceProperties2}: sType, pNext, then the properties; 840 bytes. */
  static final StructLayout PROPERTIES_2 =
      structLayout(
          JAVA_INT.withName("sType"),
          paddingLayout(4),
          ADDRESS.withName("pNext"),
          PROPERTIES.withName("properties"));

  /** {@code VkPhysicalDeviceIDProperties} (core in 1.1): 64 bytes. */
  static final StructLayout ID_PROPERTIES =
      structLayout(
          JAVA_INT.withName("sType"),
          paddingLayout(4),
          ADDRESS.withName("pNext"),
          sequenceLayout(UUID_SIZE, JAVA_BYTE).withName("deviceUUID"),
          sequenceLayout(UUID_SIZE, JAVA_BYTE).withName("driverUUID"),
          sequenceLayout(8, JAVA_BYTE).withName("deviceLUID"),
          JAVA_INT.withName("deviceNodeMask"),
          JAVA_INT.withName("deviceLUIDValid"));

  private VulkanStructs() {}

  /** The byte offset of a member, by its path of names. */
  static long offset(StructLayout layout, String... path) {
    PathElement[] elements = new PathElement[path.length];
    for (int i = 0; i < path.length; i++) {
      elements[i] = PathElement.groupElement(path[i]);
    }
    return layout.byteOffset(elements);
  }
}
