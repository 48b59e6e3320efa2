package org.studioworker.gpu;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Lists the physical devices of one opened loader: {@code vkCreateInstance} (API 1.1, no layers, no
 * extensions), {@code vkEnumeratePhysicalDevices}, then per device {@code
 * vkGetPhysicalDeviceProperties} and, on a 1.1 device, {@code vkGetPhysicalDeviceProperties2} with
 * {@code VkPhysicalDeviceIDProperties} chained; the instance is always destroyed.
 *
 * <p>Runs on the caller's thread and blocks while the loader loads its drivers (tens to hundreds of
 * milliseconds). Stateless.
 */
final class VulkanReader {
  private static final FunctionDescriptor RESULT_PTR_PTR_PTR =
      FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
  private static final FunctionDescriptor VOID_PTR_PTR =
      FunctionDescriptor.ofVoid(ADDRESS, ADDRESS);

  // Why 64: the largest servers have 16 GPUs; a count past this is a broken driver's, not a list.
  private static final int MAX_DEVICES = 64;

  // Why 3: a count can change between the two calls only when a device comes or goes, which is
  // rare; three tries cover it without looping on a driver that always answers VK_INCOMPLETE.
  private static final int ENUMERATE_TRIES = 3;

  private static final long API_VERSION =
      VulkanStructs.offset(VulkanStructs.PROPERTIES, "apiVersion");
  private static final long VENDOR_ID = VulkanStructs.offset(VulkanStructs.PROPERTIES, "vendorID");
  private static final long DEVICE_NAME =
      VulkanStructs.offset(VulkanStructs.PROPERTIES, "deviceName");
  private static final long DEVICE_UUID =
      VulkanStructs.offset(VulkanStructs.ID_PROPERTIES, "deviceUUID");
  private static final HexFormat HEX = HexFormat.of();

  private VulkanReader() {}

  /** The devices in the loader's order; a failing command throws with its {@code VkResult}. */
  static List<VulkanDevice> read(VulkanLibrary library) throws VulkanException {
    try (Arena arena = Arena.ofConfined()) {
      MethodHandle create =
          require(
              library.command(MemorySegment.NULL, "vkCreateInstance", RESULT_PTR_PTR_PTR, arena),
              "vkCreateInstance");
      MemorySegment instance = createInstance(create, arena);
      MethodHandle destroy = library.command(instance, "vkDestroyInstance", VOID_PTR_PTR, arena);
      try {
        return devices(library, instance, arena);
      } finally {
        destroy(destroy, instance);
      }
    }
  }

  /** {@code vkDestroyInstance}; a shutdown path, so it never throws over the list's own result. */
  private static void destroy(@Nullable MethodHandle destroy, MemorySegment instance) {
    if (destroy == null) {
      return; // a loader without vkDestroyInstance is broken; the instance goes with the process
    }
    try {
      destroy.invokeExact(instance, MemorySegment.NULL);
    } catch (Throwable t) {
      // Nothing to report it to: the devices (or the first failure) are the answer.
    }
  }

  private static MemorySegment createInstance(MethodHandle create, Arena arena)
      throws VulkanException {
    MemorySegment app = arena.allocate(VulkanStructs.APPLICATION_INFO);
    app.set(
        JAVA_INT,
        VulkanStructs.offset(VulkanStructs.APPLICATION_INFO, "sType"),
        VulkanStructs.STRUCTURE_TYPE_APPLICATION_INFO);
    app.set(
        ADDRESS,
        VulkanStructs.offset(VulkanStructs.APPLICATION_INFO, "pApplicationName"),
        arena.allocateFrom("studio-worker"));
    app.set(
        JAVA_INT,
        VulkanStructs.offset(VulkanStructs.APPLICATION_INFO, "apiVersion"),
        VulkanStructs.API_VERSION_1_1);
    MemorySegment info = arena.allocate(VulkanStructs.INSTANCE_CREATE_INFO);
    info.set(
        JAVA_INT,
        VulkanStructs.offset(VulkanStructs.INSTANCE_CREATE_INFO, "sType"),
        VulkanStructs.STRUCTURE_TYPE_INSTANCE_CREATE_INFO);
    info.set(
        ADDRESS, VulkanStructs.offset(VulkanStructs.INSTANCE_CREATE_INFO, "pApplicationInfo"), app);
    // No layers and no extensions: the counts stay 0 and their arrays NULL (allocate zeroes).
    MemorySegment instanceOut = arena.allocate(ADDRESS);
    int result =
        callForResult(
            () -> (int) create.invokeExact(info, MemorySegment.NULL, instanceOut),
            "vkCreateInstance");
    if (result != VulkanResult.SUCCESS) {
      throw VulkanException.failed("vkCreateInstance", result);
    }
    return instanceOut.get(ADDRESS, 0);
  }

