/*
 * A fake libvulkan.so.1 for the Vulkan device list's tests: the few loader entry points the
 * worker calls, with the real Vulkan struct layouts written out by hand (the Vulkan headers need
 * not be installed to build it).
 *
 *   gcc -shared -fPIC -o libvulkan.so.1 fake_vulkan.c
 *
 * Devices, in Vulkan's enumeration order, come from FAKE_VULKAN_DEVICES:
 *   FAKE_VULKAN_DEVICES="NVIDIA A=GPU-55555555-6666-7777-8888-999999999999;NVIDIA B=GPU-…"
 * Each entry is name=uuid[=vendorId in hex]; an empty uuid makes a Vulkan 1.0 device, which has
 * no VkPhysicalDeviceIDProperties. Without the variable the fake lists the two GPUs of
 * fake_nvml.c in the other order, so the two fakes together differ the way real machines do.
 *
 * FAKE_VULKAN_FAIL picks a failure: "create" (vkCreateInstance answers
 * VK_ERROR_INCOMPATIBLE_DRIVER), "enumerate" (vkEnumeratePhysicalDevices answers
 * VK_ERROR_INITIALIZATION_FAILED) or "incomplete" (the first count is one short, so the second
 * call answers VK_INCOMPLETE).
 *
 * The tests in this process steer the same things through fake_vulkan_set_devices and
 * fake_vulkan_set_fail (which win over the variables) and read the fake's counters.
 *
 * Like the real loader it answers vkGetInstanceProcAddr(NULL, …) only for global commands, and
 * it refuses a create info with layers, extensions or a wrong sType.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint32_t VkBool32;
typedef uint32_t VkFlags;
typedef uint64_t VkDeviceSize;
typedef VkFlags VkSampleCountFlags;
typedef int32_t VkResult;
typedef int32_t VkStructureType;
typedef int32_t VkPhysicalDeviceType;
typedef void (*PFN_vkVoidFunction)(void);

enum {
  VK_SUCCESS = 0,
  VK_INCOMPLETE = 5,
  VK_ERROR_INITIALIZATION_FAILED = -3,
  VK_ERROR_LAYER_NOT_PRESENT = -6,
  VK_ERROR_EXTENSION_NOT_PRESENT = -7,
  VK_ERROR_INCOMPATIBLE_DRIVER = -9,
};

enum {
  VK_STRUCTURE_TYPE_APPLICATION_INFO = 0,
  VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO = 1,
  VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2 = 1000059001,
  VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ID_PROPERTIES = 1000071004,
};

#define VK_API_VERSION_1_0 ((1u << 22) | (0u << 12))
#define VK_API_VERSION_1_1 ((1u << 22) | (1u << 12))
#define VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU 2

typedef struct VkApplicationInfo {
  VkStructureType sType;
  const void *pNext;
  const char *pApplicationName;
  uint32_t applicationVersion;
  const char *pEngineName;
  uint32_t engineVersion;
  uint32_t apiVersion;
} VkApplicationInfo;

typedef struct VkInstanceCreateInfo {
  VkStructureType sType;
  const void *pNext;
  VkFlags flags;
  const VkApplicationInfo *pApplicationInfo;
  uint32_t enabledLayerCount;
  const char *const *ppEnabledLayerNames;
  uint32_t enabledExtensionCount;
  const char *const *ppEnabledExtensionNames;
} VkInstanceCreateInfo;

typedef struct VkPhysicalDeviceLimits {
  uint32_t maxImageDimension1D;
  uint32_t maxImageDimension2D;
  uint32_t maxImageDimension3D;
  uint32_t maxImageDimensionCube;
  uint32_t maxImageArrayLayers;
  uint32_t maxTexelBufferElements;
  uint32_t maxUniformBufferRange;
  uint32_t maxStorageBufferRange;
  uint32_t maxPushConstantsSize;
  uint32_t maxMemoryAllocationCount;
  uint32_t maxSamplerAllocationCount;
  VkDeviceSize bufferImageGranularity;
  VkDeviceSize sparseAddressSpaceSize;
  uint32_t maxBoundDescriptorSets;
  uint32_t maxPerStageDescriptorSamplers;
  uint32_t maxPerStageDescriptorUniformBuffers;
  uint32_t maxPerStageDescriptorStorageBuffers;
  uint32_t maxPerStageDescriptorSampledImages;
  uint32_t maxPerStageDescriptorStorageImages;
  uint32_t maxPerStageDescriptorInputAttachments;
  uint32_t maxPerStageResources;
  uint32_t maxDescriptorSetSamplers;
  uint32_t maxDescriptorSetUniformBuffers;
  uint32_t maxDescriptorSetUniformBuffersDynamic;
  uint32_t maxDescriptorSetStorageBuffers;
  uint32_t maxDescriptorSetStorageBuffersDynamic;
  uint32_t maxDescriptorSetSampledImages;
  uint32_t maxDescriptorSetStorageImages;
  uint32_t maxDescriptorSetInputAttachments;
  uint32_t maxVertexInputAttributes;
  uint32_t maxVertexInputBindings;
  uint32_t maxVertexInputAttributeOffset;
  uint32_t maxVertexInputBindingStride;
  uint32_t maxVertexOutputComponents;
  uint32_t maxTessellationGenerationLevel;
  uint32_t maxTessellationPatchSize;
  uint32_t maxTessellationControlPerVertexInputComponents;
  uint32_t maxTessellationControlPerVertexOutputComponents;
  uint32_t maxTessellationControlPerPatchOutputComponents;
  uint32_t maxTessellationControlTotalOutputComponents;
  uint32_t maxTessellationEvaluationInputComponents;
  uint32_t maxTessellationEvaluationOutputComponents;
  uint32_t maxGeometryShaderInvocations;
  uint32_t maxGeometryInputComponents;
  uint32_t maxGeometryOutputComponents;
  uint32_t maxGeometryOutputVertices;
  uint32_t maxGeometryTotalOutputComponents;
  uint32_t maxFragmentInputComponents;
  uint32_t maxFragmentOutputAttachments;
  uint32_t maxFragmentDualSrcAttachments;
  uint32_t maxFragmentCombinedOutputResources;
  uint32_t maxComputeSharedMemorySize;
  uint32_t maxComputeWorkGroupCount[3];
  uint32_t maxComputeWorkGroupInvocations;
  uint32_t maxComputeWorkGroupSize[3];
  uint32_t subPixelPrecisionBits;
  uint32_t subTexelPrecisionBits;
  uint32_t mipmapPrecisionBits;
  uint32_t maxDrawIndexedIndexValue;
  uint32_t maxDrawIndirectCount;
  float maxSamplerLodBias;
  float maxSamplerAnisotropy;
  uint32_t maxViewports;
  uint32_t maxViewportDimensions[2];
  float viewportBoundsRange[2];
  uint32_t viewportSubPixelBits;
  size_t minMemoryMapAlignment;
  VkDeviceSize minTexelBufferOffsetAlignment;
  VkDeviceSize minUniformBufferOffsetAlignment;
  VkDeviceSize minStorageBufferOffsetAlignment;
  int32_t minTexelOffset;
  uint32_t maxTexelOffset;
  int32_t minTexelGatherOffset;
  uint32_t maxTexelGatherOffset;
  float minInterpolationOffset;
  float maxInterpolationOffset;
  uint32_t subPixelInterpolationOffsetBits;
  uint32_t maxFramebufferWidth;
  uint32_t maxFramebufferHeight;
  uint32_t maxFramebufferLayers;
  VkSampleCountFlags framebufferColorSampleCounts;
  VkSampleCountFlags framebufferDepthSampleCounts;
  VkSampleCountFlags framebufferStencilSampleCounts;
  VkSampleCountFlags framebufferNoAttachmentsSampleCounts;
  uint32_t maxColorAttachments;
  VkSampleCountFlags sampledImageColorSampleCounts;
  VkSampleCountFlags sampledImageIntegerSampleCounts;
  VkSampleCountFlags sampledImageDepthSampleCounts;
  VkSampleCountFlags sampledImageStencilSampleCounts;
  VkSampleCountFlags storageImageSampleCounts;
  uint32_t maxSampleMaskWords;
  VkBool32 timestampComputeAndGraphics;
  float timestampPeriod;
  uint32_t maxClipDistances;
  uint32_t maxCullDistances;
  uint32_t maxCombinedClipAndCullDistances;
  uint32_t discreteQueuePriorities;
  float pointSizeRange[2];
  float lineWidthRange[2];
  float pointSizeGranularity;
  float lineWidthGranularity;
  VkBool32 strictLines;
  VkBool32 standardSampleLocations;
  VkDeviceSize optimalBufferCopyOffsetAlignment;
  VkDeviceSize optimalBufferCopyRowPitchAlignment;
  VkDeviceSize nonCoherentAtomSize;
} VkPhysicalDeviceLimits;

typedef struct VkPhysicalDeviceSparseProperties {
  VkBool32 residencyStandard2DBlockShape;
  VkBool32 residencyStandard2DMultisampleBlockShape;
  VkBool32 residencyStandard3DBlockShape;
  VkBool32 residencyAlignedMipSize;
  VkBool32 residencyNonResidentStrict;
} VkPhysicalDeviceSparseProperties;

typedef struct VkPhysicalDeviceProperties {
  uint32_t apiVersion;
  uint32_t driverVersion;
  uint32_t vendorID;
  uint32_t deviceID;
  VkPhysicalDeviceType deviceType;
  char deviceName[256];
  uint8_t pipelineCacheUUID[16];
  VkPhysicalDeviceLimits limits;
  VkPhysicalDeviceSparseProperties sparseProperties;
} VkPhysicalDeviceProperties;

typedef struct VkPhysicalDeviceProperties2 {
  VkStructureType sType;
  void *pNext;
  VkPhysicalDeviceProperties properties;
} VkPhysicalDeviceProperties2;

typedef struct VkPhysicalDeviceIDProperties {
  VkStructureType sType;
  void *pNext;
  uint8_t deviceUUID[16];
  uint8_t driverUUID[16];
  uint8_t deviceLUID[8];
  uint32_t deviceNodeMask;
  VkBool32 deviceLUIDValid;
} VkPhysicalDeviceIDProperties;

/* Every pNext-chained output struct starts like this. */
typedef struct VkBaseOutStructure {
  VkStructureType sType;
  struct VkBaseOutStructure *pNext;
} VkBaseOutStructure;

