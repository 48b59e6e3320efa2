package org.studioworker.gpu;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The fake {@code libvulkan.so.1} of {@code src/test/c/fake_vulkan.c}: compiled with gcc into a
 * folder, then steered through its exported {@code fake_vulkan_*} functions over FFM.
 *
 * <p>The device list under test opens the same file, so it sees the state these setters change. One
 * instance per compiled file; not thread-safe.
 */
final class FakeVulkan implements AutoCloseable {
  private static final Linker LINKER = Linker.nativeLinker();
  private static final int GCC_WAIT_SECONDS = 60;

  private final Path library;
  private final Arena arena;
  private final SymbolLookup lookup;
  private final MethodHandle reset;
  private final MethodHandle setDevices;
  private final MethodHandle setFail;

  @SuppressWarnings("restricted") // surefire grants this module native access
  private FakeVulkan(Path library) {
    this.library = library;
    this.arena = Arena.ofShared();
    this.lookup = SymbolLookup.libraryLookup(library, arena);
    this.reset = handle("fake_vulkan_reset", FunctionDescriptor.ofVoid());
    this.setDevices = handle("fake_vulkan_set_devices", FunctionDescriptor.ofVoid(ADDRESS));
    this.setFail = handle("fake_vulkan_set_fail", FunctionDescriptor.ofVoid(ADDRESS));
    reset();
  }

  /** Compiles the fake into {@code dir/libvulkan.so.1} and opens it. */
  static FakeVulkan build(Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path source = dir.resolve("fake_vulkan.c");
    try (InputStream in = FakeVulkan.class.getResourceAsStream("/fake_vulkan.c")) {
      if (in == null) {
        throw new IOException("fake_vulkan.c is not on the test class path");
      }
      Files.write(source, in.readAllBytes());
    }
    Path library = dir.resolve("libvulkan.so.1");
    List<String> command =
        List.of(
            "gcc", "-shared", "-fPIC", "-O2", "-Wall", "-o", library.toString(), source.toString());
    Process gcc = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!gcc.waitFor(GCC_WAIT_SECONDS, TimeUnit.SECONDS)) {
      gcc.destroyForcibly();
      throw new IOException("gcc did not finish in " + GCC_WAIT_SECONDS + " s: " + command);
    }
    if (gcc.exitValue() != 0) {
      throw new IOException("gcc failed (" + gcc.exitValue() + "): " + command + "\n" + output);
    }
    return new FakeVulkan(library);
  }

  Path library() {
    return library;
  }

  /** Back to the fake_nvml.c GPUs in the other order, no failure, counters at zero. */
  void reset() {
    try {
      reset.invokeExact();
    } catch (Throwable t) {
      throw new AssertionError(t);
    }
  }

  /** Devices as {@code name=uuid[=vendor hex];…}, in Vulkan's order; an empty uuid: Vulkan 1.0. */
  void setDevices(String spec) {
    try (Arena text = Arena.ofConfined()) {
      setDevices.invokeExact(text.allocateFrom(spec));
    } catch (Throwable t) {
      throw new AssertionError(t);
    }
  }

  /** {@code create}, {@code enumerate}, {@code incomplete}, or {@code ""} for none. */
  void setFail(String mode) {
    try (Arena text = Arena.ofConfined()) {
      setFail.invokeExact(text.allocateFrom(mode));
    } catch (Throwable t) {
      throw new AssertionError(t);
    }
  }

  /** One of the fake's {@code int fake_vulkan_*(void)} counters. */
  int counter(String name) {
    try {
      return (int) handle("fake_vulkan_" + name, FunctionDescriptor.of(JAVA_INT)).invokeExact();
    } catch (Throwable t) {
      throw new AssertionError(t);
    }
  }

  /** One of the fake's {@code int64_t fake_vulkan_sizeof_*} / {@code offsetof_*} numbers. */
  long layout(String name) {
    try {
      return (long) handle("fake_vulkan_" + name, FunctionDescriptor.of(JAVA_LONG)).invokeExact();
    } catch (Throwable t) {
      throw new AssertionError(t);
    }
  }

  @Override
  public void close() {
    arena.close();
  }

  @SuppressWarnings("restricted")
  private MethodHandle handle(String name, FunctionDescriptor descriptor) {
    return LINKER.downcallHandle(lookup.findOrThrow(name), descriptor);
  }
}