  private static List<VulkanDevice> devices(
      VulkanLibrary library, MemorySegment instance, Arena arena) throws VulkanException {
    MethodHandle enumerate =
        require(
            library.command(instance, "vkEnumeratePhysicalDevices", RESULT_PTR_PTR_PTR, arena),
            "vkEnumeratePhysicalDevices");
    MethodHandle properties =
        require(
            library.command(instance, "vkGetPhysicalDeviceProperties", VOID_PTR_PTR, arena),
            "vkGetPhysicalDeviceProperties");
    MethodHandle properties2 =
        library.command(instance, "vkGetPhysicalDeviceProperties2", VOID_PTR_PTR, arena);
    List<MemorySegment> handles = enumerate(enumerate, instance, arena);
    MemorySegment props = arena.allocate(VulkanStructs.PROPERTIES);
    MemorySegment props2 = arena.allocate(VulkanStructs.PROPERTIES_2);
    MemorySegment id = arena.allocate(VulkanStructs.ID_PROPERTIES);
    List<VulkanDevice> devices = new ArrayList<>(handles.size());
    for (int index = 0; index < handles.size(); index++) {
      MemorySegment device = handles.get(index);
      props.fill((byte) 0);
      call(
          () -> {
            properties.invokeExact(device, props);
          },
          "vkGetPhysicalDeviceProperties");
      String name =
          cString(props.asSlice(DEVICE_NAME, VulkanStructs.MAX_PHYSICAL_DEVICE_NAME_SIZE));
      int vendor = props.get(JAVA_INT, VENDOR_ID);
      // The ID properties are core from 1.1; asking a 1.0 device for them is invalid usage.
      String uuid = null;
      if (properties2 != null
          && Integer.compareUnsigned(
                  props.get(JAVA_INT, API_VERSION), VulkanStructs.API_VERSION_1_1)
              >= 0) {
        uuid = uuid(properties2, device, props2, id);
      }
      devices.add(new VulkanDevice(index, name, vendor, uuid));
    }
    return devices;
  }

  private static List<MemorySegment> enumerate(
      MethodHandle enumerate, MemorySegment instance, Arena arena) throws VulkanException {
    MemorySegment count = arena.allocate(JAVA_INT);
    for (int attempt = 1; ; attempt++) {
      int result =
          callForResult(
              () -> (int) enumerate.invokeExact(instance, count, MemorySegment.NULL),
              "vkEnumeratePhysicalDevices");
      if (result != VulkanResult.SUCCESS) {
        throw VulkanException.failed("vkEnumeratePhysicalDevices", result);
      }
      int n = count.get(JAVA_INT, 0);
      if (n == 0) {
        return List.of();
      }
      if (n < 0 || n > MAX_DEVICES) {
        throw new VulkanException(
            "vkEnumeratePhysicalDevices reports " + Integer.toUnsignedString(n) + " devices");
      }
      MemorySegment handles = arena.allocate(ADDRESS, n);
      result =
          callForResult(
              () -> (int) enumerate.invokeExact(instance, count, handles),
              "vkEnumeratePhysicalDevices");
      if (result == VulkanResult.INCOMPLETE && attempt < ENUMERATE_TRIES) {
        continue; // a device came between the two calls: count again
      }
      if (result != VulkanResult.SUCCESS) {
        throw VulkanException.failed("vkEnumeratePhysicalDevices", result);
      }
      int written = Math.min(count.get(JAVA_INT, 0), n);
      List<MemorySegment> out = new ArrayList<>(written);
      for (int i = 0; i < written; i++) {
        out.add(handles.getAtIndex(ADDRESS, i));
      }
      return out;
    }
  }

  private static @Nullable String uuid(
      MethodHandle properties2, MemorySegment device, MemorySegment props2, MemorySegment id)
      throws VulkanException {
    props2.fill((byte) 0);
    id.fill((byte) 0);
    props2.set(
        JAVA_INT,
        VulkanStructs.offset(VulkanStructs.PROPERTIES_2, "sType"),
        VulkanStructs.STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2);
    props2.set(ADDRESS, VulkanStructs.offset(VulkanStructs.PROPERTIES_2, "pNext"), id);
    id.set(
        JAVA_INT,
        VulkanStructs.offset(VulkanStructs.ID_PROPERTIES, "sType"),
        VulkanStructs.STRUCTURE_TYPE_PHYSICAL_DEVICE_ID_PROPERTIES);
    call(
        () -> {
          properties2.invokeExact(device, props2);
        },
        "vkGetPhysicalDeviceProperties2");
    byte[] bytes = id.asSlice(DEVICE_UUID, VulkanStructs.UUID_SIZE).toArray(JAVA_BYTE);
    boolean allZero = true;
    for (byte b : bytes) {
      allZero &= b == 0;
    }
    return allZero ? null : nvmlUuid(bytes);
  }

  /** Sixteen bytes as NVML writes a GPU's UUID: {@code GPU-} and the 8-4-4-4-12 lowercase hex. */
  static String nvmlUuid(byte[] bytes) {
    String hex = HEX.formatHex(bytes);
    return "GPU-"
        + hex.substring(0, 8)
        + "-"
        + hex.substring(8, 12)
        + "-"
        + hex.substring(12, 16)
        + "-"
        + hex.substring(16, 20)
        + "-"
        + hex.substring(20, 32);
  }

  private static String cString(MemorySegment bytes) {
    long end = 0;
    while (end < bytes.byteSize() && bytes.get(JAVA_BYTE, end) != 0) {
      end++;
    }
    return new String(bytes.asSlice(0, end).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
  }

  private static MethodHandle require(@Nullable MethodHandle handle, String command)
      throws VulkanException {
    if (handle == null) {
      throw new VulkanException("vkGetInstanceProcAddr has no " + command);
    }
    return handle;
  }

  private static void call(VoidCall call, String command) throws VulkanException {
    try {
      call.run();
    } catch (Throwable t) {
      throw new VulkanException(command + " could not be called: " + t);
    }
  }

  private static int callForResult(ResultCall call, String command) throws VulkanException {
    try {
      return call.run();
    } catch (Throwable t) {
      throw new VulkanException(command + " could not be called: " + t);
    }
  }

  @FunctionalInterface
  private interface VoidCall {
    void run() throws Throwable;
  }

  @FunctionalInterface
  private interface ResultCall {
    int run() throws Throwable;
  }
}