/* The sizes the real headers give on 64-bit Linux (x86-64 and aarch64 lay these out alike). */
#if UINTPTR_MAX == UINT64_MAX
_Static_assert(sizeof(VkPhysicalDeviceLimits) == 504, "VkPhysicalDeviceLimits is 504 bytes");
_Static_assert(sizeof(VkPhysicalDeviceProperties) == 824, "VkPhysicalDeviceProperties is 824");
_Static_assert(offsetof(VkPhysicalDeviceProperties, limits) == 296, "limits start at 296");
_Static_assert(sizeof(VkPhysicalDeviceProperties2) == 840, "VkPhysicalDeviceProperties2 is 840");
_Static_assert(sizeof(VkPhysicalDeviceIDProperties) == 64, "VkPhysicalDeviceIDProperties is 64");
_Static_assert(sizeof(VkInstanceCreateInfo) == 64, "VkInstanceCreateInfo is 64");
_Static_assert(sizeof(VkApplicationInfo) == 48, "VkApplicationInfo is 48");
#endif

#define MAX_DEVICES 8

typedef struct fake_device {
  char name[256];
  uint8_t uuid[16];
  int has_uuid;
  uint32_t vendor;
} fake_device;

typedef struct fake_instance {
  uint32_t api_version;
} fake_instance;

