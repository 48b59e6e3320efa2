package org.studioworker.gpu;

import static java.lang.foreign.ValueLayout.ADDRESS;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * An opened Vulkan loader ({@code libvulkan.so.1}) and its one exported entry point that matters,
 * {@code vkGetInstanceProcAddr}; every other command is asked of it, as the loader's documentation
 * asks, rather than taken from the library's symbols.
 *
 * <p>Not thread-safe: one reader opens it, uses it and closes it. Opening blocks while the system
 * loader maps the file.
 */
final class VulkanLibrary implements AutoCloseable {
  private static final Linker LINKER = Linker.nativeLinker();

  /** {@code PFN_vkVoidFunction vkGetInstanceProcAddr(VkInstance, const char*)}. */
  private static final FunctionDescriptor GET_INSTANCE_PROC_ADDR =
      FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS);

  /** Owns the library; closing it unloads the loader. */
  private final Arena arena;

  private final String location;
  private final MethodHandle getInstanceProcAddr;

  private VulkanLibrary(Arena arena, String location, MethodHandle getInstanceProcAddr) {
    this.arena = arena;
    this.location = location;
    this.getInstanceProcAddr = getInstanceProcAddr;
  }

  /** The outcome of opening. */
  sealed interface Opened {}

  /** A loader, ready for {@link #command}. */
  record Found(VulkanLibrary library) implements Opened {}

  /** No usable loader, and why, in one line. */
  record Missing(String reason) implements Opened {}

  /**
   * Opens the loader the settings name: the explicit file when one is named (and only that one),
   * else {@code libvulkan.so.1} by the system loader's search.
   */
  static Opened open(VulkanSettings settings) {
    Path explicit = settings.explicitLibrary();
    if (explicit != null) {
      String where = settings.explicitFrom() + "=" + explicit;
      try {
        return bind(explicit.toAbsolutePath().toString(), where, true);
      } catch (IllegalArgumentException e) {
        return new Missing(where + " cannot be used: " + e.getMessage());
      }
    }
    try {
      return bind(settings.loaderName(), settings.loaderName() + " (system loader)", false);
    } catch (IllegalArgumentException notOnLoaderPath) {
      // No Vulkan loader installed: the usual case on a server without a Vulkan build.
      return new Missing(settings.loaderName() + " not found");
    }
  }

  // The arena outlives this method on purpose: the returned library owns it and closes it.
  // Native access is granted to this module by the launcher (and by surefire for the tests).
  @SuppressWarnings({"MustBeClosedChecker", "restricted"})
  private static Opened bind(String nameOrPath, String where, boolean isPath) {
    Arena arena = Arena.ofShared();
    try {
      SymbolLookup lookup =
          isPath
              ? SymbolLookup.libraryLookup(Path.of(nameOrPath), arena)
              : SymbolLookup.libraryLookup(nameOrPath, arena);
      Optional<MemorySegment> entry = lookup.find("vkGetInstanceProcAddr");
      if (entry.isEmpty()) {
        arena.close();
        return new Missing(where + " has no vkGetInstanceProcAddr: not a Vulkan loader");
      }
      MethodHandle handle = LINKER.downcallHandle(entry.get(), GET_INSTANCE_PROC_ADDR);
      return new Found(new VulkanLibrary(arena, where, handle));
    } catch (RuntimeException e) {
      arena.close();
      throw e;
    }
  }

  /** Where the loader came from, for messages. */
  String location() {
    return location;
  }

  /**
   * A command by name through {@code vkGetInstanceProcAddr}, or null when the loader has none.
   *
   * @param instance {@link MemorySegment#NULL} for the global commands ({@code vkCreateInstance}),
   *     else the instance the command will be called with
   */
  @SuppressWarnings("restricted") // native access is granted to this module by the launcher
  @Nullable MethodHandle command(
      MemorySegment instance, String name, FunctionDescriptor descriptor, Arena scratch)
      throws VulkanException {
    MemorySegment address;
    try {
      address =
          (MemorySegment) getInstanceProcAddr.invokeExact(instance, scratch.allocateFrom(name));
    } catch (Throwable t) {
      throw new VulkanException("vkGetInstanceProcAddr could not be called: " + t);
    }
    if (address.equals(MemorySegment.NULL)) {
      return null;
    }
    return LINKER.downcallHandle(address, descriptor);
  }

  /** Unloads the loader. Call only once every instance is destroyed. Never throws. */
  @Override
  public void close() {
    try {
      arena.close();
    } catch (RuntimeException e) {
      // Already closed: nothing more to release.
    }
  }
}