typedef fake_instance *VkInstance;
typedef fake_device *VkPhysicalDevice;

static fake_device devices[MAX_DEVICES];
static uint32_t device_count;
static fake_instance the_instance;
static int live_instances;
static int create_calls;
static int enumerate_calls;
static int properties2_on_1_0;
static uint32_t requested_api_version;
static char devices_override[4096];
static int devices_overridden;
static char fail_override[64];
static int fail_overridden;
static int incomplete_spent;

static const char DEFAULT_DEVICES[] =
    "Fake GPU 8GB (Vulkan 0)=GPU-55555555-6666-7777-8888-999999999999;"
    "Fake GPU 24GB (Vulkan 1)=GPU-00000000-1111-2222-3333-444444444444";

static const char *fail_mode(void) {
  if (fail_overridden) {
    return fail_override;
  }
  const char *env = getenv("FAKE_VULKAN_FAIL");
  return env == NULL ? "" : env;
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* "GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (the prefix may be left out) into 16 bytes. */
static int parse_uuid(const char *text, uint8_t out[16]) {
  if (strncmp(text, "GPU-", 4) == 0) {
    text += 4;
  }
  int nibbles = 0;
  for (; *text != '\0'; text++) {
    if (*text == '-') continue;
    int v = hex_value(*text);
    if (v < 0 || nibbles >= 32) return 0;
    if (nibbles % 2 == 0) {
      out[nibbles / 2] = (uint8_t)(v << 4);
    } else {
      out[nibbles / 2] |= (uint8_t)v;
    }
    nibbles++;
  }
  return nibbles == 32;
}

/* Reads the device list anew, so a test may change it between two instances. */
static void load_devices(void) {
  const char *spec = devices_overridden ? devices_override : getenv("FAKE_VULKAN_DEVICES");
  if (spec == NULL) {
    spec = DEFAULT_DEVICES;
  }
  char copy[4096];
  snprintf(copy, sizeof copy, "%s", spec);
  memset(devices, 0, sizeof devices);
  device_count = 0;
  char *save = NULL;
  for (char *entry = strtok_r(copy, ";", &save); entry != NULL && device_count < MAX_DEVICES;
       entry = strtok_r(NULL, ";", &save)) {
    char *uuid = strchr(entry, '=');
    if (uuid == NULL) continue;
    *uuid++ = '\0';
    char *vendor = strchr(uuid, '=');
    if (vendor != NULL) *vendor++ = '\0';
    fake_device *d = &devices[device_count++];
    snprintf(d->name, sizeof d->name, "%s", entry);
    d->has_uuid = *uuid != '\0' && parse_uuid(uuid, d->uuid);
    d->vendor = vendor != NULL ? (uint32_t)strtoul(vendor, NULL, 16) : 0x10de;
  }
}

VkResult vkCreateInstance(const VkInstanceCreateInfo *info, const void *allocator,
                          VkInstance *instance) {
  (void)allocator;
  create_calls++;
  if (strcmp(fail_mode(), "create") == 0) {
    return VK_ERROR_INCOMPATIBLE_DRIVER;
  }
  if (info == NULL || instance == NULL || info->sType != VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO) {
    return VK_ERROR_INITIALIZATION_FAILED;
  }
  if (info->enabledLayerCount != 0) {
    return VK_ERROR_LAYER_NOT_PRESENT;
  }
  if (info->enabledExtensionCount != 0) {
    return VK_ERROR_EXTENSION_NOT_PRESENT;
  }
  const VkApplicationInfo *app = info->pApplicationInfo;
  if (app != NULL && app->sType != VK_STRUCTURE_TYPE_APPLICATION_INFO) {
    return VK_ERROR_INITIALIZATION_FAILED;
  }
  requested_api_version = app == NULL ? VK_API_VERSION_1_0 : app->apiVersion;
  load_devices();
  incomplete_spent = 0;
  the_instance.api_version = requested_api_version;
  live_instances++;
  *instance = &the_instance;
  return VK_SUCCESS;
}

void vkDestroyInstance(VkInstance instance, const void *allocator) {
  (void)allocator;
  if (instance == &the_instance && live_instances > 0) {
    live_instances--;
  }
}

VkResult vkEnumeratePhysicalDevices(VkInstance instance, uint32_t *count,
                                    VkPhysicalDevice *out) {
  enumerate_calls++;
  if (instance != &the_instance || live_instances == 0 || count == NULL) {
    return VK_ERROR_INITIALIZATION_FAILED;
  }
  const char *fail = fail_mode();
  if (strcmp(fail, "enumerate") == 0) {
    return VK_ERROR_INITIALIZATION_FAILED;
  }
  if (out == NULL) {
    // "incomplete": the first count misses one device, as when a GPU appears between the calls.
    int short_count = strcmp(fail, "incomplete") == 0 && !incomplete_spent && device_count > 0;
    *count = short_count ? device_count - 1 : device_count;
    return VK_SUCCESS;
  }
  if (strcmp(fail, "incomplete") == 0) {
    incomplete_spent = 1;
  }
  uint32_t written = *count < device_count ? *count : device_count;
  for (uint32_t i = 0; i < written; i++) {
    out[i] = &devices[i];
  }
  *count = written;
  return written < device_count ? VK_INCOMPLETE : VK_SUCCESS;
}

static void fill_properties(const fake_device *d, VkPhysicalDeviceProperties *p) {
  memset(p, 0, sizeof *p);
  p->apiVersion = d->has_uuid ? VK_API_VERSION_1_1 : VK_API_VERSION_1_0;
  p->driverVersion = 1;
  p->vendorID = d->vendor;
  p->deviceID = 0x2684;
  p->deviceType = VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU;
  snprintf(p->deviceName, sizeof p->deviceName, "%s", d->name);
  memset(p->pipelineCacheUUID, 0xee, sizeof p->pipelineCacheUUID);
  // The last members, so a caller whose struct is too short has them written past its end.
  p->limits.nonCoherentAtomSize = 64;
  p->sparseProperties.residencyNonResidentStrict = 1;
}

void vkGetPhysicalDeviceProperties(VkPhysicalDevice device, VkPhysicalDeviceProperties *out) {
  fill_properties(device, out);
}

void vkGetPhysicalDeviceProperties2(VkPhysicalDevice device, VkPhysicalDeviceProperties2 *out) {
  if (!device->has_uuid) {
    // A Vulkan 1.0 device: calling this without VK_KHR_get_physical_device_properties2 is
    // invalid; count it so a test can see it never happens.
    properties2_on_1_0++;
  }
  fill_properties(device, &out->properties);
  for (VkBaseOutStructure *next = out->pNext; next != NULL; next = next->pNext) {
    if (next->sType == VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ID_PROPERTIES && device->has_uuid) {
      VkPhysicalDeviceIDProperties *id = (VkPhysicalDeviceIDProperties *)next;
      memcpy(id->deviceUUID, device->uuid, 16);
      memset(id->driverUUID, 0xdd, sizeof id->driverUUID);
      memset(id->deviceLUID, 0, sizeof id->deviceLUID);
      id->deviceNodeMask = 0;
      id->deviceLUIDValid = 0;
    }
  }
}

PFN_vkVoidFunction vkGetInstanceProcAddr(VkInstance instance, const char *name) {
  if (name == NULL) {
    return NULL;
  }
  if (strcmp(name, "vkGetInstanceProcAddr") == 0) {
    return (PFN_vkVoidFunction)vkGetInstanceProcAddr;
  }
  if (strcmp(name, "vkCreateInstance") == 0) {
    return (PFN_vkVoidFunction)vkCreateInstance;
  }
  if (instance == NULL) {
    return NULL; // instance commands need an instance, as the loader insists
  }
  if (strcmp(name, "vkDestroyInstance") == 0) {
    return (PFN_vkVoidFunction)vkDestroyInstance;
  }
  if (strcmp(name, "vkEnumeratePhysicalDevices") == 0) {
    return (PFN_vkVoidFunction)vkEnumeratePhysicalDevices;
  }
  if (strcmp(name, "vkGetPhysicalDeviceProperties") == 0) {
    return (PFN_vkVoidFunction)vkGetPhysicalDeviceProperties;
  }
  if (strcmp(name, "vkGetPhysicalDeviceProperties2") == 0 &&
      instance->api_version >= VK_API_VERSION_1_1) {
    return (PFN_vkVoidFunction)vkGetPhysicalDeviceProperties2;
  }
  return NULL;
}

/* ---- steering and counters, for the tests ---- */

void fake_vulkan_reset(void) {
  devices_overridden = 0;
  fail_overridden = 0;
  live_instances = 0;
  create_calls = 0;
  enumerate_calls = 0;
  properties2_on_1_0 = 0;
  requested_api_version = 0;
}

/* Overrides FAKE_VULKAN_DEVICES until the next reset. */
void fake_vulkan_set_devices(const char *spec) {
  snprintf(devices_override, sizeof devices_override, "%s", spec);
  devices_overridden = 1;
}

/* Overrides FAKE_VULKAN_FAIL until the next reset; "" fails nothing. */
void fake_vulkan_set_fail(const char *mode) {
  snprintf(fail_override, sizeof fail_override, "%s", mode);
  fail_overridden = 1;
}

int fake_vulkan_live_instances(void) { return live_instances; }
int fake_vulkan_create_calls(void) { return create_calls; }
int fake_vulkan_enumerate_calls(void) { return enumerate_calls; }
int fake_vulkan_properties2_on_1_0(void) { return properties2_on_1_0; }
uint32_t fake_vulkan_requested_api_version(void) { return requested_api_version; }

/* The layout the compiler gives each struct, for the test that compares the Java layouts. */
int64_t fake_vulkan_sizeof_properties(void) { return sizeof(VkPhysicalDeviceProperties); }
int64_t fake_vulkan_sizeof_limits(void) { return sizeof(VkPhysicalDeviceLimits); }
int64_t fake_vulkan_sizeof_sparse_properties(void) {
  return sizeof(VkPhysicalDeviceSparseProperties);
}
int64_t fake_vulkan_sizeof_properties2(void) { return sizeof(VkPhysicalDeviceProperties2); }
int64_t fake_vulkan_sizeof_id_properties(void) { return sizeof(VkPhysicalDeviceIDProperties); }
int64_t fake_vulkan_sizeof_instance_create_info(void) { return sizeof(VkInstanceCreateInfo); }
int64_t fake_vulkan_sizeof_application_info(void) { return sizeof(VkApplicationInfo); }
int64_t fake_vulkan_offsetof_limits(void) { return offsetof(VkPhysicalDeviceProperties, limits); }
int64_t fake_vulkan_offsetof_sparse_properties(void) {
  return offsetof(VkPhysicalDeviceProperties, sparseProperties);
}
int64_t fake_vulkan_offsetof_device_uuid(void) {
  return offsetof(VkPhysicalDeviceIDProperties, deviceUUID);
}
int64_t fake_vulkan_offsetof_min_memory_map_alignment(void) {
  return offsetof(VkPhysicalDeviceLimits, minMemoryMapAlignment);
}
int64_t fake_vulkan_offsetof_non_coherent_atom_size(void) {
  return offsetof(VkPhysicalDeviceLimits, nonCoherentAtomSize);
}
